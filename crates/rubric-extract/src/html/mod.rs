//! HTML extraction with scraper (html5ever): the page's title, its main
//! content, and the headings and text lines in it.
//!
//! [`extract`] runs the stages in order, one submodule each:
//! - `guard`: pages over [`MAX_HTML_BYTES`] or nesting deeper than
//!   [`MAX_NESTING`] (where the parser's time grows with the square of the
//!   depth) are refused before parsing, with an error naming the source;
//!   pages that are not UTF-8 are decoded by their declared or guessed
//!   character set ([`rubric_core::charset`], as fetched pages are);
//! - `density`: text and link sizes of every element, counted once,
//!   bottom-up, so later stages look them up instead of walking;
//! - `page`: one pass over the document for its metadata (`<meta
//!   name=keywords>` for tags, the publication date from JSON-LD, metas,
//!   microdata or `<time>` as `published` ranks them, `<html lang>`), its
//!   `<title>`, `og:title` and `<h1>`s, and the choice of the
//!   title: the longest `<h1>` that `og:title` or `<title>` repeats (inside
//!   the main content first), else the first `<h1>` of the main content,
//!   else the first on the page when there is no `og:title`, else
//!   `og:title`, else `<title>`, else the file name; also [`canonical_url`];
//! - `main_content`: which elements are the article: the `<main>` (or
//!   `role=main`) with the most text, else the `<article>` with the most
//!   text, when it holds a fair share of the densest text; else the densest
//!   run of paragraphs (readability-style scores, a `<div>` of text counting
//!   as a paragraph; an article split into chunks of one component at
//!   different depths is read from their common container), else `<body>`;
//!   a short lead between the title `<h1>` and a root that does not hold it
//!   is read first;
//! - `boilerplate`: which elements are not article: furniture by tag, role,
//!   hidden-ness or class and id, and blocks that are mostly links (related
//!   stories, tags, pagers) or promo lines ("Also: <a>Another story</a>");
//! - `walk`: the chosen roots become sections: `h1`–`h6` become sections
//!   (the title `<h1>` excepted, and `<h1>`s above it, mastheads, dropped)
//!   anchored on their own `id` (or that of an `<a id|name>` inside or just
//!   before them); text comes out one line per block: block elements and
//!   `<br>` end a line, list items keep `- ` / `N. `, table rows join their
//!   cells with ` | `, a `<pre>` is one block that keeps its lines and
//!   indentation; bylines and datelines are dropped unless three or more run
//!   together (a schedule);
//! - `fallback`: when the main content gives under 250 characters of text,
//!   the article body the page's JSON-LD embeds, else the block with the
//!   most text of its own is read instead (either when it gives twice as
//!   much), and when nothing gave any text, the whole `<body>` minus the
//!   obvious chrome; the path taken is logged at info level (`-v`) when it
//!   is not the main content;
//! - `json_ld`: the things the page's JSON-LD describes (for the date and
//!   the embedded body); `published`: which date is the publication date.
//!
//! `main_content` and `walk` go over the tree with the one traversal in
//! `tree`: iterative, so deep pages cannot overflow the stack.
//!
//! The article URL is left to the caller ([`canonical_url`] reads `<link
//! rel=canonical>` for it). This module does not own the outline rules
//! ([`rubric_core::SectionBuilder`]), fetching, or character set detection
//! ([`rubric_core::charset`]). The page is parsed once; html5ever
//! repairs malformed markup the way browsers do.

mod boilerplate;
mod density;
mod fallback;
mod guard;
mod json_ld;
mod main_content;
mod page;
mod published;
mod tree;
mod walk;

use rubric_core::Format;
use scraper::Html;

use crate::{Draft, ErrorKind, ExtractError, Input, title_from_source};
use density::Sizes;
use page::{Page, heading_text};

pub use guard::{MAX_HTML_BYTES, MAX_NESTING};
pub use page::canonical_url;

/// Extracts one article from an HTML page. Errors when the page is too big
/// or too deep to parse, when the bytes are not text, or when no path of
/// the fallback chain (main content, the JSON-LD article body, largest text
/// block, body minus chrome) gives any text.
pub(crate) fn extract(input: &Input<'_>) -> Result<Draft, ExtractError> {
    let src = guard::checked_text(input)?;
    let doc = Html::parse_document(&src);
    let sizes = Sizes::count(&doc);
    let page = Page::read(&doc, &sizes);
    let roots = main_content::roots(&page);
    if tracing::enabled!(tracing::Level::DEBUG) {
        let roots: Vec<_> = roots.iter().map(|r| main_content::describe(*r)).collect();
        tracing::debug!(source = input.source, "main content: {}", roots.join(", "));
    }
    let title_h1 = page.title_h1(&roots);
    let body_len = sizes.text(page.body.unwrap_or(page.html));
    let roots = main_content::with_lead(&sizes, roots, title_h1, body_len);
    let title = title_h1
        .map(heading_text)
        .or_else(|| page.og_title.clone())
        .or_else(|| page.title.clone())
        .unwrap_or_else(|| title_from_source(input.source));

    let body = page.body.unwrap_or(page.html);
    let embedded = page.embedded_body.as_deref();
    let Some((sections, path)) = fallback::read(&sizes, body, &roots, title_h1, embedded) else {
        return Err(input.error(ErrorKind::Empty));
    };
    if path == fallback::Path::Main {
        tracing::debug!(source = input.source, "read from the {}", path.as_str());
    } else {
        tracing::info!(source = input.source, "read from the {}", path.as_str());
    }
    let mut draft = Draft::new(input.id, input.source, Format::Html, title, sections);
    draft.url = input.url.map(str::to_string);
    draft.metadata = page.metadata;
    Ok(draft)
}

/// Helpers for the tests of every submodule: a page in, its draft out.
#[cfg(test)]
mod testing {
    use super::*;

    pub(super) fn page(src: &str) -> Draft {
        extract(&Input::new(
            "p.html",
            "web/p.html",
            crate::Format::Html,
            src.as_bytes(),
        ))
        .unwrap()
    }

    pub(super) fn outline(a: &Draft) -> Vec<String> {
        a.sections
            .iter()
            .map(|s| {
                format!(
                    "{}|{}|{}|{}",
                    s.level,
                    s.anchor,
                    s.path.join("/"),
                    s.heading.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    pub(super) fn body(src: &str) -> String {
        page(src).sections[0].text.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_pages_are_an_error_naming_the_source() {
        let e = extract(&Input::new(
            "e",
            "web/e.html",
            crate::Format::Html,
            b"<nav>only</nav>",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("web/e.html"), "{e}");
    }
}
