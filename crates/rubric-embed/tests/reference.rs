//! The crate's vectors against the reference implementation's
//! (sentence-transformers on PyTorch; `fixtures/make_reference.py` wrote
//! `fixtures/reference.json`), within 1e-4.
//!
//! Needs the real model: `RUBRIC_TEST_MODEL=/path/to/all-MiniLM-L6-v2`.
//! Without it the test prints SKIPPED and passes. Besides the model as it
//! is, two variants of its folder (made here with the same edits as the
//! script makes) check CLS and max pooling, a query prompt and no
//! normalisation on real weights.

use std::io::Write;
use std::path::Path;

use rubric_embed::{CopyWeights, Model, copy_model};
use serde::Deserialize;
use serde_json::{Value, json};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const TOLERANCE: f64 = 1e-4;
const BGE_QUERY: &str = "Represent this sentence for searching relevant passages: ";

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

/// Rewrites a JSON file of a model folder.
fn edit(path: &Path, change: impl FnOnce(&mut Value)) -> Result {
    let mut value: Value = serde_json::from_slice(&std::fs::read(path)?)?;
    change(&mut value);
    std::fs::write(path, serde_json::to_vec(&value)?)?;
    Ok(())
}

/// The folder for `variant` of the model at `src`, made in `tmp` (as
/// make_reference.py's `variant` does).
fn make_variant(src: &Path, tmp: &Path, variant: &str) -> Result<std::path::PathBuf> {
    let (mode, prompts, normalize) = match variant {
        "cls-query-prompt" => ("cls", json!({"query": BGE_QUERY}), true),
        "max" => ("max", json!({}), false),
        other => return Err(format!("no such variant {other:?}").into()),
    };
    let dir = tmp.join(variant);
    copy_model(src, &dir, CopyWeights::AsIs)?;
    edit(&dir.join("1_Pooling/config.json"), |c| {
        c["pooling_mode_cls_token"] = (mode == "cls").into();
        c["pooling_mode_mean_tokens"] = (mode == "mean").into();
        c["pooling_mode_max_tokens"] = (mode == "max").into();
    })?;
    edit(&dir.join("config_sentence_transformers.json"), |c| {
        c["prompts"] = prompts;
    })?;
    edit(&dir.join("modules.json"), |m| {
        if let Some(modules) = m.as_array_mut()
            && !normalize
        {
            modules.retain(|m| {
                !m["type"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("Normalize")
            });
        }
    })?;
    Ok(dir)
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() < TOLERANCE * want.abs().max(1.0)
}

fn check(model: &Model, entry: &Entry) -> Result {
    let info = model.info();
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
    for (d, (got, want)) in v.iter().zip(&entry.first8).enumerate() {
        assert!(
            close(*got, *want),
            "{} {:?} dimension {d}: {got} vs {want}",
            entry.model,
            entry.text
        );
    }
    let measured = [
        (
            "norm",
            v.iter().map(|x| x * x).sum::<f64>().sqrt(),
            entry.norm,
        ),
        ("sum", v.iter().sum(), entry.sum),
        ("checksum", checksum, entry.checksum),
    ];
    for (what, got, want) in measured {
        assert!(
            close(got, want),
            "{} {:?} {what}: {got} vs {want}",
            entry.model,
            entry.text
        );
    }
    Ok(())
}

#[test]
fn embeddings_match_sentence_transformers() -> Result {
    let Some(dir) = std::env::var_os("RUBRIC_TEST_MODEL") else {
        // Straight to stderr, past the test harness's capture, so the skip shows.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED embeddings_match_sentence_transformers: set RUBRIC_TEST_MODEL \
             to a model folder named in tests/fixtures/reference.json"
        );
        return Ok(());
    };
    let dir = Path::new(&dir);
    let fixture: Fixture = serde_json::from_str(include_str!("fixtures/reference.json"))?;
    let model = Model::load(dir)?;
    let name = model.info().name.clone();
    let tmp = tempfile::tempdir()?;
    let mut checked = 0;
    let mut variants = std::collections::BTreeMap::new();
    for entry in &fixture.entries {
        let (base, variant) = match entry.model.split_once('#') {
            Some((base, variant)) => (base, Some(variant)),
            None => (entry.model.as_str(), None),
        };
        if base != name {
            continue;
        }
        match variant {
            None => check(&model, entry)?,
            Some(variant) => {
                if !variants.contains_key(variant) {
                    let folder = make_variant(dir, tmp.path(), variant)?;
                    variants.insert(variant.to_owned(), Model::load(folder)?);
                }
                check(&variants[variant], entry)?;
            }
        }
        checked += 1;
    }
    assert!(
        checked > 0,
        "no reference values for a model named {name:?} (the folder's name)"
    );
    Ok(())
}
