//! The walk over the chosen roots: their headings and text lines become
//! sections.
//!
//! `h1`–`h6` become sections (the title `<h1>` excepted, and `<h1>`s above it,
//! mastheads, dropped) anchored on their own `id` (or that of an `<a id|name>`
//! inside or just before them). A heading waits for its first text: one whose
//! section ends empty after something under it was dropped ("Related stories"
//! over a list of links), or that ends the article ("Comments"), is not a
//! section; nor is a heading that is all a link to elsewhere (a teaser's
//! headline), and a section whose text is no more than a list of such teasers
//! (two or more, with a line or two each: "Latest articles") is dropped with
//! its heading. A short block that is one link after the text ("zurück") is
//! dropped, unless it is the first text under a heading with an id or a
//! permalink (reference docs: "See <a>X</a>."). Text comes out one line per
//! block: block elements and `<br>` end a line, list items keep `- ` / `N. `,
//! table rows join their cells with ` | `, a `<pre>` is one block that keeps
//! its lines and indentation. Bylines and datelines are held back and dropped
//! unless [`MIN_DATE_RUN`] or more run together (a schedule); photo credit
//! lines ("Foto: dpa") are dropped ([`is_credit`]). In an article's `<header>`
//! only the standfirst is kept ([`is_standfirst`]).
//!
//! This module does not choose the roots (`main_content`), decide what is
//! furniture (`boilerplate`), or own the outline rules
//! ([`rubric_core::SectionBuilder`]).

use rubric_core::SectionBuilder;
use rubric_core::text::{collapse, drop_zero_width};
use scraper::ElementRef;

use super::boilerplate::{is_chrome, is_furniture, is_link_block, is_lone_link};
use super::density::Sizes;
use super::main_content::describe;
use super::page::clean_heading;
use super::tree::{Visitor, visit};
use crate::dateline;

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

/// A heading waiting for its first text.
#[derive(Debug)]
struct Pending {
    level: u8,
    id: Option<String>,
    text: String,
    /// Something with text under it was dropped (furniture, links).
    dropped: bool,
    /// The heading is an anchor of this page: it has an id or a permalink
    /// (`<a href="#…">`), as reference documentation's headings do.
    anchored: bool,
    /// Teaser headlines (headings that are all a link elsewhere) dropped
    /// under it.
    teasers: usize,
}

/// The section being read: its heading and lines, held until the next
/// heading or the end, since a list of teasers under it ("Latest
/// articles": headlines linking elsewhere, each with a line of summary)
/// is only known at its end.
#[derive(Debug)]
struct Open {
    heading: Pending,
    lines: Vec<String>,
    /// Characters of the lines.
    len: usize,
}

/// Fewest teaser headlines under a heading that make its section a list of
/// teasers, dropped whole.
const MIN_TEASERS: usize = 2;

/// Walks the main content and feeds the section builder.
#[derive(Debug)]
pub(super) struct Walker<'a> {
    sizes: &'a Sizes,
    pub(super) out: SectionBuilder,
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
    /// Headings read but not yet given to the outline, in document order:
    /// one goes out with the first text under it, and one whose section
    /// ends empty after something under it was dropped (a "Related
    /// stories" heading over a list of links), or that ends the article,
    /// is dropped.
    pending: Vec<Pending>,
    /// Depth of an article's `<header>`: only its standfirst (a line of
    /// [`MIN_STANDFIRST`] characters or more) is content; kickers, bylines,
    /// reading times and headings in it are not.
    header: usize,
    /// Drop only the obvious chrome (tags, roles, hidden elements, the
    /// site's header), not blocks marked by class or id, link blocks or
    /// teaser headings: the last fallback over the whole `<body>`.
    loose: bool,
    /// Characters of text given to the outline so far.
    text_len: usize,
    /// The section being read, if it has a heading.
    open: Option<Open>,
}

