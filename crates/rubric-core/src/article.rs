//! [`Article`] and [`Section`]: the records that flow from extraction to the
//! index, with the JSON shape of `ingest --dry-run --json` (design.md), and
//! [`Format`], what a source holds.
//!
//! An article is assembled as a [`Draft`] (plain public fields, changed
//! freely by an extractor) and becomes an [`Article`] with
//! [`Draft::finish`], which computes its content hash once. An `Article`
//! cannot be changed afterwards (its fields are read through methods), so
//! its hash always describes what it holds; to change one, take it apart
//! with [`Article::into_draft`] and finish it again.
//!
//! The one thing set on a finished article is where a reader opens it when
//! that is not what the source says ([`Article::with_url`]): a file's page
//! on the publisher's site, worked out from the site URL the run was given.
//! That is the run's configuration, not the article's content, so it is not
//! part of the hash: a new site URL re-links the index without reading a
//! file again (see `rubric-ingest`).

use std::borrow::Cow;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::chunk::{self, MAX_SECTION_BYTES};
use crate::text;

/// What a source holds: an article in plain text, Markdown or HTML, or many
/// articles as JSON Lines records. An [`Article`]'s format is never
/// [`Format::Jsonl`]: a record's article has the format of its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text: headings are inferred from bare lines.
    Text,
    /// Markdown (CommonMark + GFM).
    Markdown,
    /// HTML.
    Html,
    /// JSON Lines: one article per line.
    Jsonl,
}

impl Format {
    /// The lower-case name used in JSON and in the index (`text`,
    /// `markdown`, `html`, `jsonl`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Jsonl => "jsonl",
        }
    }

    /// The format a file name's extension says (`.txt`, `.text`, `.md`,
    /// `.markdown`, `.html`, `.htm`, `.xhtml`, `.jsonl`), case-insensitive;
    /// `None` for anything else.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?;
        Format::from_extension(ext)
    }

    /// The format of a file extension without its dot, case-insensitive.
    pub fn from_extension(ext: &str) -> Option<Format> {
        const KNOWN: &[(&str, Format)] = &[
            ("txt", Format::Text),
            ("text", Format::Text),
            ("md", Format::Markdown),
            ("markdown", Format::Markdown),
            ("html", Format::Html),
            ("htm", Format::Html),
            ("xhtml", Format::Html),
            ("jsonl", Format::Jsonl),
        ];
        KNOWN
            .iter()
            .find(|(name, _)| ext.eq_ignore_ascii_case(name))
            .map(|&(_, format)| format)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Optional metadata an article may carry (front matter, JSONL fields, sitemaps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Tags or keywords, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A date as the source gave it (ISO 8601 where the source was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A language tag such as `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Metadata {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.date.is_none() && self.language.is_none()
    }
}

/// One section: a heading and the text under it up to the next heading of the
/// same or a higher level. The lead section (text before the first heading)
/// has no heading and the anchor `""`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Fragment that lands on this section: the element's own id where the
    /// source has one, else a unique GitHub-style slug of the heading.
    pub anchor: String,
    /// The heading text; `None` for the lead section.
    pub heading: Option<String>,
    /// Outline depth: the article title is 1, so `##` / `<h2>` is 2.
    pub level: u8,
    /// Headings of the ancestors, outermost first, without the title and
    /// without this section's own heading.
    pub path: Vec<String>,
    /// Paragraphs and list items as plain text, one per line.
    pub text: String,
    /// Position in the article, from 0.
    #[serde(default)]
    pub ordinal: u32,
}

/// An article being assembled: every field public, no hash yet.
/// [`Draft::finish`] makes the [`Article`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Stable id (see [`Article::id`]).
    pub id: String,
    /// Where it was read from: the path as given, or the URL.
    pub source: String,
    /// Where a reader opens it, if anywhere.
    pub url: Option<String>,
    /// The article's title.
    pub title: String,
    /// The format it was read from (never [`Format::Jsonl`]).
    pub format: Format,
    /// Tags, date, language.
    pub metadata: Metadata,
    /// Sections in document order.
    pub sections: Vec<Section>,
}

impl Draft {
    /// A draft with no URL and no metadata.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        format: Format,
        title: impl Into<String>,
        sections: Vec<Section>,
    ) -> Draft {
        Draft {
            id: id.into(),
            source: source.into(),
            url: None,
            title: title.into(),
            format,
            metadata: Metadata::default(),
            sections,
        }
    }

    /// The finished article, with its content hash. Every extractor's
    /// article passes here, so here is where what no article may hold is
    /// taken out: control characters (never content, and terminal commands
    /// if printed: see [`text::strip_controls`]), and sections longer than
    /// [`MAX_SECTION_BYTES`], which are split into parts with the same
    /// heading and anchor (see `chunk`).
    pub fn finish(mut self) -> Article {
        self.clean();
        let hash = content_hash(&self);
        Article {
            draft: self,
            hash,
            placed: None,
        }
    }

    fn clean(&mut self) {
        fn line(s: &mut String) {
            if let Cow::Owned(clean) = text::strip_controls(s, false) {
                *s = clean;
            }
        }
        line(&mut self.id);
        line(&mut self.title);
        if let Some(url) = &mut self.url {
            line(url);
        }
        let m = &mut self.metadata;
        m.tags.iter_mut().for_each(line);
        m.date.iter_mut().for_each(line);
        m.language.iter_mut().for_each(line);
        for s in &mut self.sections {
            line(&mut s.anchor);
            s.heading.iter_mut().for_each(line);
            s.path.iter_mut().for_each(line);
            if let Cow::Owned(clean) = text::strip_controls(&s.text, true) {
                s.text = clean;
            }
        }
        let count = self.sections.len();
        self.sections = chunk::split_long(std::mem::take(&mut self.sections), MAX_SECTION_BYTES);
        if self.sections.len() != count {
            for (i, s) in self.sections.iter_mut().enumerate() {
                s.ordinal = u32::try_from(i).unwrap_or(u32::MAX);
            }
        }
    }
}

