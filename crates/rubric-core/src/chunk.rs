//! Bounded sections: a section whose text is longer than
//! [`MAX_SECTION_BYTES`] is split into consecutive parts, each with the
//! section's heading, anchor, level and path, so the text the index stores
//! and every snippet made from it stay bounded however long a source's
//! section is (a 200 MB one-line file is one section otherwise).
//!
//! Cuts fall between paragraphs (lines) where possible, else after a
//! sentence, else at a space, else between two characters; the whitespace
//! at a cut is dropped, nothing else is. [`Draft::finish`](crate::Draft::finish)
//! applies it, so every extractor's output is bounded the same way. Finding
//! headings and paragraphs is the extractors' business, not this module's.

use crate::Section;

/// The longest text a section holds, in bytes (64 KiB: far above any real
/// section, whose text is rarely over a few thousand bytes).
pub const MAX_SECTION_BYTES: usize = 64 * 1024;

/// `sections` with every over-long one split into parts of at most
/// `max_bytes` bytes, in order; ordinals are left to the caller.
pub(crate) fn split_long(sections: Vec<Section>, max_bytes: usize) -> Vec<Section> {
    if sections.iter().all(|s| s.text.len() <= max_bytes) {
        return sections;
    }
    let mut out = Vec::with_capacity(sections.len() + 1);
    for section in sections {
        if section.text.len() <= max_bytes {
            out.push(section);
            continue;
        }
        let Section {
            anchor,
            heading,
            level,
            path,
            text,
            ordinal,
        } = section;
        for part in parts(&text, max_bytes) {
            out.push(Section {
                anchor: anchor.clone(),
                heading: heading.clone(),
                level,
                path: path.clone(),
                text: part.to_string(),
                ordinal,
            });
        }
    }
    out
}

/// `text` cut into pieces of at most `max` bytes (at least one character
/// each), without the whitespace at the cuts.
fn parts(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(4);
    let mut out = Vec::with_capacity(text.len() / max + 1);
    let mut rest = text.trim();
    while rest.len() > max {
        let at = cut(rest, max);
        let (head, tail) = rest.split_at(at);
        let head = head.trim_end();
        if !head.is_empty() {
            out.push(head);
        }
        rest = tail.trim_start();
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Where to cut `text` (longer than `max`) so the head is at most `max`
/// bytes: after the last line break, else after the last sentence end,
/// else at the last space in the window, else at the last character
/// boundary. Never 0.
fn cut(text: &str, max: usize) -> usize {
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window = &text[..end];
    // Breaks in the first half would make parts too small: look in the
    // second half only.
    let floor = end / 2;
    if let Some(at) = window.rfind('\n').filter(|&at| at > floor) {
        return at + 1;
    }
    let bytes = window.as_bytes();
    for i in (floor..bytes.len().saturating_sub(1)).rev() {
        if matches!(bytes[i], b'.' | b'!' | b'?') && bytes[i + 1].is_ascii_whitespace() {
            return i + 1;
        }
    }
    if let Some(at) = window.rfind(char::is_whitespace).filter(|&at| at > floor) {
        return at;
    }
    if end == 0 {
        // One character longer than `max` (never with max >= 4).
        return text.chars().next().map_or(text.len(), char::len_utf8);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> Section {
        Section {
            anchor: "huge".into(),
            heading: Some("Huge".into()),
            level: 2,
            path: vec!["Parent".into()],
            text: text.into(),
            ordinal: 3,
        }
    }

    /// What a 200 MB one-line file made: one section as long as the file,
    /// so every query that hit it read and cut all of it.
    #[test]
    fn a_one_line_section_far_over_the_limit_is_split_at_sentences() {
        let sentence = "Quinces ripen slowly in the autumn sun. ";
        let text = sentence.repeat(20_000);
        let out = split_long(vec![section(&text)], MAX_SECTION_BYTES);
        assert!(out.len() > 10, "{} parts", out.len());
        for s in &out {
            assert!(s.text.len() <= MAX_SECTION_BYTES);
            assert!(
                s.text.starts_with("Quinces") && s.text.ends_with("sun."),
                "cut at a sentence"
            );
            assert_eq!(
                (
                    s.anchor.as_str(),
                    s.heading.as_deref(),
                    s.level,
                    &s.path[..]
                ),
                ("huge", Some("Huge"), 2, &["Parent".to_string()][..])
            );
        }
        let joined: String = out
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(joined, text.trim());
    }

    #[test]
    fn paragraphs_are_kept_whole_when_they_fit() {
        let para = format!("{}.", "word ".repeat(199).trim_end());
        let text = vec![para.as_str(); 40].join("\n");
        let out = parts(&text, 10_000);
        assert!(out.len() > 1);
        for part in &out {
            assert!(part.len() <= 10_000);
            assert!(
                part.split('\n').all(|line| line == para),
                "whole lines only"
            );
        }
        assert_eq!(out.join("\n"), text);
    }

    #[test]
    fn text_without_spaces_is_cut_between_characters() {
        let text = "é".repeat(100);
        let out = parts(&text, 9);
        assert!(out.iter().all(|p| p.len() <= 9 && !p.is_empty()));
        assert_eq!(out.concat(), text);
    }

    #[test]
    fn short_sections_are_left_as_they_are() {
        let s = vec![section("short"), section("")];
        assert_eq!(split_long(s.clone(), 100), s);
    }
}
