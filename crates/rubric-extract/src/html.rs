//! HTML extraction with scraper (html5ever): the page's title, its main
//! content, and the headings and text lines in it.
//!
//! This module owns three choices:
//! - the title: the main `<h1>` (the first inside the main content, else the
//!   first on the page), else `og:title`, else `<title>`, else the file name;
//! - the main content: the `<main>` (or `role=main`) with the most text, else
//!   the `<article>` with the most text, else `<body>`;
//! - the walk over it: furniture is dropped ([`boilerplate`]), `h1`–`h6`
//!   become sections (the title `<h1>` excepted) anchored on their own `id`
//!   (or that of an `<a id|name>` inside or just before them), and text comes
//!   out one line per block: block elements and `<br>` end a line, list items
//!   keep `- ` / `N. `, table rows join their cells with ` | `, `<pre>` keeps
//!   its lines.
//!
//! Metadata comes from `<meta name=keywords>` (tags), the published-time and
//! date metas (date) and `<html lang>` (language). The article URL is left to
//! the caller; [`canonical_url`] reads `<link rel=canonical>` for it.
//!
//! It does not own the outline rules ([`rubric_core::SectionBuilder`]),
//! fetching, or character sets other than UTF-8 ([`crate::decode_text`]).
//! The walk is iterative, so deeply nested or huge pages cannot overflow the
//! stack, and html5ever repairs malformed markup the way browsers do.

mod boilerplate;

use rubric_core::{Format, Metadata, SectionBuilder};
use scraper::{ElementRef, Html, Node};

use crate::{Article, ExtractError, Input, decode_text, title_from_source};
use boilerplate::Verdict;

/// Extracts one article from an HTML page. Errors when the bytes are not
/// UTF-8 text, or when the main content has no text at all.
pub fn extract(input: &Input<'_>) -> Result<Article, ExtractError> {
    let src = decode_text(input.source, input.bytes)?;
    let doc = Html::parse_document(src);
    let page = Page::read(&doc);
    let roots = page.main_content();
    let title_h1 = page.title_h1(&roots);
    let title = title_h1
        .map(heading_text)
        .or_else(|| page.og_title.clone())
        .or_else(|| page.title.clone())
        .unwrap_or_else(|| title_from_source(input.source));

    let mut walker = Walker::new(title_h1, roots.iter().map(|r| text_len(*r)).sum());
    for root in roots {
        walker.walk(root);
    }
    if walker.out.is_empty() {
        return Err(ExtractError::Empty {
            source_name: input.source.to_string(),
        });
    }
    let mut article = Article::new(
        input.id,
        input.source,
        Format::Html,
        title,
        walker.out.finish(),
    );
    article.url = input.url.map(str::to_string);
    article.metadata = page.metadata;
    article.rehash();
    Ok(article)
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
    html: ElementRef<'a>,
    body: Option<ElementRef<'a>>,
    mains: Vec<ElementRef<'a>>,
    articles: Vec<ElementRef<'a>>,
    first_h1: Option<ElementRef<'a>>,
    title: Option<String>,
    og_title: Option<String>,
    metadata: Metadata,
}

