//! Character sets: bytes as served or as stored become UTF-8 text. The
//! order is the browsers': a byte-order mark, then the `charset` of the
//! `Content-Type` header (a fetched page; a file has none), then (for HTML)
//! a `<meta charset>` or `<meta http-equiv>` in the first bytes, then
//! detection with chardetng. Labels are WHATWG's, so `iso-8859-1` decodes as
//! windows-1252, as browsers do. `rubric-fetch` decodes bodies with
//! [`decode`], and `rubric-extract` the HTML files that are not UTF-8.
//!
//! The meta look-up is the HTML standard's pre-scan done on bytes (find
//! `<meta`, read its `charset=`): it is not an HTML parser, which this crate
//! leaves to `rubric-extract`. Bytes that are invalid in the chosen encoding
//! become U+FFFD.

use encoding_rs::Encoding;

/// How many leading bytes of an HTML page are scanned for `<meta charset>`.
const META_SCAN_BYTES: usize = 4096;

/// Decodes `bytes` to UTF-8 text. `content_type` is the header as sent (its
/// `charset` parameter counts; `None` for a file); `html` enables the
/// `<meta>` pre-scan.
pub fn decode(bytes: &[u8], content_type: Option<&str>, html: bool) -> String {
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| content_type.and_then(header_charset))
        .or_else(|| if html { meta_charset(bytes) } else { None })
        .unwrap_or_else(|| detect(bytes));
    // A page that says UTF-16 in a meta is not UTF-16 (it could not have been
    // read to find the meta): the standard says to take UTF-8.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        if Encoding::for_bom(bytes).is_some() {
            encoding
        } else {
            encoding_rs::UTF_8
        }
    } else {
        encoding
    };
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// The encoding named by the `charset` parameter of a `Content-Type` value.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// The encoding a `<meta charset=...>` or `<meta http-equiv=Content-Type
/// content="...; charset=...">` names within the first bytes of a page.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_SCAN_BYTES)];
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + at + 5;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |p| start + p);
        let tag = &lower[start..end];
        if let Some(p) = memchr::memmem::find(tag, b"charset") {
            let rest = &tag[p + 7..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label_end = rest
                    .iter()
                    .position(|&b| {
                        matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace()
                    })
                    .unwrap_or(rest.len());
                if let Some(enc) = Encoding::for_label(&rest[..label_end]) {
                    return Some(enc);
                }
            }
        }
        from = end;
    }
    None
}

/// chardetng's guess (UTF-8 allowed), for bytes that declare nothing.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_charset_wins_over_the_meta() {
        let page = b"<meta charset=utf-8><p>caf\xe9</p>";
        assert_eq!(
            decode(page, Some("text/html; charset=ISO-8859-1"), true),
            "<meta charset=utf-8><p>café</p>"
        );
    }

    #[test]
    fn latin1_page_with_only_a_meta_charset() {
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"></head><p>na\xefve caf\xe9</p>";
        assert!(decode(page, Some("text/html"), true).contains("naïve café"));
        let page = b"<meta charset='latin1'><p>\xe9t\xe9</p>";
        assert!(decode(page, None, true).contains("été"));
    }

    #[test]
    fn utf8_without_any_declaration_is_detected() {
        assert_eq!(
            decode("héllo wörld".as_bytes(), Some("text/plain"), false),
            "héllo wörld"
        );
    }

    #[test]
    fn a_bom_wins() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFhi", Some("text/plain; charset=latin1"), false),
            "hi"
        );
    }

    #[test]
    fn meta_utf16_means_utf8() {
        assert_eq!(
            decode("<meta charset=utf-16><p>é".as_bytes(), None, true),
            "<meta charset=utf-16><p>é"
        );
    }
}
