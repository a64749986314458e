//! How well language detection does on real pages: each HTML page of a
//! folder is extracted, its declared language (`<html lang>`, normalised)
//! is the truth, and its text (title, headings, sections) is detected as
//! if the page had declared nothing — in full and cut to a few lengths.
//! Pages that declare nothing are counted and left out.
//!
//! ```sh
//! cargo run --release -p rubric-extract --example language_eval -- ../shared/eval/traf-dev/pages
//! ```
//!
//! With `--expect CODE FILE.jsonl` it reads a JSON Lines corpus instead,
//! every record expected to be in CODE (SciFact: `--expect en`), and lists
//! the records detected otherwise.

use std::collections::BTreeMap;
use std::path::Path;

use rubric_extract::language::{MIN_DETECT_CHARS, detect, detect_raw, detection_text};
use rubric_extract::{Article, Format, Input, extract, extract_all};

/// Lengths (in characters) the texts are cut to.
const LENGTHS: &[usize] = &[10, 20, 30, 50, 75, 100, 200, 500, 1_000];

#[derive(Default)]
struct Tally {
    n: usize,
    raw_right: usize,
    reliable: usize,
    reliable_right: usize,
    /// The shipped rule ([`detect`]): answered, and answered right.
    answered: usize,
    answered_right: usize,
}

impl Tally {
    fn add(&mut self, text: &str, truth: &str) {
        self.n += 1;
        if let Some(d) = detect_raw(text) {
            self.raw_right += usize::from(d.language == truth);
            if d.reliable {
                self.reliable += 1;
                self.reliable_right += usize::from(d.language == truth);
            }
        }
        if let Some(found) = detect(text) {
            self.answered += 1;
            self.answered_right += usize::from(found == truth);
        }
    }

    fn row(&self, label: &str) -> String {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "    -".to_string()
            } else {
                format!("{:5.1}", 100.0 * a as f64 / b as f64)
            }
        };
        format!(
            "| {label:>8} | {:>4} | {} | {} | {} | {} | {} |",
            self.n,
            pct(self.raw_right, self.n),
            pct(self.reliable, self.n),
            pct(self.reliable_right, self.reliable),
            pct(self.answered, self.n),
            pct(self.answered_right, self.answered),
        )
    }
}

const HEADER: &str = "|    group |    n | raw acc % | reliable % | acc of reliable % | answered % | acc of answered % |\n|---:|---:|---:|---:|---:|---:|---:|";

fn first_chars(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

fn text_of(article: &Article) -> String {
    detection_text(&article.clone().into_draft())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, code, file] = args.as_slice()
        && flag == "--expect"
    {
        return expect(code, Path::new(file));
    }
    let Some(dir) = args.first() else {
        return Err("usage: language_eval DIR | --expect CODE FILE.jsonl".into());
    };
    let mut by_language: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_length: BTreeMap<usize, Tally> = BTreeMap::new();
    let mut undeclared = 0;
    let mut failed = 0;
    let mut wrong: Vec<String> = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path)?;
        let name = path.display().to_string();
        let Ok(article) = extract(&Input::new(&name, &name, Format::Html, &bytes)) else {
            failed += 1;
            continue;
        };
        let Some(truth) = article.metadata().language.clone() else {
            undeclared += 1;
            continue;
        };
        let text = text_of(&article);
        by_language
            .entry(truth.clone())
            .or_default()
            .add(&text, &truth);
        by_language
            .entry("all".into())
            .or_default()
            .add(&text, &truth);
        let chars = text.chars().count();
        for &len in LENGTHS {
            if chars >= len {
                by_length
                    .entry(len)
                    .or_default()
                    .add(first_chars(&text, len), &truth);
            }
        }
        by_length.entry(usize::MAX).or_default().add(&text, &truth);
        if let Some(found) = detect(&text)
            && found != truth
        {
            wrong.push(format!(
                "{truth} detected {found}: {} ({} chars)",
                path.file_name().unwrap_or_default().to_string_lossy(),
                chars
            ));
        }
    }
    println!("pages without a declared language: {undeclared}; not extracted: {failed}");
    println!("rule: at least {MIN_DETECT_CHARS} letters and whatlang's reliable flag\n");
    println!("By declared language (whole text):\n{HEADER}");
    for (lang, tally) in &by_language {
        println!("{}", tally.row(lang));
    }
    println!("\nBy text length (first N characters; pages at least that long):\n{HEADER}");
    for (len, tally) in &by_length {
        let label = if *len == usize::MAX {
            "whole".to_string()
        } else {
            len.to_string()
        };
        println!("{}", tally.row(&label));
    }
    println!("\nWrong answers of the rule on whole texts:");
    for w in wrong {
        println!("  {w}");
    }
    Ok(())
}

/// Every record of `file` is expected in `code`: how many are detected so.
fn expect(code: &str, file: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(file)?;
    let name = file.display().to_string();
    let input = Input::new(&name, &name, Format::Jsonl, &bytes);
    let mut tally = Tally::default();
    let mut other: BTreeMap<String, usize> = BTreeMap::new();
    for article in extract_all(&input).into_iter().flatten() {
        let text = text_of(&article);
        tally.add(&text, code);
        let said = detect(&text).unwrap_or("-");
        if said != code {
            *other.entry(said.to_string()).or_default() += 1;
            if said != "-" {
                println!("{} -> {said}: {}", article.id(), first_chars(&text, 100));
            }
        }
    }
    println!("{HEADER}\n{}", tally.row(code));
    println!("not {code} (\"-\": too short or unreliable): {other:?}");
    Ok(())
}
