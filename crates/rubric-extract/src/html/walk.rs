//! The walk over the chosen roots: their headings and text lines become
//! sections.
//!
//! `h1`–`h6` become sections (the title `<h1>` excepted, and `<h1>`s above
//! it, mastheads, dropped) anchored on their own `id` (or that of an `<a
//! id|name>` inside or just before them). Text comes out one line per
//! block: block elements and `<br>` end a line, list items keep `- ` /
//! `N. `, table rows join their cells with ` | `, a `<pre>` is one block that
//! keeps its lines and indentation. Bylines and datelines are held back and
//! dropped unless [`MIN_DATE_RUN`] or more run together (a schedule).
//!
//! This module does not choose the roots (`main_content`), decide what is
//! furniture (`boilerplate`), or own the outline rules
//! ([`rubric_core::SectionBuilder`]).

use rubric_core::SectionBuilder;
use rubric_core::text::{collapse, drop_zero_width};
use scraper::ElementRef;

use super::boilerplate::{is_furniture, is_link_block};
use super::density::Sizes;
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
        }
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
}

impl<'a> Visitor<'a> for Walker<'a> {
    /// Opens an element; false when it is skipped with all it holds.
    fn enter(&mut self, el: ElementRef<'a>) -> bool {
        let v = el.value();
        let name = v.name();
        if is_furniture(self.sizes, el, self.root_len)
            || is_link_block(self.sizes, el, self.root_len)
        {
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
                let text = clean_heading(&h.text);
                if !text.is_empty() {
                    self.out.push_heading(h.level, &text, h.id.as_deref());
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

/// Fewest datelines in a row that are content (tour dates, a timeline).
const MIN_DATE_RUN: usize = 3;

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