impl<'a> Walker<'a> {
    pub(super) fn new(
        sizes: &'a Sizes,
        title_h1: Option<ElementRef<'a>>,
        root_len: usize,
    ) -> Walker<'a> {
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
            pending: Vec::new(),
            header: 0,
            loose: false,
            text_len: 0,
            open: None,
        }
    }

    /// A walker that drops only the obvious chrome ([`is_chrome`]): for
    /// the whole `<body>` when nothing else gave text.
    pub(super) fn loose(
        sizes: &'a Sizes,
        title_h1: Option<ElementRef<'a>>,
        root_len: usize,
    ) -> Walker<'a> {
        Walker {
            loose: true,
            ..Walker::new(sizes, title_h1, root_len)
        }
    }

    /// Characters of text read so far (headings not counted).
    pub(super) fn text_len(&self) -> usize {
        self.text_len
    }

    /// Reads the tree under `root` (its content, not the element itself)
    /// into sections, and ends its last line.
    pub(super) fn walk(&mut self, root: ElementRef<'a>) {
        visit(root, self);
        self.flush();
        self.release_held();
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
        if self.header > 0 && self.pre == 0 && !is_standfirst(&line) {
            self.line.clear();
            return;
        }
        if self.pre == 0 && self.tables == 0 && !self.loose && is_credit(&line) {
            self.line.clear();
            return;
        }
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
                let block = lines[first..=last].join("\n");
                self.push_text(&block);
            }
        } else {
            self.push_text(&line);
        }
        self.line.clear();
    }

    /// Settles the held bylines and datelines before other content: a run
    /// of [`MIN_DATE_RUN`] or more is kept (a schedule, a timeline), fewer
    /// are dropped.
    fn release_held(&mut self) {
        let held = std::mem::take(&mut self.held);
        if held.len() >= MIN_DATE_RUN {
            for line in &held {
                self.push_text(line);
            }
        }
    }

    /// A heading that is all a link to elsewhere: the headline of a teaser
    /// for another story, not a section of this one. One with an anchor of
    /// this page (its own `id`, a permalink `<a href="#…">`) heads a
    /// section here (documentation headings link to their definitions).
    fn is_teaser(&self, heading: ElementRef<'_>) -> bool {
        let size = self.sizes.get(heading);
        size.links > 0
            && size.linked * 5 >= size.text * 4
            && heading.value().id().is_none()
            && !has_permalink(heading)
    }

    /// Gives text to the outline, after the headings waiting for it: the
    /// last of them opens the section the text is held in.
    fn push_text(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.text_len += text.len();
        if let Some(last) = self.pending.pop() {
            self.close_section();
            for h in self.pending.drain(..) {
                self.out.push_heading(h.level, &h.text, h.id.as_deref());
            }
            self.open = Some(Open {
                heading: last,
                lines: vec![text.to_string()],
                len: text.len(),
            });
        } else if let Some(open) = self.open.as_mut() {
            open.lines.push(text.to_string());
            open.len += text.len();
        } else {
            self.out.push_text(text);
        }
    }

    /// Ends the section being read: it goes to the outline unless
    /// [`MIN_TEASERS`] or more teaser headlines were dropped under its
    /// heading and it has no more than two lines for each (a list of
    /// teasers with their summaries: "Latest articles", "Recommended").
    pub(super) fn close_section(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let h = open.heading;
        if h.teasers >= MIN_TEASERS && open.lines.len() <= 2 * h.teasers {
            tracing::trace!(heading = h.text, "dropped a section of teasers");
            self.text_len -= open.len;
            return;
        }
        self.out.push_heading(h.level, &h.text, h.id.as_deref());
        for line in &open.lines {
            self.out.push_text(line);
        }
    }

    /// A heading has been read: the waiting headings whose sections it
    /// ends empty go out, unless something under them was dropped.
    fn push_heading(&mut self, heading: Pending) {
        self.close_section();
        while self
            .pending
            .last()
            .is_some_and(|p| p.level >= heading.level && p.dropped)
        {
            self.pending.pop();
        }
        if self
            .pending
            .last()
            .is_some_and(|p| p.level >= heading.level)
        {
            for h in self.pending.drain(..) {
                self.out.push_heading(h.level, &h.text, h.id.as_deref());
            }
        }
        self.pending.push(heading);
    }

    /// Ends the walk: headings still waiting end the article with nothing
    /// under them ("More stories", "Comments") and are dropped, unless
    /// nothing under them was dropped and they read as sentences (pull
    /// quotes set as headings).
    pub(super) fn finish(mut self) -> Vec<rubric_core::Section> {
        self.close_section();
        for h in std::mem::take(&mut self.pending) {
            if !h.dropped && is_sentence(&h.text) {
                self.out.push_heading(h.level, &h.text, h.id.as_deref());
            }
        }
        self.out.finish()
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    /// Opens an element; false when it is skipped with all it holds.
    fn enter(&mut self, el: ElementRef<'a>) -> bool {
        let v = el.value();
        let name = v.name();
        let mut teaser = false;
        let dropped = if self.loose {
            is_chrome(self.sizes, el, self.root_len)
        } else {
            is_furniture(self.sizes, el, self.root_len)
                || is_link_block(self.sizes, el, self.root_len)
                || (self.text_len > 0
                    && !self.pending.last().is_some_and(|p| p.anchored)
                    && is_lone_link(self.sizes, el, self.root_len))
                || {
                    teaser = heading_level(name).is_some()
                        && Some(el) != self.title_h1
                        && self.is_teaser(el);
                    teaser
                }
        };
        if dropped {
            if tracing::enabled!(tracing::Level::TRACE) {
                tracing::trace!(text = self.sizes.text(el), "dropped {}", describe(el));
            }
            if self.sizes.text(el) > 0
                && let Some(p) = self.pending.last_mut()
            {
                p.dropped = true;
            }
            if teaser {
                match (self.pending.last_mut(), self.open.as_mut()) {
                    (Some(p), _) => p.teasers += 1,
                    (None, Some(open)) => open.heading.teasers += 1,
                    (None, None) => {}
                }
            }
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
            && self.header == 0
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
            "header" => {
                self.flush();
                self.header += 1;
            }
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
                self.item_prefix = Some(crate::list::next_item_marker(&mut self.lists));
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
            _ if is_block(name) || heading_level(name).is_some() => self.flush(),
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
                let text = clean_heading(&h.text);
                if !text.is_empty() {
                    let anchored = h.id.is_some() || has_permalink(el);
                    self.push_heading(Pending {
                        level: h.level,
                        id: h.id,
                        text,
                        dropped: false,
                        anchored,
                        teasers: 0,
                    });
                }
            }
            return;
        }
        match name {
            "header" => {
                self.flush();
                self.header = self.header.saturating_sub(1);
            }
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
            _ if is_block(name) || heading_level(name).is_some() => self.flush(),
            _ => {}
        }
    }

    /// Text goes to the heading being read, else to the current line (a
    /// list item's prefix first).
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
}

