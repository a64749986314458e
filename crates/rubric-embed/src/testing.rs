//! Test support: a tiny BERT sentence-transformers folder made on the spot
//! (seeded random weights, a WordPiece vocabulary of a few hundred entries),
//! so tests here and in other crates can load a real [`crate::Model`] with
//! no download. Its vectors mean nothing; they are only deterministic.
//!
//! ```
//! use rubric_embed::{Model, testing::TinyModel};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! TinyModel::default().write(dir.path())?;
//! let model = Model::load(dir.path())?;
//! assert_eq!(model.info().dimensions, TinyModel::HIDDEN);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde_json::{Value, json};

use crate::folder::{self, Pooling};

/// Words of the tiny vocabulary besides the special tokens, single letters,
/// `##`-letters, digits and punctuation (so any ASCII text tokenises).
const WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "and",
    "or",
    "in",
    "on",
    "to",
    "for",
    "with",
    "after",
    "before",
    "is",
    "are",
    "was",
    "be",
    "by",
    "it",
    "this",
    "that",
    "from",
    "at",
    "as",
    "not",
    "no",
    "my",
    "your",
    "how",
    "what",
    "why",
    "when",
    "which",
    "who",
    "does",
    "do",
    "can",
    "may",
    "drinking",
    "milk",
    "lactose",
    "intolerance",
    "tummy",
    "stomach",
    "ache",
    "hurts",
    "pain",
    "gut",
    "skin",
    "eczema",
    "acne",
    "diet",
    "food",
    "sugar",
    "dairy",
    "cheese",
    "bread",
    "gluten",
    "wheat",
    "sleep",
    "stress",
    "health",
    "heart",
    "blood",
    "pressure",
    "exercise",
    "walk",
    "run",
    "water",
    "coffee",
    "tea",
    "vitamin",
    "iron",
    "protein",
    "fat",
    "fiber",
    "bacteria",
    "probiotics",
    "immune",
    "system",
    "cell",
    "cells",
    "gene",
    "genes",
    "study",
    "trial",
    "patients",
    "risk",
    "disease",
    "cancer",
    "tumor",
    "brain",
    "memory",
    "mood",
    "anxiety",
    "depression",
    "child",
    "children",
    "adult",
    "adults",
    "women",
    "men",
    "age",
    "years",
    "day",
    "night",
    "week",
    "dose",
    "drug",
    "drugs",
    "treatment",
    "therapy",
    "effect",
    "effects",
    "increase",
    "decrease",
    "high",
    "low",
    "more",
    "less",
    "good",
    "bad",
    "new",
    "old",
    "small",
    "large",
    "first",
    "last",
    "search",
    "index",
    "section",
    "heading",
    "article",
    "query",
    "passage",
    "text",
    "word",
    "words",
    "model",
    "vector",
    "rust",
    "code",
    "file",
    "files",
    "page",
    "link",
    "title",
    "red",
    "green",
    "blue",
    "cat",
    "dog",
    "house",
    "tree",
    "sun",
    "moon",
    "star",
    "sea",
    "river",
    "city",
    "##s",
    "##ed",
    "##ing",
    "##ly",
    "##er",
    "##est",
    "##tion",
];

/// Settings of a tiny model; [`TinyModel::default`] is mean pooling,
/// normalised, no prefixes, a 48-token window, f32 weights, seed 1.
#[derive(Debug, Clone, PartialEq)]
pub struct TinyModel {
    /// Seed of the weights; another seed, other weights.
    pub seed: u64,
    /// `1_Pooling/config.json`.
    pub pooling: Pooling,
    /// Whether `modules.json` has a `Normalize` module.
    pub normalize: bool,
    /// `prompts.query` in `config_sentence_transformers.json`.
    pub query_prefix: Option<String>,
    /// `prompts.passage` in `config_sentence_transformers.json`.
    pub passage_prefix: Option<String>,
    /// `max_seq_length` in `sentence_bert_config.json`.
    pub max_seq_length: usize,
    /// Write the weights as f16 instead of f32.
    pub f16: bool,
}

