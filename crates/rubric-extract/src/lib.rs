//! Extraction: bytes in a known [`Format`] become an [`Article`] with sections.
//!
//! One module per format: `text` (headings inferred from bare lines),
//! `markdown` (pulldown-cmark), `html` (scraper, main content first) and
//! `jsonl` (one record per line, BEIR-style `_id`/`title`/`text` included).
//! Each builds a [`rubric_core::Draft`] through
//! [`rubric_core::SectionBuilder`], so the outline rules of design.md live in
//! one place, and [`extract`] finishes it once (which computes its hash).
//! Every article leaves with a language when one can be told ([`language`]:
//! the source's own tag, else detected from its text, else
//! [`Input::language`]).
//!
//! This crate never touches the file system, the network or the index: the
//! caller reads the bytes and decides the article id.
//!
//! ```
//! use rubric_extract::{Format, Input, extract};
//!
//! let input = Input::new("notes.md", "notes.md", Format::Markdown, b"# Notes\n\n## Setup\n\nRun it.\n");
//! let article = extract(&input).unwrap();
//! assert_eq!(article.title(), "Notes");
//! assert_eq!(article.sections()[0].heading.as_deref(), Some("Setup"));
//! ```

mod date;
mod dateline;
mod error;
mod html;
mod jsonl;
pub mod language;
mod list;
mod markdown;
mod text;

pub use error::{ErrorKind, ExtractError};
pub use html::{MAX_HTML_BYTES, MAX_NESTING, canonical_url};
pub use rubric_core::{Article, Draft, Format};

/// Identifies the extraction code: the crate version plus a hash of the
/// code of this crate and rubric-core, comments, doc comments and tests left
/// out (computed by `build.rs`). `ingest` keeps it in the index manifest and
/// re-reads every source when it changes.
pub const EXTRACTOR_VERSION: &str = env!("RUBRIC_EXTRACTOR_VERSION");

/// One source to extract: its bytes, what they are, and the identity the
/// caller gave it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The article id (for JSON Lines: ignored, each record names its own).
    pub id: &'a str,
    /// The path as given or the URL, for messages and for [`Article::source`].
    pub source: &'a str,
    /// Where a reader opens the article, unless the source says (a JSON Lines
    /// record's `url`).
    pub url: Option<&'a str>,
    /// The article's date as the caller knows it (a sitemap's `<lastmod>`),
    /// for when the source gives none: a page's own publication date wins
    /// over the date it last changed.
    pub date: Option<&'a str>,
    /// The language to assume (a tag such as `de`) when the source does
    /// not say and its text is too short to tell (`ingest --lang`).
    pub language: Option<&'a str>,
    /// What the bytes are.
    pub format: Format,
    /// The raw bytes.
    pub bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// An input with no URL, no date and no default language.
    pub fn new(id: &'a str, source: &'a str, format: Format, bytes: &'a [u8]) -> Input<'a> {
        Input {
            id,
            source,
            url: None,
            date: None,
            language: None,
            format,
            bytes,
        }
    }

    /// The error of `kind` in this input.
    fn error(&self, kind: ErrorKind) -> ExtractError {
        ExtractError::new(self.source, kind)
    }
}

/// Extracts the one article of a text, Markdown or HTML input. For JSON Lines
/// use [`extract_all`], which yields one result per record.
pub fn extract(input: &Input<'_>) -> Result<Article, ExtractError> {
    let mut draft = draft(input)?;
    if draft.url.is_none() {
        draft.url = input.url.map(str::to_string);
    }
    if draft.metadata.date.is_none() {
        draft.metadata.date = input.date.map(date::tidy);
    }
    language::decide(&mut draft, input.language);
    Ok(draft.finish())
}