/// Labels of a photo credit line ("Foto: dpa", "(Bild: Jane Doe)").
const CREDIT_LABELS: &[&str] = &[
    "foto",
    "fotos",
    "bild",
    "bilder",
    "bildquelle",
    "titelbild",
    "beitragsbild",
    "photo",
    "photos",
    "image",
    "images",
    "credit",
    "credits",
    "crédits photos",
    "crédit photo",
    "zdjęcie",
    "źródło",
    "quelle",
    "source",
    "fuente",
];

/// Most characters of a credit line.
const MAX_CREDIT: usize = 100;

/// A short line that credits a photo or names a source by a label of
/// [`CREDIT_LABELS`]: "Foto: Getty Images", "(Bild: Jane Doe)", "Źródło:
/// Eurostat". A copyright line ("© 2017 Intel Corporation") is not one: in
/// documentation it names the authors.
fn is_credit(line: &str) -> bool {
    let line = line.trim_start_matches(['(', '[', ' ']);
    if line.chars().count() > MAX_CREDIT {
        return false;
    }
    let Some((label, rest)) = line.split_once(':') else {
        return false;
    };
    let label = label.trim().to_lowercase();
    rest.chars().any(char::is_alphanumeric) && CREDIT_LABELS.contains(&label.as_str())
}

/// Fewest datelines in a row that are content (tour dates, a timeline).
const MIN_DATE_RUN: usize = 3;

/// Fewest characters of a line in an article's `<header>` that is its
/// standfirst rather than a kicker, a byline or a reading time.
const MIN_STANDFIRST: usize = 60;

/// Fewest words of a heading that reads as a sentence.
const MIN_SENTENCE_WORDS: usize = 5;

/// A line that ends like a sentence and has [`MIN_SENTENCE_WORDS`] or more.
fn is_sentence(line: &str) -> bool {
    ends_sentence(line)
        && line
            .split_whitespace()
            .nth(MIN_SENTENCE_WORDS - 1)
            .is_some()
}

/// True when a line ends with sentence punctuation (closing quotes aside).
fn ends_sentence(line: &str) -> bool {
    line.trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', '\u{bb}', ')'])
        .ends_with(['.', '!', '?', '\u{2026}'])
}

/// A line of an article's `<header>` that is its standfirst: a sentence of
/// [`MIN_STANDFIRST`] characters or more (or a long line), not a kicker, a
/// byline, a date or a reading time.
fn is_standfirst(line: &str) -> bool {
    let len = line.chars().count();
    len >= MIN_STANDFIRST
        && (len >= 2 * MIN_STANDFIRST || ends_sentence(line) || line.ends_with(':'))
}