/// An article read from one source, split into sections in document order,
/// with the content hash of what it holds. Serialises as the JSON object of
/// `ingest --dry-run --json` (design.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    draft: Draft,
    hash: String,
    /// Where a reader opens it, when the caller worked that out (not hashed).
    placed: Option<String>,
}

impl Article {
    /// A finished article with no URL and no metadata (shorthand for
    /// [`Draft::new`] then [`Draft::finish`]).
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        format: Format,
        title: impl Into<String>,
        sections: Vec<Section>,
    ) -> Article {
        Draft::new(id, source, format, title, sections).finish()
    }

    /// Stable id: the canonical URL for web pages, the path relative to the
    /// ingest root (with `/`) for files, the record id for JSON Lines.
    pub fn id(&self) -> &str {
        &self.draft.id
    }

    /// Where it was read from: the path as given, or the URL.
    pub fn source(&self) -> &str {
        &self.draft.source
    }

    /// Where a reader opens it, if anywhere: the URL set with
    /// [`Article::with_url`], else the one the source gives.
    pub fn url(&self) -> Option<&str> {
        self.placed.as_deref().or(self.draft.url.as_deref())
    }

    /// The URL the source itself gives (a page's address, a front matter
    /// `url`, a record's `url`; maybe relative to the site), which the
    /// content hash covers.
    pub fn own_url(&self) -> Option<&str> {
        self.draft.url.as_deref()
    }

    /// The article with `url` as where a reader opens it (a file's page on
    /// the publisher's site), its content hash unchanged; `None` leaves the
    /// URL the source gives.
    pub fn with_url(mut self, url: Option<String>) -> Article {
        self.placed = url;
        self
    }

    /// The article's title.
    pub fn title(&self) -> &str {
        &self.draft.title
    }

    /// The format it was read from.
    pub fn format(&self) -> Format {
        self.draft.format
    }

    /// Content hash of what it holds (see [`content_hash`]).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Tags, date, language.
    pub fn metadata(&self) -> &Metadata {
        &self.draft.metadata
    }

    /// Sections in document order.
    pub fn sections(&self) -> &[Section] {
        &self.draft.sections
    }

    /// The article taken apart, to be changed and finished again (a URL set
    /// with [`Article::with_url`] is dropped).
    pub fn into_draft(self) -> Draft {
        self.draft
    }

    /// The link for a section (see [`section_link`]).
    pub fn link(&self, anchor: &str) -> String {
        section_link(self.url(), self.source(), anchor)
    }
}

