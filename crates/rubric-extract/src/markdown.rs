//! Markdown extraction: CommonMark plus the GFM extensions (tables,
//! strikethrough, task lists, footnotes) and `{#id}` heading attributes,
//! parsed with pulldown-cmark, and YAML (`---`) or TOML (`+++`) front matter.
//!
//! This module owns the mapping from Markdown events to headings and text
//! lines: ATX and setext headings become sections at their own level (`##` is
//! 2); the first heading, when it is a `#`, is the title and not a section;
//! `{#id}` is the anchor. Text is one line per paragraph, list item (`- item`,
//! `1. item`), table row (cells joined with ` | `), and code block (its
//! lines kept, indentation included); link
//! text is kept and URLs dropped; inline code is kept; images are dropped
//! with their alt text (alt text is mostly "screenshot" or a file name, noise
//! in a search index); raw HTML (blocks, inline tags, comments) never reaches
//! the text.
//!
//! Front matter is read by a small hand parser of `key: value` / `key = value`
//! lines (quoted or bare scalars, `[a, b]` and YAML `- item` lists, comma
//! strings) for `title`, `tags`/`keywords`, `date`, `lang`/`language`, and
//! where the page is published: `url` or `permalink` (Hugo, Jekyll; a
//! permalink pattern such as `/:year/:title/` is not expanded and is
//! ignored) or `slug` (the page's name in its folder: `a/b.md` with `slug:
//! s` is `a/s/`), which become the article's own URL, maybe relative to the
//! site (the caller resolves it). A full YAML or TOML crate would be a heavy
//! dependency for a handful of keys; anything the parser does not understand
//! is ignored, never an error.
//!
//! It does not own the outline rules (paths, unique anchors: see
//! [`rubric_core::SectionBuilder`]), decoding bytes ([`crate::decode_text`]) or
//! the article id (the caller's).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use rubric_core::text::collapse;
use rubric_core::{Format, Metadata, SectionBuilder};

use crate::{Draft, ErrorKind, ExtractError, Input, decode_text, title_from_source};

