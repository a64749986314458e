//! The charset sniffer (header, BOM, `<meta charset>`, detection), bytes
//! in: never panics, and text that is UTF-8 and says so comes out as it is
//! (less a byte-order mark).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric_fetch::charset::decode;

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(1));
    let html = head.first().is_some_and(|b| b & 1 == 1);
    for content_type in [None, Some("text/html"), Some("text/html; charset=utf-8"), Some("text/plain; charset=windows-1252")] {
        let _ = decode(body, content_type, html);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let out = decode(body, Some("text/html; charset=utf-8"), html);
        assert_eq!(out, text.strip_prefix('\u{feff}').unwrap_or(text));
    }
});