/// A section's id in search results: `article#anchor`, or the article id
/// alone for the lead, with the article id escaped
/// ([`text::escape_id`]) so the first `#` always ends it.
///
/// ```
/// assert_eq!(rubric_core::section_id("faq#1.md", "setup"), "faq%231.md#setup");
/// assert_eq!(rubric_core::section_id("a.md", ""), "a.md");
/// ```
pub fn section_id(article: &str, anchor: &str) -> String {
    let article = text::escape_id(article);
    if anchor.is_empty() {
        article.into_owned()
    } else {
        format!("{article}#{anchor}")
    }
}

/// Where a section opens: `url#anchor` when the article has a URL, else
/// `source#anchor` with the source escaped as an id is (a path holding `#`
/// or `?` stays one location); the bare location for the lead section, and
/// when the URL has a fragment of its own already (a JSON Lines record with
/// no URL opens at `data.jsonl#id`, whichever section matched).
pub fn section_link(url: Option<&str>, source: &str, anchor: &str) -> String {
    let base = match url.filter(|u| !u.is_empty()) {
        Some(url) => Cow::Borrowed(url),
        None => text::escape_id(source),
    };
    if anchor.is_empty() || base.contains('#') {
        base.into_owned()
    } else {
        format!("{base}#{anchor}")
    }
}

/// The JSON shape of design.md: `id`, `source`, `url`, `title`, `format`,
/// `hash`, `metadata` (left out when empty), `sections`.
impl Serialize for Article {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let d = &self.draft;
        let fields = if d.metadata.is_empty() { 7 } else { 8 };
        let mut s = serializer.serialize_struct("Article", fields)?;
        s.serialize_field("id", &d.id)?;
        s.serialize_field("source", &d.source)?;
        s.serialize_field("url", &self.url())?;
        s.serialize_field("title", &d.title)?;
        s.serialize_field("format", &d.format)?;
        s.serialize_field("hash", &self.hash)?;
        if d.metadata.is_empty() {
            s.skip_field("metadata")?;
        } else {
            s.serialize_field("metadata", &d.metadata)?;
        }
        s.serialize_field("sections", &d.sections)?;
        s.end()
    }
}

