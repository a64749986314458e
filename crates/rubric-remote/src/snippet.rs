//! An engine's highlighted fragment as Rubric's [`Excerpt`]: the engines
//! answer HTML-escaped text with the matches between tags (`<b>…</b>`);
//! Rubric's hits carry the plain text and the byte ranges of the matches
//! (rendered as `<mark>` in JSON, bold on a terminal). A fragment cut from
//! a longer text gets `…` at the cut ends, as Rubric's own snippets do.

use rubric_index::Excerpt;

const ELLIPSIS: &str = "…";

/// The excerpt of `fragment` (the engine's highlighted piece of `text`), or
/// the start of `text` when the engine gave none (only the title or heading
/// matched).
pub(crate) fn from_fragment(
    fragment: Option<&str>,
    text: &str,
    open: &str,
    close: &str,
    max_chars: usize,
) -> Excerpt {
    let Some(fragment) = fragment.filter(|f| !f.trim().is_empty()) else {
        return lead(text, max_chars);
    };
    let mut plain = String::with_capacity(fragment.len());
    let mut highlights = Vec::new();
    let mut start = None;
    let mut rest = fragment;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix(open) {
            start = Some(plain.len());
            rest = after;
        } else if let Some(after) = rest.strip_prefix(close) {
            if let Some(s) = start.take()
                && s < plain.len()
            {
                highlights.push(s..plain.len());
            }
            rest = after;
        } else if c == '&' {
            let (decoded, used) = entity(rest);
            plain.push(decoded);
            rest = &rest[used..];
        } else {
            plain.push(if c.is_whitespace() { ' ' } else { c });
            rest = &rest[c.len_utf8()..];
        }
    }
    // Trim, keeping the ranges in step.
    let lead_ws = plain.len() - plain.trim_start().len();
    let plain_trimmed = plain.trim().to_string();
    let mut highlights: Vec<_> = highlights
        .into_iter()
        .filter_map(|r| {
            let s = r.start.saturating_sub(lead_ws);
            let e = (r.end - lead_ws.min(r.end)).min(plain_trimmed.len());
            (s < e).then_some(s..e)
        })
        .collect();
    let mut out = plain_trimmed;
    if !text.is_empty() {
        let flat: String = text
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let flat = flat.trim();
        if !flat.starts_with(out.as_str()) {
            out.insert_str(0, ELLIPSIS);
            for r in &mut highlights {
                *r = r.start + ELLIPSIS.len()..r.end + ELLIPSIS.len();
            }
        }
        if !flat.ends_with(out.trim_start_matches(ELLIPSIS)) {
            out.push_str(ELLIPSIS);
        }
    }
    Excerpt {
        text: out,
        highlights,
    }
}

/// The first `max_chars` characters of `text` on one line, cut at a word.
fn lead(text: &str, max_chars: usize) -> Excerpt {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = match flat.char_indices().nth(max_chars) {
        None => flat,
        Some((cut, _)) => {
            let head = &flat[..cut];
            let head = head.rsplit_once(' ').map_or(head, |(h, _)| h);
            format!("{head}{ELLIPSIS}")
        }
    };
    out.truncate(out.trim_end().len());
    Excerpt {
        text: out,
        highlights: Vec::new(),
    }
}

/// The character an HTML entity at the start of `s` stands for, and its
/// length; a lone `&` is itself.
fn entity(s: &str) -> (char, usize) {
    // An entity is short: look for its `;` in the first bytes only (bytes,
    // not a slice, which could end inside a character).
    let Some(end) = s.bytes().take(12).position(|b| b == b';') else {
        return ('&', 1);
    };
    let name = &s[1..end];
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let code =
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    name.strip_prefix('#').and_then(|d| d.parse().ok())
                };
            code.and_then(char::from_u32)
        }
    };
    match c {
        Some(c) => (c, end + 1),
        None => ('&', 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(e: &Excerpt) -> String {
        e.pieces()
            .map(|(p, hl)| if hl { format!("[{p}]") } else { p.to_string() })
            .collect()
    }

    #[test]
    fn quickwit_fragments_become_plain_text_with_ranges() {
        let text = "Intro. Quickwit's default merge policy is stable.\nMore text after.";
        let e = from_fragment(
            Some("Quickwit&#x27;s default <b>merge</b> <b>policy</b> is stable."),
            text,
            "<b>",
            "</b>",
            200,
        );
        assert_eq!(
            marked(&e),
            "…Quickwit's default [merge] [policy] is stable.…"
        );
        assert_eq!(
            e.to_html(),
            "…Quickwit&#x27;s default <mark>merge</mark> <mark>policy</mark> is stable.…"
                .replace("&#x27;", &rubric_core::text::escape_html("'"))
        );
    }

    /// Regression: a `&` followed within 12 bytes by a character of several
    /// bytes panicked ("end byte index 12 is not a char boundary"), on the
    /// SciFact query whose fragment held `&gt;C (5.6 × 10(-8))`.
    #[test]
    fn an_ampersand_before_a_multibyte_character_is_read() {
        let fragment = "&gt;C (5.6 × 10(-8)) & ×× <b>linkage</b>";
        let e = from_fragment(Some(fragment), "", "<b>", "</b>", 200);
        assert_eq!(marked(&e), ">C (5.6 × 10(-8)) & ×× [linkage]");
    }

    #[test]
    fn a_whole_text_gets_no_ellipsis_and_no_fragment_gives_the_start() {
        let e = from_fragment(Some("<b>a</b> &amp; b"), "a & b", "<b>", "</b>", 200);
        assert_eq!(marked(&e), "[a] & b");
        let e = from_fragment(None, "one two three four", "<b>", "</b>", 9);
        assert_eq!(e.text, "one two…");
        assert!(e.highlights.is_empty());
        let e = from_fragment(Some(""), "short", "<b>", "</b>", 9);
        assert_eq!(e.text, "short");
    }
}
