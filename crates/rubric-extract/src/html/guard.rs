//! The checks a page passes before it is parsed: its size, its text, and how
//! deep its elements nest.
//!
//! A page that is not UTF-8 is decoded the way `rubric-fetch` decodes a
//! served body ([`rubric_core::charset::decode`]: its BOM, its `<meta
//! charset>`, else chardetng's guess), so a saved page reads like the live
//! one.
//!
//! html5ever checks the stack of open elements at each tag, so parsing time
//! grows with the square of the nesting depth; a page far deeper than any
//! real one is refused here, from one pass over the bytes, with an error
//! naming the source. This module does not parse or repair markup, and it
//! only estimates the depth (the parser decides the tree).

use std::borrow::Cow;

use rubric_core::charset;

use crate::{ErrorKind, ExtractError, Input, decode_text};

/// The page's text, when it is small enough, text ([`decode_text`]; bytes
/// that are not UTF-8 are decoded by the character set the page declares,
/// else a guess) and not nested deeper than [`MAX_NESTING`]: safe to hand to
/// the parser.
pub(super) fn checked_text<'b>(input: &Input<'b>) -> Result<Cow<'b, str>, ExtractError> {
    if input.bytes.len() > MAX_HTML_BYTES {
        return Err(input.error(ErrorKind::TooLarge {
            size: input.bytes.len(),
            limit: MAX_HTML_BYTES,
        }));
    }
    let src = match decode_text(input.source, input.bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(e) if matches!(e.kind, ErrorKind::NotUtf8 { .. }) => {
            Cow::Owned(charset::decode(input.bytes, None, true))
        }
        Err(e) => return Err(e),
    };
    let depth = nesting_depth(&src);
    if depth > MAX_NESTING {
        return Err(input.error(ErrorKind::TooDeep {
            depth,
            limit: MAX_NESTING,
        }));
    }
    Ok(src)
}

/// Largest page read, in bytes: a bigger one is an error rather than minutes
/// of parsing (real article pages are well under 5 MB).
pub const MAX_HTML_BYTES: usize = 32 << 20;

/// Deepest element nesting read. The HTML parser checks the stack of open
/// elements at each tag, so its time grows with the square of the depth
/// (100,000 nested `<div>`s take minutes); real pages nest a few hundred deep.
pub const MAX_NESTING: usize = 4096;

/// The deepest nesting of elements the markup asks for, estimated in one
/// pass over the bytes: start tags open, end tags close; void elements,
/// self-closed tags, elements that close themselves (`p`, `li`, cells,
/// options), comments, doctypes and the insides of `<script>` and `<style>`
/// do not count.
fn nesting_depth(src: &str) -> usize {
    const SELF_CLOSING: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
        b"source", b"track", b"wbr", b"p", b"li", b"td", b"th", b"tr", b"dt", b"dd", b"option",
        b"param", b"keygen",
    ];
    let bytes = src.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        i += offset + 1;
        if bytes[i..].starts_with(b"!--") {
            i = find_ci(&bytes[i..], b"-->").map_or(bytes.len(), |p| i + p);
            continue;
        }
        let closing = bytes.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let name_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = bytes[start..start + name_len].to_ascii_lowercase();
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(bytes.len(), |p| start + p);
        let self_closed = end > 0 && bytes.get(end - 1) == Some(&b'/');
        i = end;
        if closing {
            if !SELF_CLOSING.contains(&name.as_slice()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if name == b"script" || name == b"style" {
            let close: &[u8] = if name == b"script" {
                b"</script"
            } else {
                b"</style"
            };
            i = find_ci(&bytes[i..], close).map_or(bytes.len(), |p| i + p);
            continue;
        }
        if !self_closed && !SELF_CLOSING.contains(&name.as_slice()) {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// Where `needle` (lower-case ASCII) first occurs in `hay`, ignoring case.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::super::extract;
    use super::*;

    #[test]
    fn nesting_is_estimated_without_parsing() {
        assert_eq!(
            nesting_depth("<div><p>a<p>b<br><img src=x/></div><div><b>c</b></div>"),
            2
        );
        assert_eq!(
            nesting_depth("<script>if (a<b) { x = '<div>'; }</script><i>x</i>"),
            1
        );
        assert_eq!(nesting_depth(&"<div>".repeat(50)), 50);
        assert_eq!(nesting_depth("<!-- <div> --> a < b"), 0);
    }

    #[test]
    fn absurdly_deep_pages_are_an_error_not_minutes() {
        let deep = "<div>".repeat(200_000) + "x";
        let e = extract(&Input::new(
            "d",
            "web/deep.html",
            crate::Format::Html,
            deep.as_bytes(),
        ))
        .unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::TooDeep { .. }) && e.to_string().contains("web/deep.html")
        );
    }

    #[test]
    fn pages_in_other_character_sets_are_decoded_by_their_meta_or_a_guess() {
        let latin1 =
            b"<meta charset=iso-8859-1><article><p>Caf\xe9 cr\xe8me, na\xefve.</p></article>";
        assert_eq!(page_bytes(latin1).sections[0].text, "Café crème, naïve.");
        let undeclared =
            b"<p>Gr\xfc\xdfe aus M\xfcnchen, sch\xf6ne Stra\xdfen und \xdcberraschungen.</p>";
        assert_eq!(
            page_bytes(undeclared).sections[0].text,
            "Grüße aus München, schöne Straßen und Überraschungen."
        );
        let stray = b"<meta charset=utf-8><p>A stray \xff byte.</p>";
        assert_eq!(page_bytes(stray).sections[0].text, "A stray \u{fffd} byte.");
    }

    fn page_bytes(bytes: &[u8]) -> crate::Draft {
        extract(&Input::new("p", "web/p.html", crate::Format::Html, bytes)).unwrap()
    }

    #[test]
    fn huge_pages_are_an_error_naming_the_source() {
        let big = vec![b'a'; MAX_HTML_BYTES + 1];
        let e = extract(&Input::new("b", "web/big.html", crate::Format::Html, &big)).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::TooLarge { .. }) && e.to_string().contains("web/big.html")
        );
    }
}
