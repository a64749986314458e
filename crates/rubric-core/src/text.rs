//! Small text helpers every stage shares: whitespace collapsing, the bare
//! form of a word, HTML escaping, control characters (removed from content,
//! escaped for a terminal) and article ids made safe for hit ids and URLs. Pure functions on `&str`; what counts
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

/// Control characters (Unicode `Cc`: C0, DEL, C1) are never content: they
/// are terminal commands (ESC starts an escape sequence, BEL rings), form
/// feeds and stray NULs. Blanks among them (tab, carriage return, vertical
/// tab, form feed) become a space; line feeds stay when `keep_newlines`
/// (section text keeps its one paragraph per line) and become a space
/// otherwise; every other one is removed.
///
/// ```
/// use rubric_core::text::strip_controls;
/// assert_eq!(strip_controls("a\u{1b}[2Jb\tc\u{7}", false), "a[2Jb c");
/// assert_eq!(strip_controls("one\ntwo\r\n", true), "one\ntwo \n");
/// ```
pub fn strip_controls(s: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    if !s
        .chars()
        .any(|c| c.is_control() && !(keep_newlines && c == '\n'))
    {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `s` with every control character written out as `\xHH` (`\u{HHHH}`
/// beyond Latin-1), for printing text from an index to a terminal: a
/// stored ESC shows as `\x1b` and does nothing.
///
/// ```
/// assert_eq!(rubric_core::text::escape_controls("a\u{1b}[2J\u{9b}"), "a\\x1b[2J\\x9b");
/// ```
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// An article id made safe to stand before the `#` of a hit id
/// (`article#anchor`) or in a URL path: `%`, `#` and `?` are
/// percent-encoded, so the first `#` of a hit id always ends the article
/// part and decoding it gives the id back. An id that is an `http(s)` URL
/// (a web page's) is already encoded and has no fragment; it is kept as it
/// is, apart from a `#` (encoded), so a hit id of a page stays its URL.
///
/// ```
/// use rubric_core::text::escape_id;
/// assert_eq!(escape_id("notes#intro?v=2"), "notes%23intro%3Fv=2");
/// assert_eq!(escape_id("100%.md"), "100%25.md");
/// assert_eq!(escape_id("https://e.org/a?b=1"), "https://e.org/a?b=1");
/// assert_eq!(escape_id("skin/acne.md"), "skin/acne.md");
/// ```
pub fn escape_id(id: &str) -> std::borrow::Cow<'_, str> {
    let url = id.starts_with("https://") || id.starts_with("http://");
    let special = |c: char| c == '#' || (!url && (c == '%' || c == '?'));
    if !id.contains(special) {
        return std::borrow::Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() + 6);
    for c in id.chars() {
        match c {
            '#' => out.push_str("%23"),
            '%' if !url => out.push_str("%25"),
            '?' if !url => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The messages of an error and its causes, outermost first, leaving out a
/// cause whose message the one before it already holds (io, walkdir and
/// reqwest errors often repeat their cause's).
pub fn error_messages(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in std::iter::successors(Some(error), |e| e.source()) {
        let text = e.to_string();
        if out.last().is_none_or(|last| !last.contains(&text)) {
            out.push(text);
        }
    }
    out
}

/// An error and its causes on one line, `outer: inner: innermost`, each
/// said once (see [`error_messages`]).
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    error_messages(error).join(": ")
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

    #[derive(Debug)]
    struct Wrapped(std::io::Error, &'static str);

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.1)
        }
    }

    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn error_chains_say_each_cause_once() {
        let io = || std::io::Error::other("Too many levels of symbolic links");
        let plain = Wrapped(io(), "a.md: cannot read");
        assert_eq!(
            error_chain(&plain),
            "a.md: cannot read: Too many levels of symbolic links"
        );
        let repeating = Wrapped(io(), "walk: Too many levels of symbolic links");
        assert_eq!(
            error_chain(&repeating),
            "walk: Too many levels of symbolic links"
        );
        assert_eq!(error_messages(&repeating).len(), 1);
    }

    #[test]
    fn bare_words() {
        assert_eq!(bare_word("(Acne),"), "acne");
        assert_eq!(bare_word("--"), "");
        assert_eq!(bare_word("Étude."), "étude");
    }
}
