//! HTML extraction with scraper (html5ever): the page's title, its main
//! content, and the headings and text lines in it.
//!
//! This module owns these choices:
//! - the title: the longest `<h1>` that `og:title` or `<title>` repeats
//!   (inside the main content first), else the first `<h1>` of the main
//!   content, else the first on the page when there is no `og:title`, else
//!   `og:title`, else `<title>`, else the file name; `<h1>`s above the
//!   title's are mastheads and dropped;
//! - the main content: the `<main>` (or `role=main`) with the most text, else
//!   the `<article>` with the most text, else the densest run of paragraphs
//!   (readability-style scores; an article split into chunks of one
//!   component at different depths is read from their common container),
//!   else `<body>`;
//! - the walk over it: furniture is dropped (the `boilerplate` module), and so are
//!   blocks that are mostly links (related stories, tags, pagers), promo
//!   lines ("Also: <a>Another story</a>") and bylines and datelines (unless
//!   three or more run together: a schedule); `h1`–`h6` become sections (the
//!   title `<h1>` excepted) anchored on their own `id` (or that of an `<a
//!   id|name>` inside or just before them), and text comes out one line per
//!   block: block elements and `<br>` end a line, list items keep `- ` /
//!   `N. `, table rows join their cells with ` | `, a `<pre>` is one block
//!   that keeps its lines and indentation.
//!
//! Metadata comes from `<meta name=keywords>` (tags), the published-time and
//! date metas (date) and `<html lang>` (language). The article URL is left to
//! the caller; [`canonical_url`] reads `<link rel=canonical>` for it.
//!
//! It does not own the outline rules ([`rubric_core::SectionBuilder`]),
//! fetching, or character sets other than UTF-8 ([`crate::decode_text`]).
//! The page is parsed once; text and link sizes are counted once, bottom-up.
//! The walk is iterative, so deep pages cannot overflow the stack; pages over
//! [`MAX_HTML_BYTES`] or nesting deeper than [`MAX_NESTING`] (where the
//! parser's time grows with the square of the depth) are refused with an
//! error naming the source. html5ever repairs malformed markup the way
//! browsers do.

mod boilerplate;

use std::collections::HashMap;

use rubric_core::text::{collapse, drop_zero_width};
use rubric_core::{Format, Metadata, SectionBuilder};
use scraper::{ElementRef, Html, Node};

use crate::{Draft, ErrorKind, ExtractError, Input, dateline, decode_text, title_from_source};
use boilerplate::Verdict;

/// Extracts one article from an HTML page. Errors when the bytes are not
/// UTF-8 text, or when the main content has no text at all.
pub(crate) fn extract(input: &Input<'_>) -> Result<Draft, ExtractError> {
    if input.bytes.len() > MAX_HTML_BYTES {
        return Err(input.error(ErrorKind::TooLarge {
            size: input.bytes.len(),
            limit: MAX_HTML_BYTES,
        }));
    }
    let src = decode_text(input.source, input.bytes)?;
    let depth = nesting_depth(src);
    if depth > MAX_NESTING {
        return Err(input.error(ErrorKind::TooDeep {
            depth,
            limit: MAX_NESTING,
        }));
    }
    let doc = Html::parse_document(src);
    let sizes = Sizes::count(&doc);
    let page = Page::read(&doc, &sizes);
    let roots = page.main_content();
    let title_h1 = page.title_h1(&roots);
    let title = title_h1
        .map(heading_text)
        .or_else(|| page.og_title.clone())
        .or_else(|| page.title.clone())
        .unwrap_or_else(|| title_from_source(input.source));

    let root_len = roots.iter().map(|r| sizes.text(*r)).sum();
    let mut walker = Walker::new(&sizes, title_h1, root_len);
    for root in roots {
        walker.walk(root);
    }
    if walker.out.is_empty() {
        return Err(input.error(ErrorKind::Empty));
    }
    let sections = walker.out.finish();
    let mut draft = Draft::new(input.id, input.source, Format::Html, title, sections);
    draft.url = input.url.map(str::to_string);
    draft.metadata = page.metadata;
    Ok(draft)
}

/// Largest page read, in bytes: a bigger one is an error rather than minutes
/// of parsing (real article pages are well under 5 MB).
pub const MAX_HTML_BYTES: usize = 32 << 20;

/// Deepest element nesting read. The HTML parser checks the stack of open
/// elements at each tag, so its time grows with the square of the depth
/// (100,000 nested `<div>`s take minutes); real pages nest a few hundred deep.
pub const MAX_NESTING: usize = 4096;