/// Content hash of what an article would put in the index: title, the URL
/// its source gives, format, metadata and every section field (a URL set on
/// the finished article with [`Article::with_url`] is not part of it). Hex BLAKE3, stable across runs
/// and machines. The source path is not part of it, so moving a root does not
/// change the hash.
pub fn content_hash(article: &Draft) -> String {
    let mut h = blake3::Hasher::new();
    let mut field = |s: &str| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field(&article.title);
    field(article.url.as_deref().unwrap_or(""));
    field(article.format.as_str());
    for tag in &article.metadata.tags {
        field(tag);
    }
    field(article.metadata.date.as_deref().unwrap_or(""));
    field(article.metadata.language.as_deref().unwrap_or(""));
    for s in &article.sections {
        field(&s.anchor);
        field(s.heading.as_deref().unwrap_or("\u{0}"));
        field(&s.level.to_string());
        for p in &s.path {
            field(p);
        }
        field("\u{1}");
        field(&s.text);
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(text: &str) -> Section {
        Section {
            anchor: String::new(),
            heading: None,
            level: 1,
            path: vec![],
            text: text.into(),
            ordinal: 0,
        }
    }

    #[test]
    fn hash_changes_with_text_and_not_with_source() {
        let a = Article::new("a", "x/a.txt", Format::Text, "A", vec![lead("one")]);
        let b = Article::new("a", "y/a.txt", Format::Text, "A", vec![lead("one")]);
        let c = Article::new("a", "x/a.txt", Format::Text, "A", vec![lead("two")]);
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), c.hash());
        assert_eq!(a.hash().len(), 64);
    }

    #[test]
    fn a_changed_draft_gets_a_new_hash_when_finished_again() {
        let a = Article::new("a", "x/a.txt", Format::Text, "A", vec![lead("one")]);
        let before = a.hash().to_string();
        let mut draft = a.into_draft();
        draft.metadata.date = Some("2024-05-01".into());
        let b = draft.finish();
        assert_ne!(b.hash(), before);
        assert_eq!(b.hash(), content_hash(&b.clone().into_draft()));
    }

    #[test]
    fn json_shape_matches_the_contract() {
        let a = Article::new("a.txt", "corpus/a.txt", Format::Text, "A", vec![lead("x")]);
        let line = serde_json::to_string(&a).unwrap();
        let order: Vec<usize> = ["id", "source", "url", "title", "format", "hash", "sections"]
            .iter()
            .map(|key| line.find(&format!("\"{key}\":")).unwrap())
            .collect();
        assert!(order.is_sorted(), "fields in the contract's order: {line}");
        assert!(!line.contains("metadata"), "empty metadata is left out");
        let v: serde_json::Value = serde_json::to_value(&a).unwrap();
        assert_eq!(v["format"], "text");
        assert_eq!(v["hash"], a.hash());
        assert!(v["url"].is_null());
        assert!(v["sections"][0]["heading"].is_null());
        assert_eq!(v["sections"][0]["anchor"], "");
        let mut draft = a.into_draft();
        draft.metadata.tags = vec!["skin".into()];
        let v = serde_json::to_value(draft.finish()).unwrap();
        assert_eq!(v["metadata"]["tags"][0], "skin");
    }

    #[test]
    fn link_prefers_url() {
        let a = Article::new("a", "corpus/a.txt", Format::Text, "A", vec![]);
        assert_eq!(a.link("x"), "corpus/a.txt#x");
        let mut draft = a.into_draft();
        draft.url = Some("https://e.org/a".into());
        let a = draft.finish();
        assert_eq!(a.link("x"), "https://e.org/a#x");
        assert_eq!(a.link(""), "https://e.org/a");
    }

    /// ESC and BEL in a title, a heading and text (a Markdown file, an
    /// HTML `&#x1b;`, a JSON Lines `\u001b`) reached the terminal.
    #[test]
    fn control_characters_are_taken_out_when_an_article_is_finished() {
        let mut text = lead("red \u{1b}[31mtext\u{7}\tand\r\nmore");
        text.heading = Some("Clear \u{1b}[2J".into());
        text.path = vec!["P\u{9b}1m".into()];
        let mut draft = Draft::new(
            "id\u{1b}",
            "s",
            Format::Text,
            "T\u{1b}]0;x\u{7}",
            vec![text],
        );
        draft.metadata.tags = vec!["t\u{0}ag".into()];
        let a = draft.finish();
        assert_eq!(a.title(), "T]0;x");
        assert_eq!(a.id(), "id");
        let s = &a.sections()[0];
        assert_eq!(s.text, "red [31mtext and \nmore");
        assert_eq!(s.heading.as_deref(), Some("Clear [2J"));
        assert_eq!(s.path, ["P1m"]);
        assert_eq!(a.metadata().tags, ["tag"]);
    }

    #[test]
    fn an_over_long_section_is_finished_as_bounded_parts() {
        let long = "Medlars ripen after frost. ".repeat(MAX_SECTION_BYTES / 10);
        let a = Article::new(
            "a",
            "s",
            Format::Text,
            "A",
            vec![lead("short"), lead(&long)],
        );
        assert!(a.sections().len() > 2);
        for (i, s) in a.sections().iter().enumerate() {
            assert!(s.text.len() <= MAX_SECTION_BYTES);
            assert_eq!(s.ordinal as usize, i);
        }
    }

    #[test]
    fn a_url_set_on_the_article_is_its_link_and_not_part_of_its_hash() {
        let a = Article::new("a.md", "docs/a.md", Format::Markdown, "A", vec![lead("x")]);
        let hash = a.hash().to_string();
        let a = a.with_url(Some("https://e.org/a/".into()));
        assert_eq!(a.hash(), hash);
        assert_eq!(a.own_url(), None);
        assert_eq!(a.link("x"), "https://e.org/a/#x");
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["url"], "https://e.org/a/");
        // A record with no URL of its own links to the record, whatever section.
        let r = a.with_url(Some("data.jsonl#r1".into()));
        assert_eq!(r.link("intro"), "data.jsonl#r1");
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            Format::from_path(Path::new("a/b.MD")),
            Some(Format::Markdown)
        );
        assert_eq!(Format::from_path(Path::new("x.htm")), Some(Format::Html));
        assert_eq!(Format::from_path(Path::new("x.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("x.pdf")), None);
        assert_eq!(Format::from_path(Path::new("README")), None);
    }
}