/// True when a heading holds a link to a place on this page (a permalink,
/// `<a href="#…">`).
fn has_permalink(heading: ElementRef<'_>) -> bool {
    heading.descendent_elements().any(|d| {
        d.value()
            .attr("href")
            .is_some_and(|h| h.trim_start().starts_with('#'))
    })
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
    use super::super::testing::{body, outline, page};

    #[test]
    fn photo_credit_lines_are_dropped() {
        let a = body(
            "<article><p>The story starts here.</p><p>(Bild: Dieter Stork)</p><p><em>Titelbild: Jane Doe</em></p>\
             <p>Crédits photos : Bestimage</p><p>Foto: the view from the hill.</p><p>Images:</p>\
             <p>It ends here.</p></article>",
        );
        assert_eq!(a, "The story starts here.\nImages:\nIt ends here.");
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
    fn a_heading_over_dropped_links_or_ending_the_article_is_not_a_section() {
        let links = r#"<ul><li><a href="/a">One story</a></li><li><a href="/b">Another story</a></li></ul>"#;
        let a = page(&format!(
            "<article><p>Lead.</p><h2>Related stories</h2>{links}<h2>Part</h2><p>Text.</p>\
             <h3>Empty</h3><h4>Sub</h4><p>More.</p><h2>Comments</h2></article>"
        ));
        assert_eq!(
            outline(&a),
            [
                "1|||",
                "2|part||Part",
                "3|empty|Part|Empty",
                "4|sub|Part/Empty|Sub"
            ]
        );
        assert_eq!(a.sections[1].text, "Text.");
    }

    #[test]
    fn a_section_of_teasers_is_dropped_with_its_heading() {
        let p = "<p>The story, long enough to be the main content of the page here.</p>";
        let card = |n: u8| {
            format!(
                r#"<div class="card"><h3><a href="/story-{n}">Another story, number {n}</a></h3>
                <p>What that other story is about, in a sentence of summary.</p></div>"#
            )
        };
        let a = page(&format!(
            "<article>{p}<h2>Latest articles</h2>{}{}{}</article>",
            card(1),
            card(2),
            card(3)
        ));
        assert_eq!(outline(&a), ["1|||"]);
        assert!(
            !a.sections[0].text.contains("summary"),
            "{}",
            a.sections[0].text
        );
        // A section that names two stories in passing and goes on is kept.
        let a = page(&format!(
            "<article>{p}<h2>Part</h2>{}{}{p}{p}{p}{p}{p}</article>",
            card(1),
            card(2)
        ));
        assert_eq!(outline(&a), ["1|||", "2|part||Part"]);
    }

    #[test]
    fn a_heading_that_is_all_a_link_elsewhere_is_a_teaser() {
        let a = page(
            r##"<article><p>The story.</p><h3><a href="/other">Another story, elsewhere</a></h3>
            <h2><a href="#part">Part</a></h2><p>Text.</p></article>"##,
        );
        assert_eq!(outline(&a), ["1|||", "2|part||Part"]);
    }

    #[test]
    fn a_documentation_heading_that_links_to_its_definition_is_a_section() {
        // Sphinx (linux-doc driver-api/usb/anchors.html): the heading links
        // to the function's definition on another page, and has a permalink.
        let a = page(
            r##"<section id="anchors"><p>About anchors.</p>
            <section id="usb-anchor-empty"><h3><a class="reference internal" href="usb.html#c.usb_anchor_empty"><code>usb_anchor_empty()</code></a><a class="headerlink" href="#usb-anchor-empty">¶</a></h3>
            <p>Returns true if no URBs are associated with an anchor.</p></section></section>"##,
        );
        let s = a
            .sections
            .iter()
            .find(|s| s.heading.as_deref() == Some("usb_anchor_empty()"))
            .expect("the function's section");
        assert_eq!(
            s.text,
            "Returns true if no URBs are associated with an anchor."
        );
    }

    #[test]
    fn a_sentence_set_as_a_heading_at_the_end_is_kept() {
        let a = page(
            "<div><p>The story.</p><h4>He lied to everyone, and it worked for years.</h4></div>",
        );
        assert_eq!(a.sections.len(), 2);
    }

    #[test]
    fn an_articles_header_keeps_its_standfirst_only() {
        let a = body(
            "<article><header><span>BIG NEWS</span><h1>Title</h1><h2>Reading time 4 min</h2>\
             <p>The standfirst says in one sentence what the whole story is about.</p>\
             <p>By Jane Doe</p></header><p>The story starts here.</p>\
             <article><header><p>A teaser card nested in the story, with a sentence of its own.</p></header></article>\
             </article>",
        );
        assert_eq!(
            a,
            "The standfirst says in one sentence what the whole story is about.\nThe story starts here."
        );
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
    fn ids_are_anchors_and_duplicates_are_numbered() {
        let a = page(
            r#"<h2 id="own">One</h2><p>a</p><h2><a name="inner"></a>Two</h2><a id="before"></a><h2>Three</h2>
            <h2>Same</h2><h2>Same</h2><p>x</p>"#,
        );
        let anchors: Vec<_> = a.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["own", "inner", "before", "same", "same-1"]);
    }

    #[test]
    fn nested_headings_skipped_levels_and_paths() {
        let a = page(
            "<div><h2>A</h2><div><div><h4>Deep</h4><p>d</p></div></div></div><h3>Back</h3><h2>B</h2><p>b</p>",
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
}