/// Extracts one article from Markdown. Errors when the bytes are not text, or
/// when there is nothing to index (no text and no headings besides a title).
pub(crate) fn extract(input: &Input<'_>) -> Result<Draft, ExtractError> {
    let src = decode_text(input.source, input.bytes)?;
    let mut walker = Walker::default();
    for event in Parser::new_ext(src, options()) {
        walker.event(event);
    }
    walker.flush();
    if walker.out.is_empty() {
        return Err(input.error(ErrorKind::Empty));
    }
    let front = walker
        .front
        .as_deref()
        .map(FrontMatter::parse)
        .unwrap_or_default();
    let page_url = front.page_url(input.id);
    let title = front
        .title
        .or(walker.h1_title)
        .unwrap_or_else(|| title_from_source(input.source));
    let mut draft = Draft::new(
        input.id,
        input.source,
        Format::Markdown,
        title,
        walker.out.finish(),
    );
    draft.url = input.url.map(str::to_string).or(page_url);
    draft.metadata = Metadata {
        tags: front.tags,
        date: front.date.as_deref().map(crate::date::tidy),
        language: front.language,
    };
    Ok(draft)
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// A heading being read.
#[derive(Debug)]
struct Heading {
    level: u8,
    id: Option<String>,
    text: String,
}

/// Walks the event stream and feeds the section builder.
#[derive(Debug, Default)]
struct Walker {
    out: SectionBuilder,
    /// The text line being built (a paragraph, a list item, a table row).
    line: String,
    /// `- ` or `N. ` waiting for the first text of a list item.
    item_prefix: Option<String>,
    /// Open lists, innermost last: the next number for ordered ones.
    lists: Vec<Option<u64>>,
    heading: Option<Heading>,
    seen_heading: bool,
    /// The first heading, when it is a `#`.
    h1_title: Option<String>,
    /// Raw front matter, once read.
    front: Option<String>,
    in_front: bool,
    /// The text of the code block being read.
    code: Option<String>,
    /// Cells seen in the current table row.
    cells: usize,
    /// Depth of images: their alt text is dropped.
    images: usize,
}

impl Walker {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(s) | Event::Code(s) | Event::InlineMath(s) | Event::DisplayMath(s) => {
                self.text(&s)
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.line_break(),
            Event::InlineHtml(html) => {
                if is_br(&html) {
                    self.line_break();
                }
            }
            Event::Rule => self.flush(),
            Event::Html(_) | Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, id, .. } => {
                self.flush();
                self.heading = Some(Heading {
                    level: heading_level(level),
                    id: id.map(|id| id.to_string()),
                    text: String::new(),
                });
            }
            Tag::MetadataBlock(_) => {
                self.in_front = true;
                self.front.get_or_insert_with(String::new);
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                self.item_prefix = Some(crate::list::next_item_marker(&mut self.lists));
            }
            Tag::TableHead | Tag::TableRow => {
                self.flush();
                self.cells = 0;
            }
            Tag::TableCell => {
                if self.cells > 0 {
                    self.line.push_str(" | ");
                }
                self.cells += 1;
            }
            Tag::Image { .. } => self.images += 1,
            Tag::Paragraph
            | Tag::BlockQuote(_)
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_) => self.flush(),
            Tag::HtmlBlock
            | Tag::DefinitionList
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. } => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::MetadataBlock(_) => self.in_front = false,
            TagEnd::CodeBlock => {
                // One block, so the lines keep their indentation.
                if let Some(code) = self.code.take() {
                    let lines: Vec<&str> = code.lines().map(str::trim_end).collect();
                    let first = lines.iter().position(|l| !l.trim().is_empty());
                    let last = lines.iter().rposition(|l| !l.trim().is_empty());
                    if let (Some(first), Some(last)) = (first, last) {
                        self.out.push_text(&lines[first..=last].join("\n"));
                    }
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item => {
                self.flush();
                self.item_prefix = None;
            }
            TagEnd::Image => self.images = self.images.saturating_sub(1),
            TagEnd::Paragraph
            | TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow => self.flush(),
            TagEnd::HtmlBlock
            | TagEnd::DefinitionList
            | TagEnd::TableCell
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link => {}
        }
    }

    fn end_heading(&mut self) {
        let Some(heading) = self.heading.take() else {
            return;
        };
        let text = collapse(&heading.text);
        if text.is_empty() {
            return;
        }
        if !self.seen_heading && heading.level == 1 {
            self.h1_title = Some(text);
        } else {
            self.out
                .push_heading(heading.level, &text, heading.id.as_deref());
        }
        self.seen_heading = true;
    }

    fn text(&mut self, s: &str) {
        if self.images > 0 {
            return;
        }
        if self.in_front {
            if let Some(front) = self.front.as_mut() {
                front.push_str(s);
            }
        } else if let Some(code) = self.code.as_mut() {
            code.push_str(s);
        } else if let Some(heading) = self.heading.as_mut() {
            heading.text.push_str(s);
        } else {
            if self.line.trim().is_empty()
                && let Some(prefix) = self.item_prefix.take()
            {
                self.line.clear();
                self.line.push_str(&prefix);
            }
            self.line.push_str(s);
        }
    }

    /// A hard break or `<br>`: a space in a heading, a new line elsewhere.
    fn line_break(&mut self) {
        if self.heading.is_some() {
            self.text(" ");
        } else {
            self.flush();
        }
    }

    /// Ends the current line: whitespace collapsed, pushed when not blank.
    fn flush(&mut self) {
        if !self.line.is_empty() {
            self.out.push_text(&collapse(&self.line));
            self.line.clear();
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn is_br(html: &str) -> bool {
    let tag = html.trim().trim_start_matches('<').trim_start_matches('/');
    tag.get(..2).is_some_and(|t| t.eq_ignore_ascii_case("br"))
        && !tag[2..].starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// Runs of whitespace become one space; the ends are trimmed.
/// The front-matter fields Rubric reads.
#[derive(Debug, Default, PartialEq)]
struct FrontMatter {
    title: Option<String>,
    tags: Vec<String>,
    date: Option<String>,
    language: Option<String>,
    url: Option<String>,
    permalink: Option<String>,
    slug: Option<String>,
}

impl FrontMatter {
    /// Reads `key: value` (YAML) or `key = value` (TOML) lines. Only top-level
    /// keys count (YAML nested mappings are skipped); the first occurrence of
    /// a key wins, so a TOML `[extra]` table cannot override the title.
    fn parse(src: &str) -> FrontMatter {
        let mut fm = FrontMatter::default();
        let mut tags_seen = false;
        // Set after `tags:` with no value: the YAML block list that follows.
        let mut in_tag_list = false;
        for raw in src.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if in_tag_list {
                if let Some(item) = line.strip_prefix('-') {
                    let item = unquote(item);
                    if !item.is_empty() {
                        fm.tags.push(item);
                    }
                    continue;
                }
                in_tag_list = false;
            }
            if raw.starts_with([' ', '\t']) {
                continue;
            }
            let Some((key, value)) = key_value(line) else {
                continue;
            };
            match key.to_ascii_lowercase().as_str() {
                "title" if fm.title.is_none() => fm.title = scalar(value),
                "date" if fm.date.is_none() => fm.date = scalar(value),
                "lang" | "language" if fm.language.is_none() => fm.language = scalar(value),
                "url" if fm.url.is_none() => fm.url = scalar(value),
                "permalink" if fm.permalink.is_none() => {
                    fm.permalink = scalar(value).filter(|p| !p.contains("/:"));
                }
                "slug" if fm.slug.is_none() => fm.slug = scalar(value),
                "tags" | "keywords" if !tags_seen => {
                    tags_seen = true;
                    if value.is_empty() {
                        in_tag_list = true;
                    } else {
                        fm.tags = list(value);
                    }
                }
                _ => {}
            }
        }
        fm
    }
}

impl FrontMatter {
    /// Where the page of the file `id` (its path under the root) is
    /// published, as the front matter says: `url`, else `permalink`, else
    /// the folder of `id` with `slug` as the page's name.
    fn page_url(&self, id: &str) -> Option<String> {
        if let Some(url) = self.url.clone().or_else(|| self.permalink.clone()) {
            return Some(url);
        }
        let slug = self.slug.as_deref()?.trim_matches('/');
        if slug.is_empty() {
            return None;
        }
        Some(match id.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{slug}/"),
            None => format!("{slug}/"),
        })
    }
}

/// Splits `key: value` or `key = value`; the key is a bare or quoted word.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let key_end = line
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '"' || c == '\''))
        .unwrap_or(line.len());
    let key = line[..key_end].trim_matches(['"', '\'']);
    let rest = line[key_end..].trim_start();
    let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
    (!key.is_empty()).then_some((key, value.trim()))
}

