//! The markdown extractor, bytes in: never panics, and every article keeps
//! the outline invariants and accounts for its text (see the crate docs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric_extract::{Format, Input, extract};

fuzz_target!(|data: &[u8]| {
    let input = Input::new("fuzz.markdown", "fuzz.markdown", Format::Markdown, data);
    let Ok(article) = extract(&input) else {
        return;
    };
    rubric_fuzz::check_article(&article);
    let text = rubric_fuzz::text(data);
    // Entities (`&#65;`) and backslash escapes make characters the bytes
    // do not hold as such.
    if !text.contains(['&', '\\']) {
        rubric_fuzz::text_is_accounted_for(&text, &article);
    }
});
