//! The invariants the fuzz targets check, shared by them. Each panics with
//! what broke (libFuzzer saves the input that did it).
//!
//! For every article an extractor makes:
//! - every string is free of control characters (section text keeps its
//!   line feeds, one paragraph per line);
//! - ordinals count 0, 1, 2, … in order, and no section's text is longer
//!   than `MAX_SECTION_BYTES`;
//! - the lead (no heading, anchor `""`, level 1, no path) comes first if
//!   at all; every other section has a non-empty anchor;
//! - anchors are unique, except that the parts of one over-long section
//!   (consecutive, same heading, level and path) share theirs;
//! - paths agree with levels: a section's path is the headings of the
//!   sections still open above it (lower level), outermost first.
//!
//! For text and Markdown, [`text_is_accounted_for`]: the letters and digits
//! of the sections (headings and text, in order) are a subsequence of the
//! input's, so no text is duplicated, invented or moved. What this does
//! not check: that nothing was dropped (the extractors drop boilerplate on
//! purpose), nor the title (which the text may repeat).

use rubric_core::{Article, MAX_SECTION_BYTES, Section};

/// Panics unless `article` keeps the outline invariants (see the module).
pub fn check_article(article: &Article) {
    for field in [article.id(), article.title()] {
        assert_no_controls(field, false);
    }
    for tag in &article.metadata().tags {
        assert_no_controls(tag, false);
    }
    check_sections(article.sections());
}

/// The outline invariants over a list of sections (see the module).
pub fn check_sections(sections: &[Section]) {
    let mut anchors = std::collections::HashSet::new();
    // Headings still open: (level, heading).
    let mut open: Vec<(u8, &str)> = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        assert_eq!(s.ordinal as usize, i, "ordinals in order");
        assert!(s.text.len() <= MAX_SECTION_BYTES, "section {i} too long");
        assert_no_controls(&s.text, true);
        assert_no_controls(&s.anchor, false);
        for p in &s.path {
            assert_no_controls(p, false);
        }
        let part_of_previous = i > 0 && {
            let p = &sections[i - 1];
            p.anchor == s.anchor && p.heading == s.heading && p.level == s.level && p.path == s.path
        };
        match &s.heading {
            None => {
                assert!(i == 0 || part_of_previous, "the lead comes first: {i}");
                assert!(s.anchor.is_empty() && s.level == 1 && s.path.is_empty());
                continue;
            }
            Some(heading) => {
                assert_no_controls(heading, false);
                assert!(!s.anchor.is_empty(), "section {i} has an anchor");
                if part_of_previous {
                    continue;
                }
                assert!(anchors.insert(s.anchor.as_str()), "anchor {:?} twice", s.anchor);
                while open.last().is_some_and(|&(level, _)| level >= s.level) {
                    open.pop();
                }
                let expected: Vec<&str> = open.iter().map(|&(_, h)| h).collect();
                assert_eq!(s.path, expected, "path of section {i} ({heading:?})");
                open.push((s.level, heading));
            }
        }
    }
}

/// Panics when `s` holds a control character (other than `\n` in text).
pub fn assert_no_controls(s: &str, text: bool) {
    if let Some(c) = s.chars().find(|&c| c.is_control() && !(text && c == '\n')) {
        panic!("control character {c:?} in {s:?}");
    }
}

/// Panics unless the letters and digits of the sections' headings and text,
/// in order, are a subsequence of those of `input` (see the module).
pub fn text_is_accounted_for(input: &str, article: &Article) {
    let mut source = input
        .chars()
        .filter(|c| c.is_alphanumeric() && !rubric_core::text::is_zero_width(*c));
    for (i, s) in article.sections().iter().enumerate() {
        let shown = s.heading.iter().map(String::as_str).chain([s.text.as_str()]);
        for piece in shown {
            for c in piece.chars().filter(|c| c.is_alphanumeric()) {
                assert!(
                    source.by_ref().any(|d| d == c),
                    "section {i}: {c:?} of {piece:?} is not in the input, or comes out twice or out of order"
                );
            }
        }
    }
}

/// `data` as text for the targets that want text: lossy UTF-8.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