/// A scalar value: quotes removed, a YAML block indicator (`|`, `>`) or an
/// empty value is no value.
fn scalar(value: &str) -> Option<String> {
    if value.starts_with(['|', '>']) {
        return None;
    }
    Some(unquote(value)).filter(|v| !v.is_empty())
}

/// `[a, "b"]` or `a, b`: the items, unquoted, blanks dropped.
fn list(value: &str) -> Vec<String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    inner
        .split(',')
        .map(unquote)
        .filter(|v| !v.is_empty())
        .collect()
}

/// Trims and removes matching quotes; a bare value loses a ` # comment`.
fn unquote(value: &str) -> String {
    let v = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return if q == '"' {
                inner.replace("\\\"", "\"")
            } else {
                inner.replace("''", "'")
            };
        }
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end().to_string(),
        None => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(src: &str) -> Draft {
        extract(&Input::new(
            "t.md",
            "dir/t.md",
            crate::Format::Markdown,
            src.as_bytes(),
        ))
        .unwrap()
    }

    fn headings(a: &Draft) -> Vec<(u8, &str, &str)> {
        a.sections
            .iter()
            .filter_map(|s| Some((s.level, s.heading.as_deref()?, s.anchor.as_str())))
            .collect()
    }

    #[test]
    fn atx_and_setext_headings() {
        let a =
            md("# Title\n\nlead\n\n## Two\n\ntwo\n\nSetext two\n----------\n\n### Three\nthree\n");
        assert_eq!(a.title, "Title");
        assert_eq!(a.sections[0].text, "lead");
        assert_eq!(
            headings(&a),
            [
                (2, "Two", "two"),
                (2, "Setext two", "setext-two"),
                (3, "Three", "three")
            ]
        );
        assert_eq!(a.sections[3].path, ["Setext two"]);
    }

    #[test]
    fn title_is_the_first_heading_only_when_it_is_a_hash() {
        let a = md("## First\n\nx\n\n# Later\n\ny\n");
        assert_eq!(a.title, "T");
        assert_eq!(headings(&a), [(2, "First", "first"), (1, "Later", "later")]);
    }

    #[test]
    fn explicit_ids_are_anchors() {
        let a = md("# T\n\n## Causes {#why}\n\nx\n\n## Causes\n\ny\n## Causes\n");
        assert_eq!(
            headings(&a),
            [
                (2, "Causes", "why"),
                (2, "Causes", "causes"),
                (2, "Causes", "causes-1")
            ]
        );
    }

    #[test]
    fn yaml_front_matter() {
        let a = md(
            "---\ntitle: \"Gut: skin\"\ntags:\n  - gut\n  - 'skin'\ndate: 2024-05-01\n---\n# Other\n\nbody\n",
        );
        assert_eq!(a.title, "Gut: skin");
        assert_eq!(a.metadata.tags, ["gut", "skin"]);
        assert_eq!(a.metadata.date.as_deref(), Some("2024-05-01"));
        assert_eq!(
            a.sections.len(),
            1,
            "the first # heading is not a section even with a front-matter title"
        );
        assert_eq!(a.sections[0].text, "body");
    }

    #[test]
    fn front_matter_says_where_the_page_is_published() {
        assert_eq!(
            md("---\nurl: /blog/x/\n---\ntext\n").url.as_deref(),
            Some("/blog/x/")
        );
        assert_eq!(
            md("+++\npermalink = \"https://e.org/p\"\n+++\ntext\n")
                .url
                .as_deref(),
            Some("https://e.org/p")
        );
        assert_eq!(md("---\npermalink: /:year/:title/\n---\ntext\n").url, None);
        let slug = |id| {
            let src = "---\nslug: my-page\n---\ntext\n";
            let input = Input::new(id, "x", crate::Format::Markdown, src.as_bytes());
            extract(&input).unwrap().url
        };
        assert_eq!(slug("posts/b.md").as_deref(), Some("posts/my-page/"));
        assert_eq!(slug("b.md").as_deref(), Some("my-page/"));
        assert_eq!(md("text\n").url, None);
    }

    #[test]
    fn toml_front_matter_and_comma_tags() {
        let a = md("+++\ntitle = 'Notes'\ntags = [\"a\", \"b\"]\n+++\n\ntext\n");
        assert_eq!(a.title, "Notes");
        assert_eq!(a.metadata.tags, ["a", "b"]);
        let a = md("---\ntags: x, y z\n---\ntext\n");
        assert_eq!(a.metadata.tags, ["x", "y z"]);
        assert_eq!(a.title, "T");
    }

    #[test]
    fn html_comments_and_blocks_do_not_leak() {
        let a = md(
            "# T\n\n<!-- source: secret -->\n\n<div class=\"x\">\nraw block\n</div>\n\nkept <!-- hidden --> <b>bold</b>\n",
        );
        assert_eq!(a.sections[0].text, "kept bold");
    }

    #[test]
    fn links_keep_text_and_drop_urls_images_dropped() {
        let a = md("See [the docs](https://e.org/x \"t\") and `cargo run` ![a cat](cat.png).\n");
        assert_eq!(a.sections[0].text, "See the docs and cargo run .");
    }

    #[test]
    fn lists_one_item_per_line() {
        let a = md("Intro:\n\n- one\n- two\n  wrapped\n  - nested\n\n3. three\n4. four\n");
        assert_eq!(
            a.sections[0].text,
            "Intro:\n- one\n- two wrapped\n- nested\n3. three\n4. four"
        );
    }

    #[test]
    fn tables_as_rows() {
        let a = md("| A | B |\n|---|---|\n| 1 | [x](u) |\n");
        assert_eq!(a.sections[0].text, "A | B\n1 | x");
    }

    #[test]
    fn code_blocks_as_lines() {
        let a = md("```rust\nfn main() {\n    run();\n}\n```\n\n    indented\n");
        assert_eq!(a.sections[0].text, "fn main() {\n    run();\n}\nindented");
    }

    #[test]
    fn paragraphs_one_per_line_and_breaks() {
        let a = md("one\ntwo  \nthree\n\nfour<br>five\n");
        assert_eq!(a.sections[0].text, "one two\nthree\nfour\nfive");
    }

    #[test]
    fn title_falls_back_to_the_file_name_and_empty_is_an_error() {
        assert_eq!(md("just text\n").title, "T");
        let e = extract(&Input::new(
            "e.md",
            "dir/e.md",
            crate::Format::Markdown,
            b"# Only a title\n",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("dir/e.md"), "{e}");
    }
}