/// The unfinished article of a text, Markdown or HTML input, as its format's
/// extractor reads it.
fn draft(input: &Input<'_>) -> Result<Draft, ExtractError> {
    // Whatever the parsers log (html5ever's parse warnings, through the
    // binaries' `log` bridge) is logged within this span, so it names the
    // source it is about.
    let _span = tracing::debug_span!("extract", source = input.source).entered();
    match input.format {
        Format::Text => text::extract(input),
        Format::Markdown => markdown::extract(input),
        Format::Html => html::extract(input),
        Format::Jsonl => Err(input.error(ErrorKind::ManyArticles)),
    }
}

/// Extracts every article of an input: one for text, Markdown and HTML, one
/// per record for JSON Lines. A bad record is an error of its own; the others
/// still come out.
pub fn extract_all(input: &Input<'_>) -> Vec<Result<Article, ExtractError>> {
    match input.format {
        Format::Jsonl => jsonl::records(input).collect(),
        _ => vec![extract(input)],
    }
}

/// Checks that bytes are text: UTF-8 (a BOM is dropped) with no NUL bytes.
/// Returns the text, or an error naming `source`.
pub fn decode_text<'b>(source: &str, bytes: &'b [u8]) -> Result<&'b str, ExtractError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(ExtractError::new(source, ErrorKind::Binary));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        ExtractError::new(
            source,
            ErrorKind::NotUtf8 {
                offset: e.valid_up_to(),
            },
        )
    })
}

/// A title from a file name: `gut-skin-axis.txt` becomes `Gut skin axis`.
pub fn title_from_source(source: &str) -> String {
    let name = source
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(source);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let words: Vec<&str> = stem
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let mut title = words.join(" ");
    if let Some(first) = title.chars().next() {
        let upper: String = first.to_uppercase().collect();
        title.replace_range(..first.len_utf8(), &upper);
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_broken_utf8_are_named() {
        let e = decode_text("a.txt", b"ab\0cd").unwrap_err();
        assert!(e.to_string().contains("a.txt"), "{e}");
        let e = decode_text("b.txt", b"ok \xff\xfe").unwrap_err();
        assert!(
            e.to_string().contains("b.txt") && e.to_string().contains("UTF-8"),
            "{e}"
        );
        assert_eq!(decode_text("c.txt", b"\xEF\xBB\xBFhi").unwrap(), "hi");
    }

    /// Fragments that random documents are made of: headings of every
    /// kind, list items, rules, tags (some unclosed), entities and prose.
    const PIECES: &[&str] = &[
        "\n",
        "\n\n",
        "# ",
        "## ",
        "1. ",
        "2.1 ",
        "- ",
        "===",
        "---",
        "<h2>",
        "</h2>",
        "<div>",
        "</div>",
        "<p>",
        "<li>",
        "<pre>",
        "</pre>",
        "<a href=x>",
        "</a>",
        "<br>",
        "<!-- c -->",
        "&amp;",
        "```",
        "What is it?",
        "Overview",
        "SYMPTOMS",
        "By Jane Doe",
        "May 3, 2024",
        "It works.",
        "\u{e9}t\u{e9} ",
        "word ",
        "| a | b |",
        "\t",
        "\r\n",
    ];

    /// Extraction never panics, and no text comes out more often than the
    /// input holds it: each section's text is its own (property check over
    /// pseudo-random documents, seeded so a failure replays).
    #[test]
    fn random_documents_never_panic_and_text_is_not_duplicated() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for round in 0..400 {
            let len = next() % 60;
            let doc: String = (0..len).map(|_| PIECES[next() % PIECES.len()]).collect();
            for kind in [Format::Text, Format::Markdown, Format::Html, Format::Jsonl] {
                let input = Input::new("r", "random", kind, doc.as_bytes());
                for article in extract_all(&input).into_iter().flatten() {
                    let out: usize = article
                        .sections()
                        .iter()
                        .map(|s| s.text.matches("word").count())
                        .sum();
                    assert!(
                        out <= doc.matches("word").count(),
                        "round {round} {kind:?}: {doc:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn titles_from_file_names() {
        assert_eq!(
            title_from_source("corpus/gut-skin-axis.txt"),
            "Gut skin axis"
        );
        assert_eq!(title_from_source("notes"), "Notes");
    }
}