impl Default for TinyModel {
    fn default() -> Self {
        TinyModel {
            seed: 1,
            pooling: Pooling::Mean,
            normalize: true,
            query_prefix: None,
            passage_prefix: None,
            max_seq_length: 48,
            f16: false,
        }
    }
}

impl TinyModel {
    /// Width of the model's vectors.
    pub const HIDDEN: usize = 32;
    /// Positions the model has (the largest window it takes).
    pub const MAX_POSITIONS: usize = 64;
    const LAYERS: usize = 2;
    const HEADS: usize = 2;
    const INTERMEDIATE: usize = 64;

    /// The vocabulary, in id order: `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`,
    /// `[MASK]`, then letters, `##`-letters, digits, punctuation and words.
    pub fn vocabulary() -> Vec<String> {
        let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
            .map(str::to_owned)
            .to_vec();
        for c in ('a'..='z').chain('0'..='9') {
            vocab.push(c.to_string());
            vocab.push(format!("##{c}"));
        }
        vocab.extend(".,;:!?'\"()-/".chars().map(|c| c.to_string()));
        vocab.extend(WORDS.iter().map(|w| (*w).to_owned()));
        vocab
    }

    /// Writes the model folder into `dir` (created if needed): `config.json`,
    /// `tokenizer.json`, `model.safetensors`, `modules.json`,
    /// `1_Pooling/config.json`, `sentence_bert_config.json` and
    /// `config_sentence_transformers.json`.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let vocab = Self::vocabulary();
        std::fs::create_dir_all(dir.join("1_Pooling"))?;
        write_json(&dir.join(folder::CONFIG), &self.config(vocab.len()))?;
        write_json(&dir.join(folder::TOKENIZER), &tokenizer_json(&vocab))?;
        std::fs::write(dir.join(folder::WEIGHTS), self.weights(vocab.len())?)?;
        let mut modules = vec![
            json!({"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}),
            json!({"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}),
        ];
        if self.normalize {
            modules.push(json!({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}));
        }
        write_json(&dir.join(folder::MODULES), &Value::Array(modules))?;
        write_json(
            &dir.join("1_Pooling").join(folder::CONFIG),
            &json!({
                "word_embedding_dimension": Self::HIDDEN,
                "pooling_mode_cls_token": self.pooling == Pooling::Cls,
                "pooling_mode_mean_tokens": self.pooling == Pooling::Mean,
                "pooling_mode_max_tokens": self.pooling == Pooling::Max,
                "pooling_mode_mean_sqrt_len_tokens": false,
            }),
        )?;
        write_json(
            &dir.join(folder::SENTENCE_BERT_CONFIG),
            &json!({"max_seq_length": self.max_seq_length, "do_lower_case": false}),
        )?;
        let mut prompts = serde_json::Map::new();
        if let Some(p) = &self.query_prefix {
            prompts.insert("query".into(), Value::String(p.clone()));
        }
        if let Some(p) = &self.passage_prefix {
            prompts.insert("passage".into(), Value::String(p.clone()));
        }
        write_json(
            &dir.join(folder::SENTENCE_TRANSFORMERS_CONFIG),
            &json!({"prompts": prompts, "default_prompt_name": null}),
        )
    }

    fn config(&self, vocab_size: usize) -> Value {
        json!({
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": vocab_size,
            "hidden_size": Self::HIDDEN,
            "num_hidden_layers": Self::LAYERS,
            "num_attention_heads": Self::HEADS,
            "intermediate_size": Self::INTERMEDIATE,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": Self::MAX_POSITIONS,
            "type_vocab_size": 2,
            "initializer_range": 0.02,
            "layer_norm_eps": 1e-12,
            "pad_token_id": 0,
            "position_embedding_type": "absolute",
        })
    }

    /// Every tensor `BertModel` loads, with seeded uniform values (layer-norm
    /// gains near 1), as safetensors bytes.
    fn weights(&self, vocab_size: usize) -> io::Result<Vec<u8>> {
        let (h, i) = (Self::HIDDEN, Self::INTERMEDIATE);
        let mut shapes: Vec<(String, Vec<usize>)> = vec![
            (
                "embeddings.word_embeddings.weight".into(),
                vec![vocab_size, h],
            ),
            (
                "embeddings.position_embeddings.weight".into(),
                vec![Self::MAX_POSITIONS, h],
            ),
            ("embeddings.token_type_embeddings.weight".into(), vec![2, h]),
            ("embeddings.LayerNorm.weight".into(), vec![h]),
            ("embeddings.LayerNorm.bias".into(), vec![h]),
        ];
        for layer in 0..Self::LAYERS {
            let p = format!("encoder.layer.{layer}");
            for (name, shape) in [
                ("attention.self.query.weight", vec![h, h]),
                ("attention.self.query.bias", vec![h]),
                ("attention.self.key.weight", vec![h, h]),
                ("attention.self.key.bias", vec![h]),
                ("attention.self.value.weight", vec![h, h]),
                ("attention.self.value.bias", vec![h]),
                ("attention.output.dense.weight", vec![h, h]),
                ("attention.output.dense.bias", vec![h]),
                ("attention.output.LayerNorm.weight", vec![h]),
                ("attention.output.LayerNorm.bias", vec![h]),
                ("intermediate.dense.weight", vec![i, h]),
                ("intermediate.dense.bias", vec![i]),
                ("output.dense.weight", vec![h, i]),
                ("output.dense.bias", vec![h]),
                ("output.LayerNorm.weight", vec![h]),
                ("output.LayerNorm.bias", vec![h]),
            ] {
                shapes.push((format!("{p}.{name}"), shape));
            }
        }
        let mut rng = SplitMix64(self.seed);
        let mut tensors: BTreeMap<String, (Vec<usize>, Vec<u8>)> = BTreeMap::new();
        for (name, shape) in shapes {
            let n: usize = shape.iter().product();
            let gain = name.ends_with("LayerNorm.weight");
            let values = (0..n).map(|_| {
                let x = rng.uniform() * 0.2;
                if gain { 1.0 + x } else { x }
            });
            let bytes = if self.f16 {
                values
                    .flat_map(|x| half::f16::from_f32(x).to_le_bytes())
                    .collect()
            } else {
                values.flat_map(f32::to_le_bytes).collect()
            };
            tensors.insert(name, (shape, bytes));
        }
        let dtype = if self.f16 {
            safetensors::Dtype::F16
        } else {
            safetensors::Dtype::F32
        };
        let mut views = Vec::new();
        for (name, (shape, bytes)) in &tensors {
            let view = safetensors::tensor::TensorView::new(dtype, shape.clone(), bytes)
                .map_err(io::Error::other)?;
            views.push((name.clone(), view));
        }
        safetensors::serialize(views, None).map_err(io::Error::other)
    }
}

/// A Hugging Face `tokenizer.json` for a lowercasing BERT WordPiece
/// vocabulary, like `bert-base-uncased`'s.
fn tokenizer_json(vocab: &[String]) -> Value {
    let ids: serde_json::Map<String, Value> = vocab
        .iter()
        .enumerate()
        .map(|(id, token)| (token.clone(), json!(id)))
        .collect();
    let added: Vec<Value> = vocab[..5]
        .iter()
        .enumerate()
        .map(|(id, token)| {
            json!({"id": id, "content": token, "single_word": false, "lstrip": false,
                   "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}
            }
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids}
    })
}

fn write_json(path: &Path, value: &Value) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    std::fs::write(path, bytes)
}

/// A small seeded generator (SplitMix64), so the weights are the same on
/// every machine without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn uniform(&mut self) -> f32 {
        // 24 random bits: exactly representable in f32.
        let bits = (self.next() >> 40) as u32;
        (bits as f32 / (1u32 << 23) as f32) - 1.0
    }
}
