//! The crate's vectors against the reference implementation's
//! (sentence-transformers on PyTorch; `fixtures/make_reference.py` wrote
//! `fixtures/reference.json`), within 1e-4.
//!
//! Needs the real model: `RUBRIC_TEST_MODEL=/path/to/all-MiniLM-L6-v2`.
//! Without it the test prints SKIPPED and passes.

use std::io::Write;

use rubric_embed::Model;
use serde::Deserialize;

const TOLERANCE: f64 = 1e-4;

#[derive(Deserialize)]
struct Fixture {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    model: String,
    kind: String,
    text: String,
    max_seq_length: usize,
    dimensions: usize,
    first8: Vec<f64>,
    norm: f64,
    sum: f64,
    checksum: f64,
}

#[test]
fn embeddings_match_sentence_transformers() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dir) = std::env::var_os("RUBRIC_TEST_MODEL") else {
        // Straight to stderr, past the test harness's capture, so the skip shows.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED embeddings_match_sentence_transformers: set RUBRIC_TEST_MODEL \
             to a model folder named in tests/fixtures/reference.json"
        );
        return Ok(());
    };
    let fixture: Fixture = serde_json::from_str(include_str!("fixtures/reference.json"))?;
    let model = Model::load(&dir)?;
    let info = model.info();
    let entries: Vec<&Entry> = fixture
        .entries
        .iter()
        .filter(|e| e.model == info.name)
        .collect();
    assert!(
        !entries.is_empty(),
        "no reference values for a model named {:?} (the folder's name)",
        info.name
    );
    for entry in entries {
        assert_eq!(info.dimensions, entry.dimensions);
        assert_eq!(info.max_tokens, entry.max_seq_length);
        let v = match entry.kind.as_str() {
            "query" => model.embed_query(&entry.text)?,
            _ => model.embed_passages(&[entry.text.as_str()])?.remove(0),
        };
        let v: Vec<f64> = v.into_iter().map(f64::from).collect();
        let checksum: f64 = v
            .iter()
            .enumerate()
            .map(|(d, x)| x * ((d % 3) as f64 - 1.0))
            .sum();
        let measured = [
            (
                "norm",
                v.iter().map(|x| x * x).sum::<f64>().sqrt(),
                entry.norm,
            ),
            ("sum", v.iter().sum(), entry.sum),
            ("checksum", checksum, entry.checksum),
        ];
        let first8 = v.iter().zip(&entry.first8).enumerate();
        for (d, (got, want)) in first8 {
            assert!(
                (got - want).abs() < TOLERANCE,
                "{:?} dimension {d}: {got} vs {want}",
                entry.text
            );
        }
        for (what, got, want) in measured {
            assert!(
                (got - want).abs() < TOLERANCE,
                "{:?} {what}: {got} vs {want}",
                entry.text
            );
        }
    }
    Ok(())
}