/// The deepest nesting of elements the markup asks for, estimated in one
/// pass over the bytes: start tags open, end tags close; void elements,
/// self-closed tags, elements that close themselves (`p`, `li`, cells,
/// options), comments, doctypes and the insides of `<script>` and `<style>`
/// do not count.
fn nesting_depth(src: &str) -> usize {
    const SELF_CLOSING: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
        b"source", b"track", b"wbr", b"p", b"li", b"td", b"th", b"tr", b"dt", b"dd", b"option",
        b"param", b"keygen",
    ];
    let bytes = src.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        i += offset + 1;
        if bytes[i..].starts_with(b"!--") {
            i = find_ci(&bytes[i..], b"-->").map_or(bytes.len(), |p| i + p);
            continue;
        }
        let closing = bytes.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let name_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = bytes[start..start + name_len].to_ascii_lowercase();
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(bytes.len(), |p| start + p);
        let self_closed = end > 0 && bytes.get(end - 1) == Some(&b'/');
        i = end;
        if closing {
            if !SELF_CLOSING.contains(&name.as_slice()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if name == b"script" || name == b"style" {
            let close: &[u8] = if name == b"script" {
                b"</script"
            } else {
                b"</style"
            };
            i = find_ci(&bytes[i..], close).map_or(bytes.len(), |p| i + p);
            continue;
        }
        if !self_closed && !SELF_CLOSING.contains(&name.as_slice()) {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// Where `needle` (lower-case ASCII) first occurs in `hay`, ignoring case.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Text and link sizes of every element, counted once, bottom-up, so that
/// "how much text is under this element" costs a look-up, not a walk. Keyed
/// by the address of the node in the parsed tree, which never moves.
#[derive(Debug, Default)]
struct Sizes(HashMap<usize, Size>);

/// The key of a node in [`Sizes`].
fn key(node: &Node) -> usize {
    std::ptr::from_ref(node) as usize
}

/// What is under one element.
#[derive(Debug, Default, Clone, Copy)]
struct Size {
    /// Visible characters (no white space, scripts or styles).
    text: usize,
    /// Of those, the characters inside links to elsewhere (not `#fragment`).
    linked: usize,
    /// Links to elsewhere.
    links: usize,
}

impl Sizes {
    fn count(doc: &Html) -> Sizes {
        let nodes: Vec<_> = doc.tree.root().descendants().collect();
        let mut map: HashMap<usize, Size> = HashMap::with_capacity(nodes.len());
        // In reverse document order every node comes after all it holds.
        for node in nodes.into_iter().rev() {
            let Some(parent) = node.parent() else {
                continue;
            };
            let own = match node.value() {
                Node::Text(text) => {
                    let hidden = parent.value().as_element().is_some_and(|e| {
                        matches!(e.name(), "script" | "style" | "noscript" | "template")
                    });
                    if hidden {
                        continue;
                    }
                    let text = text.chars().filter(|c| !c.is_whitespace()).count();
                    Size {
                        text,
                        ..Size::default()
                    }
                }
                Node::Element(el) => {
                    let mut size = map.get(&key(node.value())).copied().unwrap_or_default();
                    let outward = el
                        .attr("href")
                        .is_some_and(|h| !h.trim_start().starts_with('#'));
                    if el.name() == "a" && outward {
                        size.linked = size.text;
                        size.links += 1;
                    }
                    size
                }
                _ => continue,
            };
            let up = map.entry(key(parent.value())).or_default();
            up.text += own.text;
            up.linked += own.linked;
            up.links += own.links;
        }
        Sizes(map)
    }

    fn get(&self, el: ElementRef<'_>) -> Size {
        self.0.get(&key((*el).value())).copied().unwrap_or_default()
    }

    fn text(&self, el: ElementRef<'_>) -> usize {
        self.get(el).text
    }

    /// Share of an element's text that is inside links.
    fn link_density(&self, el: ElementRef<'_>) -> f64 {
        let size = self.get(el);
        if size.text == 0 {
            return 0.0;
        }
        (size.linked as f64 / size.text as f64).min(1.0)
    }
}

/// The page's `<link rel=canonical href>`, if it has one (for the fetcher,
/// which decides the article URL).
pub fn canonical_url(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    doc.root_element()
        .descendent_elements()
        .filter(|el| el.value().name() == "link")
        .find(|el| {
            el.value().attr("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|el| el.value().attr("href"))
        .map(str::trim)
        .filter(|href| !href.is_empty())
        .map(str::to_string)
}

/// What one pass over the document finds.
#[derive(Debug)]
struct Page<'a> {
    sizes: &'a Sizes,
    html: ElementRef<'a>,
    body: Option<ElementRef<'a>>,
    mains: Vec<ElementRef<'a>>,
    articles: Vec<ElementRef<'a>>,
    first_h1: Option<ElementRef<'a>>,
    /// Every `<h1>` with text, in document order.
    h1s: Vec<ElementRef<'a>>,
    title: Option<String>,
    og_title: Option<String>,
    metadata: Metadata,
}

impl<'a> Page<'a> {
    fn read(doc: &'a Html, sizes: &'a Sizes) -> Page<'a> {
        let html = doc.root_element();
        let mut page = Page {
            sizes,
            html,
            body: None,
            mains: Vec::new(),
            articles: Vec::new(),
            first_h1: None,
            h1s: Vec::new(),
            title: None,
            og_title: None,
            metadata: Metadata {
                language: html
                    .value()
                    .attr("lang")
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
                ..Metadata::default()
            },
        };
        for el in html.descendent_elements() {
            let v = el.value();
            match v.name() {
                "body" if page.body.is_none() => page.body = Some(el),
                "main" => page.mains.push(el),
                "article" => page.articles.push(el),
                "h1" if !heading_text(el).is_empty() => {
                    page.first_h1.get_or_insert(el);
                    page.h1s.push(el);
                }
                "title" if page.title.is_none() => {
                    page.title =
                        Some(collapse(&el.text().collect::<String>())).filter(|t| !t.is_empty())
                }
                "meta" => page.meta(v),
                _ => {
                    if v.attr("role")
                        .is_some_and(|r| r.trim().eq_ignore_ascii_case("main"))
                    {
                        page.mains.push(el);
                    }
                }
            }
        }
        page
    }

    fn meta(&mut self, v: &scraper::node::Element) {
        let Some(content) = v.attr("content").map(str::trim).filter(|c| !c.is_empty()) else {
            return;
        };
        let key = v
            .attr("property")
            .or_else(|| v.attr("name"))
            .or_else(|| v.attr("itemprop"))
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match key.as_str() {
            "og:title" if self.og_title.is_none() => self.og_title = Some(collapse(content)),
            "keywords" if self.metadata.tags.is_empty() => {
                self.metadata.tags = content
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "article:published_time"
            | "date"
            | "datepublished"
            | "dc.date"
            | "dcterms.date"
            | "pubdate"
            // The published time wins over the looser `date` metas.
            | "publishdate"
                if self.metadata.date.is_none() || key == "article:published_time" =>
            {
                self.metadata.date = Some(content.to_string());
            }
            _ => {}
        }
    }

    /// The containers of the main content, in document order: the `<main>`
    /// (or `role=main`) with the most text, else the `<article>` with the
    /// most text (the one holding the title `<h1>` when it has a fair share),
    /// else the densest run of paragraphs ([`densest`]), else `<body>`.
    /// Candidates inside furniture (a comment `<article>`, an `<aside>`) do not count.
    fn main_content(&self) -> Vec<ElementRef<'a>> {
        let body = self.body.unwrap_or(self.html);
        let sizes = self.sizes;
        let text_len = |el: ElementRef<'a>| sizes.text(el);
        let body_len = text_len(body);
        let dense = densest(sizes, body, body_len);
        let live = |els: &[ElementRef<'a>]| -> Vec<ElementRef<'a>> {
            els.iter()
                .copied()
                .filter(|el| !in_furniture(sizes, *el, body_len))
                .collect()
        };
        let holds_title = |el: ElementRef<'a>| {
            self.first_h1
                .is_some_and(|h1| h1.ancestors().any(|a| a == *el))
        };
        let articles = live(&self.articles);
        let candidate = most_text(sizes, &live(&self.mains)).or_else(|| {
            let best = most_text(sizes, &articles)?;
            let with_title = articles
                .iter()
                .copied()
                .find(|a| holds_title(*a) && text_len(*a) >= 200.min(text_len(best)));
            Some(with_title.unwrap_or(best))
        });
        match (candidate, dense.first()) {
            (Some(c), Some(&top)) => {
                // A container that holds the title, or holds (or sits in)
                // the densest text, is trusted; one beside it that holds far
                // less text than the dense part is a teaser or a widget.
                let related = top.ancestors().any(|a| a == *c)
                    || c.ancestors().any(|a| a == *top)
                    || c == top;
                let dense_len: usize = dense.iter().map(|d| text_len(*d)).sum();
                if holds_title(c) || related || dense_len <= 2 * text_len(c) {
                    vec![c]
                } else {
                    dense
                }
            }
            (Some(c), None) => vec![c],
            (None, Some(_)) => dense,
            (None, None) => vec![body],
        }
    }

    /// The title `<h1>`: the longest `<h1>` whose text the page's
    /// `og:title` or `<title>` repeats (they often add the site's name: "Story
    /// | Site"), inside the main content first; else the first inside the
    /// main content; else the first on the page when there is no `og:title`
    /// (an `<h1>` outside the main content is often the site's name).
    fn title_h1(&self, roots: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
        let in_roots = |h1: &&ElementRef<'a>| {
            roots
                .iter()
                .any(|root| h1.ancestors().any(|a| a == **root) || *h1 == root)
        };
        let names: Vec<String> = [&self.og_title, &self.title]
            .into_iter()
            .flatten()
            .map(|t| t.to_lowercase())
            .collect();
        let named = |h1: &&ElementRef<'a>| {
            let text = heading_text(**h1).to_lowercase();
            names.iter().any(|n| n.contains(&text))
        };
        let longest = |h1s: Vec<&ElementRef<'a>>| {
            h1s.into_iter()
                .max_by_key(|h1| heading_text(**h1).chars().count())
                .copied()
        };
        longest(self.h1s.iter().filter(in_roots).filter(named).collect())
            .or_else(|| longest(self.h1s.iter().filter(named).collect()))
            .or_else(|| self.h1s.iter().find(in_roots).copied())
            .or(self.first_h1.filter(|_| self.og_title.is_none()))
    }
}

/// True when an ancestor of `el` (below `<body>`) is furniture; one marked
/// only by class or id counts when it holds at most half of the page's text.
fn in_furniture(sizes: &Sizes, el: ElementRef<'_>, body_len: usize) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .filter(|a| !matches!(a.value().name(), "body" | "html"))
        .any(|a| is_furniture(sizes, a, body_len))
}

/// The walker's rule for one element, with `total` the text around it: an
/// element marked only by class or id is furniture unless it holds most of
/// that text, or an `<article>`, `<main>` or `<h1>` (a layout wrapper such
/// as `theiaStickySidebar` around the story column).
fn is_furniture(sizes: &Sizes, el: ElementRef<'_>, total: usize) -> bool {
    match boilerplate::verdict(el.value()) {
        Verdict::Keep => false,
        Verdict::Furniture => true,
        Verdict::Marked => {
            sizes.text(el) * 2 <= total
                && !el
                    .descendent_elements()
                    .skip(1)
                    .any(|d| matches!(d.value().name(), "article" | "main" | "h1"))
        }
    }
}

/// Visits the elements under `root` in document order without recursion,
/// going into an element only when `enter` returns true.
fn visit<'a>(root: ElementRef<'a>, mut enter: impl FnMut(ElementRef<'a>) -> bool) {
    let root_id = root.id();
    let mut node = *root;
    loop {
        let into = node.id() == root_id || ElementRef::wrap(node).is_some_and(&mut enter);
        if into && let Some(child) = node.first_child() {
            node = child;
            continue;
        }
        loop {
            if node.id() == root_id {
                return;
            }
            if let Some(next) = node.next_sibling() {
                node = next;
                break;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => return,
            }
        }
    }
}

/// Readability-style choice for the main content: each paragraph (`p`,
/// `pre`, `blockquote` with 25+ characters of mostly unlinked text, outside
/// furniture) gives points to its parent and half to its grandparent; the
/// best-scoring container wins, with its siblings that score at least a
/// fifth as well (article bodies split by ad slots). Empty when no element
/// scores.
fn densest<'a>(sizes: &Sizes, body: ElementRef<'a>, body_len: usize) -> Vec<ElementRef<'a>> {
    let mut scores = HashMap::new();
    visit(body, |el| {
        if is_furniture(sizes, el, body_len) {
            return false;
        }
        if !matches!(el.value().name(), "p" | "pre" | "blockquote") {
            return true;
        }
        let len = sizes.text(el);
        if len < 25 || sizes.link_density(el) > 0.5 {
            return false;
        }
        let commas = el
            .text()
            .map(|t| t.matches([',', '\u{3001}', '\u{ff0c}']).count())
            .sum::<usize>();
        let points = 1.0 + commas as f64 + (len as f64 / 100.0).min(3.0);
        let mut up = el.ancestors().filter_map(ElementRef::wrap);
        if let Some(parent) = up.next() {
            scores.entry(parent.id()).or_insert((parent, 0.0)).1 += points;
            if let Some(grand) = up.next() {
                scores.entry(grand.id()).or_insert((grand, 0.0)).1 += points / 2.0;
            }
        }
        false
    });
    let scored: Vec<(ElementRef<'_>, f64)> = scores
        .into_values()
        .map(|(el, s)| (el, s * (1.0 - sizes.link_density(el))))
        .collect();
    let Some(&(top, top_score)) = scored.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
        return Vec::new();
    };
    let Some(parent) = top.parent() else {
        return vec![top];
    };
    let threshold = (top_score * 0.2).max(10.0);
    if let Some(common) = split_article(sizes, top, &scored, threshold) {
        return vec![common];
    }
    parent
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|sib| {
            *sib == top
                || scored.iter().any(|(el, s)| el == sib && *s >= threshold)
                || (sib.value().name() == "p"
                    && sizes.text(*sib) >= 80
                    && sizes.link_density(*sib) < 0.25)
        })
        .collect()
}

