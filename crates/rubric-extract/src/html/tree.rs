//! The one walk over the parsed tree: the elements and text under a root,
//! in document order, without recursion (deep pages cannot overflow the
//! stack).
//!
//! [`visit`] decides how children are visited; a [`Visitor`] decides what
//! happens at each node: whether to go into an element, what to do when one
//! closes, what to do with text. `main_content` scores paragraphs with it
//! and `walk` turns the chosen roots into sections with it. This module
//! knows nothing about what an element means.

use scraper::{ElementRef, Node};

/// What a [`visit`] does at each node under its root.
pub(super) trait Visitor<'a> {
    /// Opens an element; false skips it with all it holds.
    fn enter(&mut self, el: ElementRef<'a>) -> bool;

    /// Closes an element that [`Visitor::enter`] opened, after all it holds.
    fn leave(&mut self, _el: ElementRef<'a>) {}

    /// A text node, in an element that was entered.
    fn text(&mut self, _text: &str) {}
}

/// A closure is a visitor that only decides where to go.
impl<'a, F: FnMut(ElementRef<'a>) -> bool> Visitor<'a> for F {
    fn enter(&mut self, el: ElementRef<'a>) -> bool {
        self(el)
    }
}

/// Visits the nodes under `root` in document order. The root itself is
/// always gone into and never entered or left: only what it holds is
/// visited.
pub(super) fn visit<'a>(root: ElementRef<'a>, visitor: &mut impl Visitor<'a>) {
    let root_id = root.id();
    let mut node = *root;
    loop {
        let entered = match ElementRef::wrap(node) {
            Some(el) => node.id() == root_id || visitor.enter(el),
            None => {
                if let Node::Text(text) = node.value() {
                    visitor.text(text);
                }
                false
            }
        };
        if entered {
            if let Some(child) = node.first_child() {
                node = child;
                continue;
            }
            if let Some(el) = ElementRef::wrap(node).filter(|_| node.id() != root_id) {
                visitor.leave(el);
            }
        }
        // Climb until a next sibling, closing the parents left behind.
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
            if let Some(el) = ElementRef::wrap(node).filter(|_| node.id() != root_id) {
                visitor.leave(el);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use scraper::Html;

    use super::*;

    /// Records what a visit does, skipping `<aside>`.
    #[derive(Default)]
    struct Trace(Vec<String>);

    impl<'a> Visitor<'a> for Trace {
        fn enter(&mut self, el: ElementRef<'a>) -> bool {
            let name = el.value().name();
            self.0.push(format!("<{name}>"));
            name != "aside"
        }

        fn leave(&mut self, el: ElementRef<'a>) {
            self.0.push(format!("</{}>", el.value().name()));
        }

        fn text(&mut self, text: &str) {
            self.0.push(text.to_string());
        }
    }

    #[test]
    fn children_in_order_skipped_elements_unopened_and_the_root_not_entered() {
        let doc = Html::parse_fragment("<div>a<p>b<br>c</p><aside>x<i>y</i></aside><hr>d</div>");
        let root = doc.root_element().first_child().and_then(ElementRef::wrap);
        let mut trace = Trace::default();
        visit(root.unwrap(), &mut trace);
        assert_eq!(
            trace.0.join(" "),
            "a <p> b <br> </br> c </p> <aside> <hr> </hr> d"
        );
    }

    #[test]
    fn deep_trees_do_not_overflow_the_stack() {
        let doc = Html::parse_document(&("<div>".repeat(3_000) + "x"));
        let mut divs = 0;
        visit(doc.root_element(), &mut |el: ElementRef<'_>| {
            divs += usize::from(el.value().name() == "div");
            true
        });
        assert_eq!(divs, 3_000);
    }
}
