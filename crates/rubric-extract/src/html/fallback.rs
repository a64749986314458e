//! The fallback chain: what is read when the main content gives no text
//! (or a scrap) although the page has some, so that a page with an article
//! never yields nothing.
//!
//! [`read`] walks the chosen main content first ([`Path::Main`]). When that
//! gives less than [`MIN_TEXT`] characters it tries, in order:
//! - [`Path::Embedded`]: the `articleBody` of the page's JSON-LD article
//!   (plain text, or HTML read like the page), the publisher's own copy of
//!   the text, for pages whose markup hides it (blocks the usual rules
//!   drop, text filled in by scripts);
//! - [`Path::LargestBlock`]: the block with the most running text of its
//!   own on the page (a `<div>` of text and `<br>`s, a long `<p>`, a table
//!   cell), outside furniture, read with the usual rules;
//! - [`Path::Body`]: the whole `<body>` minus the obvious chrome (furniture
//!   by tag, role or hidden-ness, the site's header; see
//!   `boilerplate::is_chrome`), for pages whose text sits in blocks the
//!   usual rules drop.
//!
//! The embedded body and the largest block are taken only when they read
//! at least twice the text of the main content (a scrap of main content is not traded for a notice
//! of the same size); the body only when nothing else gave any text (a
//! short article is not traded for the whole page). Each walk costs only the pages that
//! need it; the path taken is logged at info level (`-v`). This module does
//! not choose the main content (`main_content`) or say what is furniture
//! (`boilerplate`).

use rubric_core::Section;
use rubric_core::text::escape_html;
use scraper::{ElementRef, Html};

use super::boilerplate::is_furniture;
use super::density::{Sizes, is_inline};
use super::tree::visit;
use super::walk::Walker;

/// Fewest characters of text from the main content under which the
/// fallbacks are tried (trafilatura's `MIN_EXTRACTED_SIZE` is 250).
pub(super) const MIN_TEXT: usize = 250;

/// Which part of the page the text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path {
    /// The main content (`main_content`).
    Main,
    /// The article body embedded in the page's JSON-LD.
    Embedded,
    /// The block with the most text of its own.
    LargestBlock,
    /// The whole `<body>` minus the obvious chrome.
    Body,
}

impl Path {
    /// The name said in the log.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Path::Main => "main content",
            Path::Embedded => "article body in the JSON-LD",
            Path::LargestBlock => "largest text block",
            Path::Body => "body minus chrome",
        }
    }
}

/// Reads the page into sections by the first path of the chain that gives
/// text (see the module doc), with the path taken; `None` when no path
/// gives anything at all. `embedded` is the JSON-LD article's body.
pub(super) fn read<'a>(
    sizes: &'a Sizes,
    body: ElementRef<'a>,
    roots: &[ElementRef<'a>],
    title_h1: Option<ElementRef<'a>>,
    embedded: Option<&str>,
) -> Option<(Vec<Section>, Path)> {
    let root_len = roots.iter().map(|r| sizes.text(*r)).sum();
    let mut best = Walker::new(sizes, title_h1, root_len);
    for root in roots {
        best.walk(*root);
    }
    best.close_section();
    let mut path = Path::Main;
    if best.text_len() < MIN_TEXT
        && let Some((sections, len)) = embedded.and_then(read_embedded)
        && len >= 2 * best.text_len().max(1)
    {
        return Some((sections, Path::Embedded));
    }
    let body_len = sizes.text(body);
    if best.text_len() < MIN_TEXT && body_len > best.text_len() {
        if let Some(block) = largest_block(sizes, body).filter(|b| !roots.contains(b)) {
            let mut walker = Walker::new(sizes, title_h1, sizes.text(block));
            walker.walk(block);
            walker.close_section();
            if walker.text_len() >= 2 * best.text_len().max(1) {
                best = walker;
                path = Path::LargestBlock;
            }
        }
        if best.text_len() == 0 {
            let mut walker = Walker::loose(sizes, title_h1, body_len);
            walker.walk(body);
            walker.close_section();
            if walker.text_len() > 0 {
                best = walker;
                path = Path::Body;
            }
        }
    }
    if best.out.is_empty() {
        return None;
    }
    Some((best.finish(), path))
}

/// The sections of a JSON-LD `articleBody` and the length of their text:
/// HTML is read like a page's main content; plain text becomes one
/// paragraph per line.
fn read_embedded(body: &str) -> Option<(Vec<Section>, usize)> {
    let looks_like_html = body.contains("</") || body.contains("<br");
    let html = if looks_like_html {
        body.to_string()
    } else {
        body.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| format!("<p>{}</p>", escape_html(line)))
            .collect()
    };
    let doc = Html::parse_fragment(&html);
    let sizes = Sizes::count(&doc);
    let root = doc.root_element();
    let mut walker = Walker::new(&sizes, None, sizes.text(root));
    walker.walk(root);
    let len = walker.text_len();
    (len > 0).then(|| (walker.finish(), len))
}

/// The block element with the most running text of its own (25 characters
/// or more, not mostly links), outside furniture; the first on a tie.
fn largest_block<'a>(sizes: &Sizes, body: ElementRef<'a>) -> Option<ElementRef<'a>> {
    let body_len = sizes.text(body);
    let mut best: Option<(usize, ElementRef<'a>)> = None;
    visit(body, &mut |el: ElementRef<'a>| {
        if is_furniture(sizes, el, body_len) {
            return false;
        }
        let name = el.value().name();
        let size = sizes.get(el);
        if !is_inline(name)
            && !matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
            && size.inline >= 25
            && size.inline_linked * 2 <= size.inline
            && best.is_none_or(|(len, _)| size.inline > len)
        {
            best = Some((size.inline, el));
        }
        size.inline < size.text
    });
    best.map(|(_, el)| el)
}