/// An article body split into chunks made by one component (the same tag
/// and `class`) at different depths, with figures, quotes or subheads
/// between them: the nearest element holding the best chunk and every other
/// chunk that scores at least `threshold`, when it is not `<body>` and the
/// chunks hold at least half of its text.
fn split_article<'a>(
    sizes: &Sizes,
    top: ElementRef<'a>,
    scored: &[(ElementRef<'a>, f64)],
    threshold: f64,
) -> Option<ElementRef<'a>> {
    let class = top
        .value()
        .attr("class")
        .map(str::trim)
        .filter(|c| !c.is_empty())?;
    let name = top.value().name();
    let chunks: Vec<ElementRef<'a>> = scored
        .iter()
        .filter(|(el, score)| {
            *el != top
                && *score >= threshold
                && el.value().name() == name
                && el.value().attr("class").map(str::trim) == Some(class)
        })
        .map(|(el, _)| *el)
        .collect();
    if chunks.is_empty() {
        return None;
    }
    let chain: Vec<ElementRef<'a>> = top.ancestors().filter_map(ElementRef::wrap).collect();
    let mut depth = 0;
    for chunk in &chunks {
        let meet = chunk
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find_map(|a| chain.iter().position(|c| *c == a))?;
        depth = depth.max(meet);
    }
    let common = *chain.get(depth)?;
    let held: usize = chunks.iter().chain([&top]).map(|c| sizes.text(*c)).sum();
    (!matches!(common.value().name(), "body" | "html") && held * 2 >= sizes.text(common))
        .then_some(common)
}

