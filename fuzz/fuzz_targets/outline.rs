//! The outline builder (`SectionBuilder`) driven by a stream of operations
//! decoded from the bytes, then `Draft::finish`: never panics, keeps the
//! outline invariants, and each section holds exactly the blocks pushed
//! under its heading (trimmed, blank ones left out, one per line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric_core::{Draft, Format, SectionBuilder};

/// A few bytes of the input as a short string (length from the first byte).
fn take<'a>(data: &mut &'a [u8]) -> String {
    let Some((&n, rest)) = data.split_first() else {
        return String::new();
    };
    let n = usize::from(n % 24).min(rest.len());
    let (s, rest) = rest.split_at(n);
    *data = rest;
    String::from_utf8_lossy(s).into_owned()
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let mut b = SectionBuilder::new();
    // What each section should hold: the lead's blocks, then one entry per
    // heading.
    let mut lead: Vec<String> = Vec::new();
    let mut texts: Vec<Vec<String>> = Vec::new();
    while let Some((&op, rest)) = data.split_first() {
        data = rest;
        match op % 4 {
            0 => {
                let heading = take(&mut data);
                let id = if op & 0x10 != 0 { Some(take(&mut data)) } else { None };
                b.push_heading(op / 16 % 7 + 1, &heading, id.as_deref());
                texts.push(Vec::new());
            }
            1 | 2 => {
                let block = take(&mut data);
                b.push_text(&block);
                let trimmed = block.trim();
                if !trimmed.is_empty() {
                    texts.last_mut().unwrap_or(&mut lead).push(trimmed.to_string());
                }
            }
            _ => b.reserve_anchor(&take(&mut data)),
        }
    }
    let sections = b.finish();
    let article = Draft::new("a", "a", Format::Text, "A", sections).finish();
    rubric_fuzz::check_article(&article);
    let mut expected: Vec<String> = Vec::new();
    if !lead.is_empty() {
        expected.push(lead.join("\n"));
    }
    expected.extend(texts.iter().map(|blocks| blocks.join("\n")));
    let clean = |s: &str| rubric_core::text::strip_controls(s, true).into_owned();
    let got: Vec<String> = article.sections().iter().map(|s| s.text.clone()).collect();
    let expected: Vec<String> = expected.iter().map(|s| clean(s)).collect();
    assert_eq!(got, expected);
});
