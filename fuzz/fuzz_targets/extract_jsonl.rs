//! The JSON Lines extractor, bytes in: never panics, one result per
//! non-blank line, errors name their line, and every article keeps the
//! outline invariants (see the crate docs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric_extract::{Format, Input, extract_all};

fuzz_target!(|data: &[u8]| {
    let input = Input::new("", "fuzz.jsonl", Format::Jsonl, data);
    let results = extract_all(&input);
    let bom = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let lines = bom
        .split(|&b| b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    assert_eq!(results.len(), lines, "one result per non-blank line");
    for result in results {
        match result {
            Ok(article) => rubric_fuzz::check_article(&article),
            Err(e) => {
                let line = e.line.expect("a record error names its line");
                assert!(line >= 1 && line <= bom.split(|&b| b == b'\n').count());
            }
        }
    }
});
