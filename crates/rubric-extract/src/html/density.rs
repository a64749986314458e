//! The text-density index: how much visible text, and how much of it inside
//! links, is under each element of the parsed page, and how much of it is
//! the element's own running text (not inside a block it holds), with its
//! commas and words: the paragraph `main_content` scores.
//!
//! Counted once, bottom-up, right after parsing, so that "how much text is
//! under this element" costs a look-up, not a walk. This module only counts;
//! what a count means (main content, furniture, link blocks) is decided by
//! `main_content`, `boilerplate` and `walk`.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Node};

/// Text and link sizes of every element, counted once, bottom-up, so that
/// "how much text is under this element" costs a look-up, not a walk. Keyed
/// by the address of the node in the parsed tree, which never moves.
#[derive(Debug, Default)]
pub(super) struct Sizes(HashMap<usize, Size>);

/// The key of a node in [`Sizes`].
fn key(node: &Node) -> usize {
    std::ptr::from_ref(node) as usize
}

/// What is under one element.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Size {
    /// Visible characters (no white space, scripts or styles).
    pub(super) text: usize,
    /// Of those, the characters inside links to elsewhere (not `#fragment`).
    pub(super) linked: usize,
    /// Links to elsewhere.
    pub(super) links: usize,
    /// The element's own running text: the characters that are not inside
    /// a block-level descendant (for a `<p>` all of them; for a `<div>`
    /// the text between its blocks), which reads as one paragraph.
    pub(super) inline: usize,
    /// Of the own text, the characters inside links to elsewhere.
    pub(super) inline_linked: usize,
    /// Commas (also the ideographic `、` and `，`) in the own text.
    pub(super) commas: usize,
    /// Words (runs of letters and digits) in the own text; a word split by
    /// markup (`<b>W</b>ord`) or an apostrophe counts twice.
    pub(super) words: usize,
}

/// Elements that flow inside a line of text; any other element starts a
/// block of its own, so its text is not its parent's own text.
pub(super) fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "big"
            | "br"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "img"
            | "ins"
            | "kbd"
            | "mark"
            | "nobr"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
            | "wbr"
    )
}

impl Sizes {
    pub(super) fn count(doc: &Html) -> Sizes {
        let nodes: Vec<_> = doc.tree.root().descendants().collect();
        let mut map: HashMap<usize, Size> = HashMap::with_capacity(nodes.len());
        // In reverse document order every node comes after all it holds.
        for node in nodes.into_iter().rev() {
            let Some(parent) = node.parent() else {
                continue;
            };
            let (own, inline) = match node.value() {
                Node::Text(text) => {
                    let hidden = parent.value().as_element().is_some_and(|e| {
                        matches!(e.name(), "script" | "style" | "noscript" | "template")
                    });
                    if hidden {
                        continue;
                    }
                    let (mut chars, mut commas, mut words) = (0, 0, 0);
                    let mut in_word = false;
                    for c in text.chars() {
                        chars += usize::from(!c.is_whitespace());
                        let letter =
                            c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric());
                        words += usize::from(letter && !in_word);
                        in_word = letter;
                        commas += usize::from(matches!(c, ',' | '\u{3001}' | '\u{ff0c}'));
                    }
                    let size = Size {
                        text: chars,
                        inline: chars,
                        commas,
                        words,
                        ..Size::default()
                    };
                    (size, true)
                }
                Node::Element(el) => {
                    let mut size = map.get(&key(node.value())).copied().unwrap_or_default();
                    // `attr("href")` would intern its argument for every
                    // element; only links are asked, with a scan.
                    let outward = || {
                        el.attrs()
                            .any(|(name, h)| name == "href" && !h.trim_start().starts_with('#'))
                    };
                    if el.name() == "a" && outward() {
                        size.linked = size.text;
                        size.inline_linked = size.inline;
                        size.links += 1;
                    }
                    (size, is_inline(el.name()))
                }
                _ => continue,
            };
            let up = map.entry(key(parent.value())).or_default();
            up.text += own.text;
            up.linked += own.linked;
            up.links += own.links;
            if inline {
                up.inline += own.inline;
                up.inline_linked += own.inline_linked;
                up.commas += own.commas;
                up.words += own.words;
            }
        }
        Sizes(map)
    }

    pub(super) fn get(&self, el: ElementRef<'_>) -> Size {
        self.0.get(&key((*el).value())).copied().unwrap_or_default()
    }

    pub(super) fn text(&self, el: ElementRef<'_>) -> usize {
        self.get(el).text
    }

    /// Share of an element's text that is inside links.
    pub(super) fn link_density(&self, el: ElementRef<'_>) -> f64 {
        let size = self.get(el);
        if size.text == 0 {
            return 0.0;
        }
        (size.linked as f64 / size.text as f64).min(1.0)
    }
}