/// The element with the most text, if any has text.
fn most_text<'a>(sizes: &Sizes, els: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
    els.iter()
        .map(|&el| (sizes.text(el), el))
        .filter(|(len, _)| *len > 0)
        .max_by_key(|(len, _)| *len)
        .map(|(_, el)| el)
}

/// A heading's text, whitespace collapsed, permalink marks (`¶`, `#`, `§`) trimmed.
fn heading_text(el: ElementRef<'_>) -> String {
    let text = collapse(&el.text().collect::<String>());
    text.trim_matches(|c: char| matches!(c, '¶' | '§' | '#' | '🔗') || c.is_whitespace())
        .to_string()
}

/// Elements that end a line before and after them.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "tr"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "caption"
            | "pre"
            | "blockquote"
            | "figure"
            | "hr"
            | "address"
            | "details"
            | "summary"
            | "center"
            | "fieldset"
            | "legend"
            | "hgroup"
            | "body"
            | "html"
    )
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// A heading being read.
#[derive(Debug)]
struct Heading {
    level: u8,
    id: Option<String>,
    text: String,
}

/// Walks the main content and feeds the section builder.
#[derive(Debug)]
struct Walker<'a> {
    sizes: &'a Sizes,
    out: SectionBuilder,
    line: String,
    item_prefix: Option<String>,
    /// Open lists, innermost last: the next number for `<ol>`, `None` for `<ul>`.
    lists: Vec<Option<u64>>,
    heading: Option<Heading>,
    /// Depth of `<pre>`: whitespace is kept.
    pre: usize,
    /// Cells seen in the current table row.
    cells: usize,
    /// Depth of `<table>` and `<blockquote>`: rows and quotes are content,
    /// never datelines.
    tables: usize,
    /// Bylines and datelines held back: dropped when the next line is not
    /// one, kept when they run to [`MIN_DATE_RUN`] lines (a schedule).
    held: Vec<String>,
    /// The title `<h1>`, which is not a section.
    title_h1: Option<ElementRef<'a>>,
    /// The walk has passed the title `<h1>`.
    title_seen: bool,
    /// The id of an empty `<a id|name>` seen since the last text.
    pending_anchor: Option<String>,
    /// Text length of the main content.
    root_len: usize,
}