impl<'a> Page<'a> {
    fn read(doc: &'a Html) -> Page<'a> {
        let html = doc.root_element();
        let mut page = Page {
            html,
            body: None,
            mains: Vec::new(),
            articles: Vec::new(),
            first_h1: None,
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
                "h1" if page.first_h1.is_none() && !heading_text(el).is_empty() => {
                    page.first_h1 = Some(el)
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
        let body_len = text_len(body);
        let dense = densest(body, body_len);
        let live = |els: &[ElementRef<'a>]| -> Vec<ElementRef<'a>> {
            els.iter()
                .copied()
                .filter(|el| !in_furniture(*el, body_len))
                .collect()
        };
        let holds_title = |el: ElementRef<'a>| {
            self.first_h1
                .is_some_and(|h1| h1.ancestors().any(|a| a == *el))
        };
        let articles = live(&self.articles);
        let candidate = most_text(&live(&self.mains)).or_else(|| {
            let best = most_text(&articles)?;
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

    /// The title `<h1>`: the first with text inside the main content, else
    /// the first on the page.
    fn title_h1(&self, roots: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
        roots
            .iter()
            .flat_map(|root| root.descendent_elements())
            .find(|el| el.value().name() == "h1" && !heading_text(*el).is_empty())
            .or(self.first_h1)
    }
}

/// True when an ancestor of `el` (below `<body>`) is furniture; one marked
/// only by class or id counts when it holds at most half of the page's text.
fn in_furniture(el: ElementRef<'_>, body_len: usize) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .filter(|a| !matches!(a.value().name(), "body" | "html"))
        .any(|a| is_furniture(a, body_len))
}

/// The walker's rule for one element, with `total` the text around it: an
/// element marked only by class or id is furniture unless it holds most of
/// that text, or an `<article>`, `<main>` or `<h1>` (a layout wrapper such
/// as `theiaStickySidebar` around the story column).
fn is_furniture(el: ElementRef<'_>, total: usize) -> bool {
    match boilerplate::verdict(el.value()) {
        Verdict::Keep => false,
        Verdict::Furniture => true,
        Verdict::Marked => {
            text_len(el) * 2 <= total
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
fn densest(body: ElementRef<'_>, body_len: usize) -> Vec<ElementRef<'_>> {
    let mut scores = std::collections::HashMap::new();
    visit(body, |el| {
        if is_furniture(el, body_len) {
            return false;
        }
        if !matches!(el.value().name(), "p" | "pre" | "blockquote") {
            return true;
        }
        let len = text_len(el);
        if len < 25 || link_density(el) > 0.5 {
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
        .map(|(el, s)| (el, s * (1.0 - link_density(el))))
        .collect();
    let Some(&(top, top_score)) = scored.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
        return Vec::new();
    };
    let Some(parent) = top.parent() else {
        return vec![top];
    };
    let threshold = (top_score * 0.2).max(10.0);
    parent
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|sib| {
            *sib == top
                || scored.iter().any(|(el, s)| el == sib && *s >= threshold)
                || (sib.value().name() == "p" && text_len(*sib) >= 80 && link_density(*sib) < 0.25)
        })
        .collect()
}

/// Share of an element's text that is inside links.
fn link_density(el: ElementRef<'_>) -> f64 {
    let total = text_len(el);
    if total == 0 {
        return 0.0;
    }
    let linked: usize = el
        .descendent_elements()
        .filter(|a| a.value().name() == "a")
        .map(text_len)
        .sum();
    (linked as f64 / total as f64).min(1.0)
}

/// The element with the most text, if any has text.
fn most_text<'a>(els: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
    els.iter()
        .map(|&el| (text_len(el), el))
        .filter(|(len, _)| *len > 0)
        .max_by_key(|(len, _)| *len)
        .map(|(_, el)| el)
}

/// Characters of visible text under an element (no scripts or styles).
fn text_len(el: ElementRef<'_>) -> usize {
    el.descendants()
        .filter_map(|n| {
            let text = n.value().as_text()?;
            let parent = n
                .parent()
                .and_then(|p| p.value().as_element().map(|e| e.name()));
            if matches!(parent, Some("script" | "style" | "noscript" | "template")) {
                return None;
            }
            Some(text.chars().filter(|c| !c.is_whitespace()).count())
        })
        .sum()
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
    /// The title `<h1>`, which is not a section.
    title_h1: Option<ElementRef<'a>>,
    /// The id of an empty `<a id|name>` seen since the last text.
    pending_anchor: Option<String>,
    /// Text length of the main content.
    root_len: usize,
}

impl<'a> Walker<'a> {
    fn new(title_h1: Option<ElementRef<'a>>, root_len: usize) -> Walker<'a> {
        Walker {
            out: SectionBuilder::new(),
            line: String::new(),
            item_prefix: None,
            lists: Vec::new(),
            heading: None,
            pre: 0,
            cells: 0,
            title_h1,
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
        if is_furniture(el, self.root_len) {
            return false;
        }
        if Some(el) == self.title_h1 {
            self.flush();
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
            && text_len(el) == 0
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

    /// Ends the current line (in `<pre>`, each of its lines).
    fn flush(&mut self) {
        if self.line.is_empty() {
            return;
        }
        if self.pre > 0 {
            for line in self.line.lines() {
                self.out.push_text(&clean(line));
            }
        } else {
            self.out.push_text(&collapse(&self.line));
        }
        self.line.clear();
    }
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

/// Runs of whitespace become one space; zero-width characters go.
fn collapse(s: &str) -> String {
    clean(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops zero-width spaces, joiners and soft hyphens.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{00ad}' | '\u{feff}'
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(src: &str) -> Article {
        extract(&Input::new(
            "p.html",
            "web/p.html",
            crate::Kind::Html,
            src.as_bytes(),
        ))
        .unwrap()
    }

    fn outline(a: &Article) -> Vec<String> {
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
            "one\ntwo bold three\n- x\n- y\n3. z\nA | B\n1 | 2\nfn main() {\ngo();\n}"
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
        let deep = "<div>".repeat(5_000) + "deep text";
        assert_eq!(page(&deep).sections[0].text, "deep text");
    }

    #[test]
    fn empty_pages_are_an_error_naming_the_source() {
        let e = extract(&Input::new(
            "e",
            "web/e.html",
            crate::Kind::Html,
            b"<nav>only</nav>",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("web/e.html"), "{e}");
    }
}