#[cfg(test)]
mod tests {
    use scraper::{Html, Selector};

    use super::super::testing::{outline, page};
    use super::*;

    /// The sections and path for `src` with the first match of `root` as
    /// the main content.
    fn read_from(src: &str, root: &str) -> (Vec<String>, Path) {
        let doc = Html::parse_document(src);
        let sizes = Sizes::count(&doc);
        let select = |s: &str| doc.select(&Selector::parse(s).unwrap()).next().unwrap();
        let (sections, path) = read(&sizes, select("body"), &[select(root)], None, None).unwrap();
        (sections.into_iter().map(|s| s.text).collect(), path)
    }

    const SENTENCE: &str = "A sentence of the story, with commas, clauses, and enough words. ";

    #[test]
    fn main_content_that_gives_text_is_read_as_it_is() {
        let story = format!("<p>{}</p>", SENTENCE.repeat(5));
        let src =
            format!("<body><div id=main>{story}</div><div>Elsewhere, more text.</div></body>");
        let (texts, path) = read_from(&src, "#main");
        assert_eq!(path, Path::Main);
        assert_eq!(texts, [SENTENCE.repeat(5).trim()]);
    }

    #[test]
    fn main_content_that_gives_nothing_falls_back_to_the_largest_text_block() {
        // The chosen container holds only a list of links; the story is a
        // cell of text and <br>s elsewhere.
        let links = r#"<ul><li><a href="/a">One</a></li><li><a href="/b">Two</a></li></ul>"#;
        let story = [SENTENCE; 4].join("<br>");
        let src = format!(
            "<body><div id=main>{links}</div><table><tr><td>{story}</td></tr></table></body>"
        );
        let (texts, path) = read_from(&src, "#main");
        assert_eq!(path, Path::LargestBlock);
        assert_eq!(texts[0].lines().count(), 4, "{texts:?}");
    }

    #[test]
    fn a_page_that_hides_its_text_is_read_from_its_json_ld_article_body() {
        // The story's blocks are all marked as ads, so the main content
        // gives only a scrap; the JSON-LD carries the publisher's copy.
        let story = SENTENCE.repeat(3);
        let src = format!(
            r#"<html><head><script type="application/ld+json">
            {{"@type": "NewsArticle", "headline": "Beef",
              "articleBody": "{story}\n\nSecond paragraph & more: {story}"}}</script></head>
            <body><main><p>Test: 3/5</p><div class="ad">{story}</div><div class="ad">{story}</div></main></body></html>"#
        );
        let a = page(&src);
        assert_eq!(a.sections.len(), 1);
        let lines: Vec<&str> = a.sections[0].text.lines().collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].starts_with("Second paragraph & more: A sentence"));
        // An HTML body is read like a page: its headings are sections.
        let src = format!(
            r#"<script type="application/ld+json">{{"@type": "BlogPosting",
              "articleBody": "<p>{story}</p><h2>Later</h2><p>{story}</p>"}}</script>
            <body><main><p>Loading…</p></main></body>"#
        );
        assert_eq!(outline(&page(&src)), ["1|||", "2|later||Later"]);
    }

    #[test]
    fn an_article_body_in_json_ld_is_not_read_when_the_page_gives_text() {
        let story = SENTENCE.repeat(5);
        let src = format!(
            r#"<script type="application/ld+json">{{"@type": "Article",
              "articleBody": "A teaser of the story, longer than it: {story} {story}"}}</script>
            <body><main><p>{story}</p></main></body>"#
        );
        assert_eq!(page(&src).sections[0].text, story.trim());
    }

    #[test]
    fn a_short_article_is_not_traded_for_a_block_of_the_same_size() {
        let src = "<body><div id=main><p>Short news: the bridge is open again.</p></div>\
                   <div><p>Cookie notice, and it is long enough to score as text.</p></div></body>";
        let (texts, path) = read_from(src, "#main");
        assert_eq!(path, Path::Main);
        assert_eq!(texts, ["Short news: the bridge is open again."]);
    }

    #[test]
    fn a_page_whose_text_is_all_in_marked_blocks_is_read_from_the_body_minus_chrome() {
        // Every block is marked by class (each with under half the text),
        // so the usual rules drop them all; the body is read without them,
        // still without the site's header and navigation.
        let a = page(
            r#"<body><header><a href="/">Site name</a></header><nav><a href="/x">Menu</a></nav>
            <div class="promo-box">How to sew a round tablecloth in seven steps.</div>
            <div class="sidebar">Measure the table first.</div>
            <div class="meta">Cut the fabric with a margin.</div></body>"#,
        );
        assert_eq!(outline(&a), ["1|||"]);
        assert_eq!(
            a.sections[0].text,
            "How to sew a round tablecloth in seven steps.\nMeasure the table first.\nCut the fabric with a margin."
        );
    }

    #[test]
    fn a_page_of_chrome_only_still_yields_nothing() {
        let doc = Html::parse_document("<body><nav>Home</nav><footer>(c) 2024</footer></body>");
        let sizes = Sizes::count(&doc);
        let body = doc
            .select(&Selector::parse("body").unwrap())
            .next()
            .unwrap();
        assert!(read(&sizes, body, &[body], None, None).is_none());
    }
}
