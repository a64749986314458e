//! The text extractor, bytes in: never panics, and every article keeps
//! the outline invariants and accounts for its text (see the crate docs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric_extract::{Format, Input, extract};

fuzz_target!(|data: &[u8]| {
    let input = Input::new("fuzz.text", "fuzz.text", Format::Text, data);
    let Ok(article) = extract(&input) else {
        return;
    };
    rubric_fuzz::check_article(&article);
    let text = rubric_fuzz::text(data);
    rubric_fuzz::text_is_accounted_for(&text, &article);
});
