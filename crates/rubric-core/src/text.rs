//! Small text helpers every stage shares: whitespace collapsing, the bare
//! form of a word, and HTML escaping. Pure functions on `&str`; what counts
//! as a heading or a snippet is the extractors' and the index's business.

/// Runs of whitespace become one space, leading and trailing whitespace
/// goes, and so do zero-width characters (see [`is_zero_width`]). One pass.
///
/// ```
/// assert_eq!(rubric_core::text::collapse("  a \n\t b\u{200b}c "), "a bc");
/// ```
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if is_zero_width(c) {
            continue;
        }
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Zero-width spaces and joiners, the soft hyphen and the byte-order mark:
/// characters that are never content of their own.
pub fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{00ad}' | '\u{feff}'
    )
}

/// `s` without zero-width characters.
pub fn drop_zero_width(s: &str) -> String {
    s.chars().filter(|&c| !is_zero_width(c)).collect()
}

/// A word without the punctuation around it, lower-cased: `"(Acne),"` is
/// `acne`.
pub fn bare_word(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// `text` escaped for HTML text and attribute values (`&`, `<`, `>`, `"`,
/// `'`).
///
/// ```
/// assert_eq!(rubric_core::text::escape_html("<b>\"x\" & 'y'</b>"),
///            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_html_into(&mut out, text);
    out
}

/// [`escape_html`], appending to `out`.
pub fn escape_html_into(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_is_split_whitespace_joined_after_dropping_zero_width() {
        for s in [
            "",
            " ",
            "a",
            " a  b ",
            "a\u{00ad}b",
            "\u{feff} x \u{200d} y",
        ] {
            let expected = drop_zero_width(s)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(collapse(s), expected, "{s:?}");
        }
    }

    #[test]
    fn bare_words() {
        assert_eq!(bare_word("(Acne),"), "acne");
        assert_eq!(bare_word("--"), "");
        assert_eq!(bare_word("Étude."), "étude");
    }
}
