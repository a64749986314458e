//! What changes `EXTRACTOR_VERSION` (and so makes every user re-read every
//! source): code, not comments, doc comments, formatting or tests.

#[path = "../build/fingerprint.rs"]
mod fingerprint;

fn fingerprint(source: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    fingerprint::hash_source(&mut hasher, source);
    hasher.finalize().to_hex().to_string()
}

const CODE: &str = "
/// Adds.
pub fn add(a: u8, b: u8) -> u8 {
    a + b
}
";

#[test]
fn comments_doc_comments_formatting_and_tests_leave_the_version_alone() {
    let same = [
        "//! A module doc.\npub fn add(a: u8, b: u8) -> u8 { a + b }",
        "pub fn add(a: u8,\n           b: u8) -> u8 {\n    // why\n    a + b /* sum */\n}\n",
        "#[doc = \"Adds.\"]\npub fn add(a: u8, b: u8) -> u8 { a + b }",
        "pub fn add(a: u8, b: u8) -> u8 { a + b }\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() { assert_eq!(super::add(1, 2), 3); }\n}\n",
    ];
    let base = fingerprint(CODE);
    for source in same {
        assert_eq!(fingerprint(source), base, "{source}");
    }
}

#[test]
fn code_changes_change_the_version() {
    let different = [
        "pub fn add(a: u8, b: u8) -> u8 { b + a }",
        "pub fn add(a: u8, b: u8) -> u8 { a - b }",
        "pub fn add(a: u8, b: u8) -> u16 { a + b }",
        "pub fn add(a: u8, b: u8) -> u8 { a + b }\n#[cfg(feature = \"x\")]\nmod more {}",
        "pub const WORDS: &[&str] = &[\"by\"];",
        "pub const WORDS: &[&str] = &[\"by\", \"via\"];",
    ];
    let base = fingerprint(CODE);
    let mut seen = vec![base];
    for source in different {
        let print = fingerprint(source);
        assert!(!seen.contains(&print), "{source}");
        seen.push(print);
    }
}
