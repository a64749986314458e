//! The HTML extractor, bytes in: never panics, and every article keeps the
//! outline invariants (see the crate docs). The canonical-link reader runs
//! on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric_extract::{Format, Input, canonical_url, extract};

fuzz_target!(|data: &[u8]| {
    let input = Input::new("fuzz.html", "fuzz.html", Format::Html, data);
    if let Ok(article) = extract(&input) {
        rubric_fuzz::check_article(&article);
    }
    let _ = canonical_url(&rubric_fuzz::text(data));
});
