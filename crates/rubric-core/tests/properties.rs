//! Property tests (proptest) of the outline builder and of slugs: random
//! headings, levels, ids and blocks, and the rules of design.md checked on
//! whatever comes out. The fuzz target `outline` (fuzz/) checks the same
//! at far greater length; these run in CI.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use proptest::prelude::*;
use rubric_core::{Anchors, Draft, Format, MAX_SECTION_BYTES, SectionBuilder, slug};

/// One call on the builder.
#[derive(Debug, Clone)]
enum Op {
    Heading(u8, String, Option<String>),
    Text(String),
    Reserve(String),
}

/// Short strings of letters, digits, punctuation, accents, blanks and a
/// few control characters.
fn words() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 ?.()'éİ—_#\t\u{1b}-]{0,16}").unwrap()
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u8..=7, words(), proptest::option::of(words()))
            .prop_map(|(l, h, id)| Op::Heading(l, h, id)),
        words().prop_map(Op::Text),
        words().prop_map(Op::Reserve),
    ]
}

proptest! {
    #[test]
    fn slugs_are_words_and_dashes_and_their_own_slug(heading in "\\PC{0,40}") {
        let s = slug(&heading);
        prop_assert!(
            s.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_'),
            "{:?} -> {:?}", heading, s
        );
        prop_assert_eq!(slug(&s), s.clone(), "{:?}", heading);
    }

    #[test]
    fn anchors_are_unique_whatever_the_headings_and_ids(
        headings in proptest::collection::vec((words(), proptest::option::of(words())), 0..30)
    ) {
        let mut anchors = Anchors::new();
        let mut seen = HashSet::new();
        for (heading, id) in &headings {
            let a = anchors.anchor(heading, id.as_deref());
            prop_assert!(!a.is_empty());
            prop_assert!(seen.insert(a.clone()), "{:?} twice", a);
        }
    }

    #[test]
    fn the_outline_keeps_levels_paths_anchors_and_text(ops in proptest::collection::vec(op(), 0..40)) {
        let mut b = SectionBuilder::new();
        let mut lead: Vec<String> = Vec::new();
        let mut texts: Vec<Vec<String>> = Vec::new();
        for op in &ops {
            match op {
                Op::Heading(level, heading, id) => {
                    b.push_heading(*level, heading, id.as_deref());
                    texts.push(Vec::new());
                }
                Op::Text(block) => {
                    b.push_text(block);
                    if !block.trim().is_empty() {
                        texts.last_mut().unwrap_or(&mut lead).push(block.trim().to_string());
                    }
                }
                Op::Reserve(id) => b.reserve_anchor(id),
            }
        }
        let article = Draft::new("a", "a", Format::Text, "A", b.finish()).finish();
        let sections = article.sections();
        // Each section holds what was pushed under its heading.
        let mut expected: Vec<String> = Vec::new();
        if !lead.is_empty() {
            expected.push(lead.join("\n"));
        }
        expected.extend(texts.iter().map(|t| t.join("\n")));
        let expected: Vec<String> = expected
            .iter()
            .map(|t| rubric_core::text::strip_controls(t, true).into_owned())
            .collect();
        let got: Vec<String> = sections.iter().map(|s| s.text.clone()).collect();
        prop_assert_eq!(got, expected);
        // Anchors unique, paths the headings open above, ordinals in order.
        let mut anchors = HashSet::new();
        let mut open: Vec<(u8, String)> = Vec::new();
        for (i, s) in sections.iter().enumerate() {
            prop_assert_eq!(s.ordinal as usize, i);
            prop_assert!(s.text.len() <= MAX_SECTION_BYTES);
            prop_assert!(!s.text.chars().any(|c| c.is_control() && c != '\n'));
            let Some(heading) = &s.heading else {
                prop_assert_eq!(i, 0, "the lead comes first");
                prop_assert!(s.anchor.is_empty() && s.path.is_empty() && s.level == 1);
                continue;
            };
            prop_assert!(!heading.chars().any(char::is_control));
            prop_assert!(anchors.insert(s.anchor.clone()), "{:?} twice", s.anchor);
            while open.last().is_some_and(|(level, _)| *level >= s.level) {
                open.pop();
            }
            let path: Vec<String> = open.iter().map(|(_, h)| h.clone()).collect();
            prop_assert_eq!(&s.path, &path);
            open.push((s.level, heading.clone()));
        }
    }
}