impl<'a> Walker<'a> {
    fn new(sizes: &'a Sizes, title_h1: Option<ElementRef<'a>>, root_len: usize) -> Walker<'a> {
        Walker {
            sizes,
            out: SectionBuilder::new(),
            line: String::new(),
            item_prefix: None,
            lists: Vec::new(),
            heading: None,
            pre: 0,
            cells: 0,
            tables: 0,
            held: Vec::new(),
            title_h1,
            title_seen: false,
            pending_anchor: None,
            root_len,
        }
    }

    /// Visits the tree under `root` in document order without recursion:
    /// `enter` says whether to go into an element, `leave` closes it.
    fn walk(&mut self, root: ElementRef<'a>) {
        let root_id = root.id();
        let mut node = *root;
        loop {
            let entered = match ElementRef::wrap(node) {
                Some(el) => node.id() == root_id || self.enter(el),
                None => {
                    self.leaf(node.value());
                    false
                }
            };
            if entered {
                if let Some(child) = node.first_child() {
                    node = child;
                    continue;
                }
                if let Some(el) = ElementRef::wrap(node).filter(|_| node.id() != root_id) {
                    self.leave(el);
                }
            }
            // Climb until a next sibling, closing the parents left behind.
            loop {
                if node.id() == root_id {
                    self.flush();
                    self.release_held();
                    return;
                }
                if let Some(next) = node.next_sibling() {
                    node = next;
                    break;
                }
                match node.parent() {
                    Some(parent) => node = parent,
                    None => {
                        self.flush();
                        self.release_held();
                        return;
                    }
                }
                if let Some(el) = ElementRef::wrap(node).filter(|_| node.id() != root_id) {
                    self.leave(el);
                }
            }
        }
    }

    fn leaf(&mut self, node: &Node) {
        if let Node::Text(text) = node {
            self.text(text);
        }
    }

    /// Opens an element; false when it is skipped with all it holds.
    fn enter(&mut self, el: ElementRef<'a>) -> bool {
        let v = el.value();
        let name = v.name();
        if is_furniture(self.sizes, el, self.root_len) || self.is_link_block(el) {
            return false;
        }
        if Some(el) == self.title_h1 {
            self.flush();
            self.title_seen = true;
            return false;
        }
        // An `<h1>` above the title's is a masthead (the site's name).
        if name == "h1" && self.title_h1.is_some() && !self.title_seen {
            return false;
        }
        if let Some(level) = heading_level(name)
            && self.heading.is_none()
        {
            self.flush();
            let id = v
                .id()
                .map(str::to_string)
                .or_else(|| inner_anchor(el))
                .or_else(|| self.pending_anchor.take());
            self.heading = Some(Heading {
                level,
                id,
                text: String::new(),
            });
            return true;
        }
        if name == "a"
            && self.heading.is_none()
            && let Some(id) = v.id().or_else(|| v.attr("name"))
            && self.sizes.text(el) == 0
            && !id.trim().is_empty()
        {
            self.pending_anchor = Some(id.trim().to_string());
        }
        match name {
            "br" => self.line_break(),
            "hr" => self.flush(),
            "img" => {}
            "pre" => {
                self.flush();
                self.pre += 1;
            }
            "ul" | "ol" => {
                self.flush();
                let start = (name == "ol").then(|| {
                    v.attr("start")
                        .and_then(|s| s.trim().parse::<u64>().ok())
                        .unwrap_or(1)
                });
                self.lists.push(start);
            }
            "li" => {
                self.flush();
                let prefix = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let p = format!("{n}. ");
                        *n += 1;
                        p
                    }
                    _ => "- ".to_string(),
                };
                self.item_prefix = Some(prefix);
            }
            "tr" => {
                self.flush();
                self.cells = 0;
            }
            "table" | "blockquote" => {
                self.flush();
                self.tables += 1;
            }
            "td" | "th" => {
                if self.cells > 0 && !self.line.trim().is_empty() {
                    self.line.push_str(" | ");
                }
                self.cells += 1;
            }
            _ if is_block(name) => self.flush(),
            _ => {}
        }
        true
    }

    /// Closes an element that was entered.
    fn leave(&mut self, el: ElementRef<'a>) {
        let name = el.value().name();
        if heading_level(name).is_some() && self.heading.is_some() {
            self.release_held();
            if let Some(h) = self.heading.take() {
                let text = collapse(&h.text);
                let text = text.trim_matches(|c: char| {
                    matches!(c, '¶' | '§' | '#' | '🔗') || c.is_whitespace()
                });
                if !text.is_empty() {
                    self.out.push_heading(h.level, text, h.id.as_deref());
                }
            }
            return;
        }
        match name {
            "pre" => {
                self.flush();
                self.pre = self.pre.saturating_sub(1);
            }
            "table" | "blockquote" => {
                self.flush();
                self.tables = self.tables.saturating_sub(1);
            }
            "ul" | "ol" => {
                self.flush();
                self.lists.pop();
            }
            "li" => {
                self.flush();
                self.item_prefix = None;
            }
            _ if is_block(name) => self.flush(),
            _ => {}
        }
    }

    fn text(&mut self, s: &str) {
        if let Some(h) = self.heading.as_mut() {
            h.text.push_str(s);
            return;
        }
        if !s.trim().is_empty() {
            self.pending_anchor = None;
            if self.line.trim().is_empty()
                && let Some(prefix) = self.item_prefix.take()
            {
                self.line.clear();
                self.line.push_str(&prefix);
            }
        }
        self.line.push_str(s);
    }

    fn line_break(&mut self) {
        if let Some(h) = self.heading.as_mut() {
            h.text.push(' ');
        } else if self.pre > 0 {
            self.line.push('\n');
        } else {
            self.flush();
        }
    }

    /// Ends the current line: a `<pre>` goes out as one block with its
    /// lines and their indentation; any other line with its white space
    /// collapsed, unless it is a byline or dateline outside a table.
    fn flush(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let line = collapse(&self.line);
        let meta = self.pre == 0
            && self.tables == 0
            && (dateline::is_dateline(&line) || dateline::is_byline(&line));
        if meta {
            self.held.push(line);
            self.line.clear();
            return;
        }
        self.release_held();
        if self.pre > 0 {
            let block = drop_zero_width(&self.line);
            let lines: Vec<&str> = block.lines().map(str::trim_end).collect();
            let first = lines.iter().position(|l| !l.trim().is_empty());
            let last = lines.iter().rposition(|l| !l.trim().is_empty());
            if let (Some(first), Some(last)) = (first, last) {
                self.out.push_text(&lines[first..=last].join("\n"));
            }
        } else {
            self.out.push_text(&line);
        }
        self.line.clear();
    }

    /// Settles the held bylines and datelines before other content: a run
    /// of [`MIN_DATE_RUN`] or more is kept (a schedule, a timeline), fewer
    /// are dropped.
    fn release_held(&mut self) {
        if self.held.len() >= MIN_DATE_RUN {
            for line in &self.held {
                self.out.push_text(line);
            }
        }
        self.held.clear();
    }

    /// A block that is mostly links to elsewhere: a list or panel of related
    /// stories, tags, a pager, or a lone "Also: <a>Another story</a>" line.
    /// Kept when it holds the title or most of the main content.
    fn is_link_block(&self, el: ElementRef<'a>) -> bool {
        let name = el.value().name();
        if !matches!(
            name,
            "p" | "div" | "section" | "ul" | "ol" | "dl" | "li" | "table" | "span"
        ) {
            return false;
        }
        let size = self.sizes.get(el);
        if size.links == 0 || size.text * 2 > self.root_len {
            return false;
        }
        let density = size.linked as f64 / size.text.max(1) as f64;
        let list_of_links = size.links >= 2 && density > 0.5;
        (list_of_links || (size.links == 1 && density > 0.6 && is_promo_line(el)))
            && !el
                .descendent_elements()
                .any(|d| matches!(d.value().name(), "h1" | "article" | "main"))
    }
}

