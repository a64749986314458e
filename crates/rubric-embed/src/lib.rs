//! Sentence embeddings for Rubric: load a BERT-family sentence-transformers
//! folder and turn passages and queries into vectors, on the CPU, in pure
//! Rust (candle, tokenizers), with no network.
//!
//! - `folder` owns the files: which ones make a model, what their settings
//!   say ([`Pooling`], normalisation, prefixes, window) and [`copy_model`],
//!   which puts a model (optionally f16) into another folder, such as an
//!   index's.
//! - `weights` reads `model.safetensors` into tensors in one pass, hashing
//!   it for the fingerprint on the way.
//! - `model` owns inference: [`Model`] tokenises, runs BERT in padded
//!   batches, pools and normalises; [`ModelInfo`] is what an index records
//!   (name, dimensions, window, settings, fingerprint).
//! - [`quant`] owns compact storage: int8 with per-dimension scales, binary
//!   sign bits, and dot/cosine for each form.
//! - [`testing`] makes a tiny random model for tests.
//!
//! The crate never sees Tantivy, articles or HTTP: callers hand it strings
//! and store the vectors where they like.
//!
//! ```
//! use rubric_embed::{Model, quant, testing::TinyModel};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # TinyModel::default().write(dir.path())?;
//! # let model_dir = dir.path();
//! // Any sentence-transformers BERT folder, e.g. all-MiniLM-L6-v2.
//! let model = Model::load(model_dir)?.with_max_tokens(32)?;
//! let passages = model.embed_passages(&["Lactose intolerance: milk sugar is not digested."])?;
//! let query = model.embed_query("tummy ache after drinking milk")?;
//! assert_eq!(query.len(), model.info().dimensions);
//!
//! // Stored as int8 (one byte a dimension), compared with the f32 query.
//! let scales = quant::Int8Scales::fit(&passages).ok_or("no vectors")?;
//! let stored = scales.quantize(&passages[0]);
//! let score = scales.cosine(&query, &stored);
//! assert!((score - quant::cosine(&query, &passages[0])).abs() < 0.02);
//! # Ok(())
//! # }
//! ```
//!
//! Matrix products use every physical core by default; `RAYON_NUM_THREADS`
//! sets the number (see [`threads`]).

mod error;
mod folder;
mod model;
pub mod quant;
pub mod testing;
mod weights;

pub use error::EmbedError;
pub use folder::{CopyWeights, Pooling, copy_model};
pub use model::{Model, ModelInfo};

/// How many threads candle's matrix products use: `RAYON_NUM_THREADS` when
/// set, else the number of physical cores.
pub fn threads() -> usize {
    candle_core::utils::get_num_threads()
}