/// Fewest datelines in a row that are content (tour dates, a timeline).
const MIN_DATE_RUN: usize = 3;

/// Most words of the label of a promo line ("See also:").
const MAX_PROMO_LABEL_WORDS: usize = 3;

/// A promo line for another story: a short label ending with a colon and a
/// headline that is all one link and ends the line without a sentence end
/// ("Also: <a>Our guide to X</a>", "Related: <a>Ten facts about Y</a>").
/// A sentence that carries a link ("Tip: <a>read more here</a>!") is not one.
fn is_promo_line(el: ElementRef<'_>) -> bool {
    let text = collapse(&el.text().collect::<String>());
    let Some(link) = el
        .descendent_elements()
        .find(|d| d.value().name() == "a" && d.value().attr("href").is_some())
    else {
        return false;
    };
    let link_text = collapse(&link.text().collect::<String>());
    let Some(label) = text.strip_suffix(link_text.as_str()) else {
        return false;
    };
    let label = label.trim();
    label.ends_with(':')
        && label.split_whitespace().count() <= MAX_PROMO_LABEL_WORDS
        && link_text.split_whitespace().count() >= 3
        && !link_text.ends_with(['.', '!', '?'])
}

/// The id of an element inside a heading that carries one (`<a name>`,
/// `<span id>`), for headings without their own.
fn inner_anchor(heading: ElementRef<'_>) -> Option<String> {
    heading.descendent_elements().skip(1).find_map(|el| {
        let v = el.value();
        let id = v
            .id()
            .or_else(|| (v.name() == "a").then(|| v.attr("name")).flatten())?;
        Some(id.trim().to_string()).filter(|id| !id.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(src: &str) -> Draft {
        extract(&Input::new(
            "p.html",
            "web/p.html",
            crate::Format::Html,
            src.as_bytes(),
        ))
        .unwrap()
    }

    fn outline(a: &Draft) -> Vec<String> {
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

    fn body(src: &str) -> String {
        page(src).sections[0].text.clone()
    }

    #[test]
    fn lists_and_panels_of_links_are_dropped() {
        let p = "<p>A long enough paragraph of the story itself, with words.</p>";
        let related = r#"<div><h3>Most read</h3><ul><li><a href="/a">One story</a></li><li><a href="/b">Two</a></li></ul></div>"#;
        assert_eq!(
            body(&format!("<article>{p}{related}{p}</article>"))
                .lines()
                .count(),
            2
        );
        let toc =
            r##"<ul><li><a href="#a">Part A of it</a></li><li><a href="#b">Part B</a></li></ul>"##;
        assert!(body(&format!("<article>{p}{toc}</article>")).contains("- Part B"));
    }

    #[test]
    fn promo_lines_are_dropped_but_linked_sentences_and_products_kept() {
        let p = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = |x: &str| body(&format!("<article>{p}<p>{x}</p></article>"));
        assert_eq!(
            a(r#"<b>Also:</b> <a href="/x">Our guide to the best phones</a>"#)
                .lines()
                .count(),
            1
        );
        assert!(a(r#"Tip: <a href="/x">Get more meal ideas here</a>!"#).ends_with("here!"));
        assert!(a(r#"<a href="/shop">Acme Protein Powder</a>"#).ends_with("Powder"));
    }

    #[test]
    fn bylines_and_datelines_are_dropped() {
        let a = body(
            "<article><p>By Jane Doe</p><p><time>November 12, 2018</time> | Updated 3 hours ago</p>\
             <p>The story starts here.</p><p>First published on Nov 20, 2019 01:38 pm</p></article>",
        );
        assert_eq!(a, "The story starts here.");
    }

    #[test]
    fn runs_of_dates_and_quoted_dates_are_content() {
        let tour = "<ul><li>June 9 - Tampa, FL</li><li>June 10 - Miami, FL</li><li>June 12 - Austin, TX</li></ul>";
        assert_eq!(
            body(&format!("<p>Tour dates:</p>{tour}")).lines().count(),
            4
        );
        let quote = "<blockquote><p>We won!</p>- The Team (@team) October 9, 2018</blockquote>";
        assert!(body(quote).ends_with("October 9, 2018"));
    }

    #[test]
    fn pre_keeps_its_indentation() {
        assert_eq!(
            body("<pre>\nif x {\n    y();\n}\n</pre>"),
            "if x {\n    y();\n}"
        );
    }

    #[test]
    fn og_title_wins_over_an_h1_outside_the_main_content() {
        let src = r#"<head><meta property="og:title" content="The Story"></head>
            <body><header><h1>My Blog</h1></header><article><h2>Part</h2><p>x</p></article></body>"#;
        assert_eq!(page(src).title, "The Story");
        assert_eq!(
            page("<h1>Site</h1><article><p>x</p></article>").title,
            "Site"
        );
    }

    #[test]
    fn nesting_is_estimated_without_parsing() {
        assert_eq!(
            nesting_depth("<div><p>a<p>b<br><img src=x/></div><div><b>c</b></div>"),
            2
        );
        assert_eq!(
            nesting_depth("<script>if (a<b) { x = '<div>'; }</script><i>x</i>"),
            1
        );
        assert_eq!(nesting_depth(&"<div>".repeat(50)), 50);
        assert_eq!(nesting_depth("<!-- <div> --> a < b"), 0);
    }

    #[test]
    fn absurdly_deep_pages_are_an_error_not_minutes() {
        let deep = "<div>".repeat(200_000) + "x";
        let e = extract(&Input::new(
            "d",
            "web/deep.html",
            crate::Format::Html,
            deep.as_bytes(),
        ))
        .unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::TooDeep { .. }) && e.to_string().contains("web/deep.html")
        );
    }

    #[test]
    fn huge_pages_are_an_error_naming_the_source() {
        let big = vec![b'a'; MAX_HTML_BYTES + 1];
        let e = extract(&Input::new("b", "web/big.html", crate::Format::Html, &big)).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::TooLarge { .. }) && e.to_string().contains("web/big.html")
        );
    }

    #[test]
    fn an_article_split_across_depths_is_read_whole() {
        let para =
            "<p>A sentence of the story, with commas, clauses, and enough words to count.</p>";
        let chunk = format!(r#"<div class="story-body">{}</div>"#, para.repeat(4));
        let src = format!(
            r#"<body><div class="page"><div class="intro"><div>{chunk}</div></div>
            <section><h2>Part two</h2><div>{chunk}</div></section></div><div>{para}</div></body>"#
        );
        let a = page(&src);
        assert_eq!(a.sections.len(), 2);
        assert_eq!(a.sections[0].text.lines().count(), 4);
        assert_eq!(a.sections[1].heading.as_deref(), Some("Part two"));
    }

    #[test]
    fn the_h1_that_the_title_tag_repeats_is_the_title_and_a_masthead_h1_is_dropped() {
        let src = r#"<head><title>Big News - My Blog</title></head><body><div>
            <h1>My Blog</h1><h1>Big News</h1><p>Story.</p><h2>More</h2><p>x</p></div></body>"#;
        let a = page(src);
        assert_eq!(a.title, "Big News");
        assert_eq!(outline(&a), ["1|||", "2|more||More"]);
        let src = r#"<head><meta property="og:title" content="Big News | Site"></head>
            <body><header><h1>Big News</h1></header><article><p>Story.</p></article></body>"#;
        assert_eq!(page(src).title, "Big News");
    }

    #[test]
    fn title_is_the_main_h1_then_og_title_then_title() {
        let a = page("<h1>Site</h1><main><h1>Story</h1><p>x</p></main>");
        assert_eq!(a.title, "Story");
        assert_eq!(a.sections.len(), 1, "the title h1 is not a section");
        let a = page(
            r#"<head><title>T | Site</title><meta property="og:title" content="OG"></head><p>x</p>"#,
        );
        assert_eq!(a.title, "OG");
        assert_eq!(page("<title> Plain </title><p>x</p>").title, "Plain");
        assert_eq!(page("<p>x</p>").title, "P");
    }

    #[test]
    fn main_wins_over_article_and_the_longest_article_wins() {
        let a = page("<article><p>short</p></article><main><p>in main</p></main>");
        assert_eq!(a.sections[0].text, "in main");
        let a = page(
            "<article><p>teaser</p></article><article><p>the real story here</p></article><p>outside</p>",
        );
        assert_eq!(a.sections[0].text, "the real story here");
    }

    #[test]
    fn furniture_is_dropped() {
        let a = page(
            r#"<body><nav>Home</nav><header>Logo</header><div class="content"><p>Body</p>
            <div class="share-buttons">Tweet</div><aside>Rail</aside><div role="navigation">Menu</div>
            <div id="relatedLinks">More</div><script>var x</script><div class="masthead-image">Kept</div>
            <span class="sr-only">Skip</span></div><footer>(c)</footer></body>"#,
        );
        assert_eq!(a.sections[0].text, "Body\nKept");
    }

    #[test]
    fn ids_are_anchors_and_duplicates_are_numbered() {
        let a = page(
            r#"<h2 id="own">One</h2><p>a</p><h2><a name="inner"></a>Two</h2><a id="before"></a><h2>Three</h2>
            <h2>Same</h2><h2>Same</h2>"#,
        );
        let anchors: Vec<_> = a.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["own", "inner", "before", "same", "same-1"]);
    }

    #[test]
    fn nested_headings_skipped_levels_and_paths() {
        let a = page(
            "<div><h2>A</h2><div><div><h4>Deep</h4><p>d</p></div></div></div><h3>Back</h3><h2>B</h2>",
        );
        assert_eq!(
            outline(&a),
            ["2|a||A", "4|deep|A|Deep", "3|back|A|Back", "2|b||B"]
        );
        assert_eq!(a.sections[1].text, "d");
    }

    #[test]
    fn br_lists_tables_and_pre() {
        let a = page(
            "<p>one<br>two <b>bold</b>\n  three</p><ul><li>x</li><li><p>y</p></li></ul><ol start=3><li>z</li></ol>\
             <table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td><a href=u>2</a></td></tr></table>\
             <pre>fn main() {\n    go();\n}</pre>",
        );
        assert_eq!(
            a.sections[0].text,
            "one\ntwo bold three\n- x\n- y\n3. z\nA | B\n1 | 2\nfn main() {\n    go();\n}"
        );
    }

    #[test]
    fn metadata_and_canonical() {
        let src = r#"<html lang="en"><head><meta name="keywords" content="gut, skin">
            <meta property="article:published_time" content="2020-01-02T03:04:05Z">
            <link rel="canonical" href="https://e.org/a"></head><body><p>x</p></body></html>"#;
        let a = page(src);
        assert_eq!(a.metadata.tags, ["gut", "skin"]);
        assert_eq!(a.metadata.date.as_deref(), Some("2020-01-02T03:04:05Z"));
        assert_eq!(a.metadata.language.as_deref(), Some("en"));
        assert_eq!(a.url, None);
        assert_eq!(canonical_url(src).as_deref(), Some("https://e.org/a"));
        assert_eq!(canonical_url("<p>x"), None);
    }

    #[test]
    fn malformed_html_survives() {
        let a =
            page("<div><p>open <b>bold <i>both</p></div><h2>Head<p>after</h2></table></body>tail");
        assert_eq!(
            a.sections
                .iter()
                .map(|s| s.heading.is_some())
                .filter(|h| *h)
                .count(),
            1
        );
        let deep = "<div>".repeat(3_000) + "deep text";
        assert_eq!(page(&deep).sections[0].text, "deep text");
    }

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
