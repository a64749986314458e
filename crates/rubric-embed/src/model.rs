//! [`Model`]: a loaded sentence-transformers model that turns text into
//! vectors on the CPU: tokenise (with the prefix, cut to the window), run
//! BERT in length-sorted padded batches, pool, normalise. [`ModelInfo`] is
//! what an index records about the model that made its vectors.
//!
//! Reading the folder's settings is `folder`'s job; storing and comparing
//! vectors compactly is `quant`'s.

use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::BertModel;
use serde::{Deserialize, Serialize};
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::error::EmbedError;
use crate::folder::{self, Folder, Pooling};
use crate::weights;

/// Texts run through BERT together; sorted by length first, so little of
/// each batch is padding.
const DEFAULT_BATCH_SIZE: usize = 16;

/// What an index needs to know about the model that made its vectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The model's name: the folder's name, or the name a copy kept.
    pub name: String,
    /// Length of each vector (BERT's `hidden_size`).
    pub dimensions: usize,
    /// The token window texts are cut to, `[CLS]` and `[SEP]` included.
    pub max_tokens: usize,
    /// How token vectors become one vector.
    pub pooling: Pooling,
    /// Whether vectors are scaled to length 1 (then dot product = cosine).
    pub normalize: bool,
    /// Put before every query (e5: `"query: "`, bge: `"Represent this sentence
    /// for searching relevant passages: "`).
    pub query_prefix: Option<String>,
    /// Put before every passage (e5: `"passage: "`).
    pub passage_prefix: Option<String>,
    /// The weights' dtype as stored (`"f32"`, `"f16"`, ...); BERT runs in f32.
    pub weights: String,
    /// blake3 (hex) over `config.json`, `tokenizer.json`, `model.safetensors`
    /// and the settings that change a vector (pooling, normalisation,
    /// prefixes, lowercasing). Equal fingerprints make equal vectors for
    /// texts within the window; `max_tokens` is recorded apart.
    pub fingerprint: String,
}

/// A sentence-transformers BERT model loaded for CPU inference.
///
/// `Model` is `Send + Sync`: one instance can serve many threads (its
/// matrix products already use every core, see [`crate::threads`]).
pub struct Model {
    bert: BertModel,
    tokenizer: Tokenizer,
    info: ModelInfo,
    /// blake3 of the three files, before the settings are mixed in (none:
    /// loaded with a known fingerprint, [`Model::load_known`]).
    files_hash: Option<[u8; 32]>,
    dir: PathBuf,
    tokenizer_path: PathBuf,
    pad_id: u32,
    lowercase: bool,
    max_positions: usize,
    batch_size: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("dir", &self.dir)
            .field("info", &self.info)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Loads the sentence-transformers folder `dir`: `config.json`,
    /// `tokenizer.json`, `model.safetensors` (f32 or f16), and when present
    /// `modules.json`, `1_Pooling/config.json`, `sentence_bert_config.json`,
    /// `config_sentence_transformers.json`.
    ///
    /// Each weight tensor is read straight into its own storage and hashed
    /// for the fingerprint on the way (as fast as memory-mapping the file,
    /// with no `unsafe`; see `weights`).
    pub fn load(dir: impl AsRef<Path>) -> Result<Model, EmbedError> {
        Model::open(dir.as_ref(), None)
    }

    /// [`Model::load`] without hashing the files: `fingerprint` is taken as
    /// the folder's, as recorded when the folder was made (an index records
    /// the fingerprint of the copy it keeps). This saves reading every
    /// byte of the weights through blake3 on each load; a folder changed
    /// since is not noticed. [`Model::with_prefixes`] on such a model leaves
    /// it without a fingerprint (empty), since it cannot be recomputed.
    pub fn load_known(dir: impl AsRef<Path>, fingerprint: &str) -> Result<Model, EmbedError> {
        Model::open(dir.as_ref(), Some(fingerprint))
    }

    fn open(dir: &Path, known: Option<&str>) -> Result<Model, EmbedError> {
        let started = Instant::now();
        let folder = Folder::read(dir)?;
        let read_ms = ms_since(started);
        let tokenizer_path = folder.dir.join(folder::TOKENIZER);
        let tokenizer = load_tokenizer(&tokenizer_path, &folder)?;
        let pad_id = pad_id(&tokenizer, &folder);
        let tokenizer_ms = ms_since(started) - read_ms;

        let mut hasher = known.is_none().then(|| settings_hasher(&folder));
        let weights_path = folder.dir.join(folder::WEIGHTS);
        let weights = weights::read(&weights_path, folder::WEIGHTS, hasher.as_mut())?;
        let files_hash = hasher.map(|h| *h.finalize().as_bytes());
        let weights_ms = ms_since(started) - read_ms - tokenizer_ms;
        let vb = VarBuilder::from_tensors(weights.tensors, DType::F32, &Device::Cpu);
        let bert = BertModel::load(vb, &folder.config).map_err(|source| EmbedError::Weights {
            path: weights_path.clone(),
            source,
        })?;
        let weights_dtype = weights.dtype;

        let mut model = Model {
            bert,
            tokenizer,
            info: ModelInfo {
                name: folder.name,
                dimensions: folder.config.hidden_size,
                max_tokens: folder.max_tokens,
                pooling: folder.pooling,
                normalize: folder.normalize,
                query_prefix: folder.query_prefix,
                passage_prefix: folder.passage_prefix,
                weights: weights_dtype,
                fingerprint: known.unwrap_or_default().to_string(),
            },
            files_hash,
            dir: folder.dir,
            tokenizer_path,
            pad_id,
            lowercase: folder.lowercase,
            max_positions: folder.config.max_position_embeddings,
            batch_size: DEFAULT_BATCH_SIZE,
        };
        model.set_window(model.info.max_tokens)?;
        if known.is_none() {
            model.update_fingerprint();
        }
        tracing::debug!(
            model = %model.info.name,
            ms = ms_since(started),
            read_ms,
            tokenizer_ms,
            weights_ms,
            hashed = known.is_none(),
            "embedding model loaded"
        );
        Ok(model)
    }

    /// The model's name, size, settings and fingerprint.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The folder the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Cuts texts to `max_tokens` tokens (`[CLS]` and `[SEP]` included)
    /// instead of the folder's `max_seq_length`. Fails when the model cannot
    /// take that many positions, or when fewer than 2 are asked for.
    pub fn with_max_tokens(mut self, max_tokens: usize) -> Result<Model, EmbedError> {
        self.set_window(max_tokens)?;
        Ok(self)
    }

    /// Replaces the folder's query and passage prefixes (`None`: no prefix).
    /// The fingerprint follows, since prefixes change every vector.
    pub fn with_prefixes(mut self, query: Option<&str>, passage: Option<&str>) -> Model {
        let non_empty = |p: Option<&str>| p.filter(|p| !p.is_empty()).map(str::to_owned);
        self.info.query_prefix = non_empty(query);
        self.info.passage_prefix = non_empty(passage);
        self.update_fingerprint();
        self
    }

    /// How many texts run through BERT at once (at least 1; default 16).
    /// Results do not depend on it beyond float rounding.
    pub fn with_batch_size(mut self, batch_size: usize) -> Model {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Embeds passages (sections), each with the passage prefix, cut to the
    /// window. One vector per text, in order.
    pub fn embed_passages<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let prefix = self.info.passage_prefix.as_deref();
        self.embed(
            texts
                .iter()
                .map(|t| self.input(prefix, t.as_ref()))
                .collect(),
        )
    }

    /// Embeds one query, with the query prefix.
    pub fn embed_query(&self, query: &str) -> Result<Vec<f32>, EmbedError> {
        let input = self.input(self.info.query_prefix.as_deref(), query);
        let mut vectors = self.embed(vec![input])?;
        vectors
            .pop()
            .ok_or_else(|| self.embed_error("no vector for the query"))
    }

    fn input(&self, prefix: Option<&str>, text: &str) -> String {
        let text = match prefix {
            Some(prefix) => format!("{prefix}{text}"),
            None => text.to_owned(),
        };
        if self.lowercase {
            text.to_lowercase()
        } else {
            text
        }
    }

    fn set_window(&mut self, max_tokens: usize) -> Result<(), EmbedError> {
        if !(2..=self.max_positions).contains(&max_tokens) {
            return Err(EmbedError::MaxTokens {
                path: self.dir.clone(),
                requested: max_tokens,
                limit: self.max_positions,
            });
        }
        self.tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(|e| EmbedError::Tokenizer {
                path: self.tokenizer_path.clone(),
                reason: e.to_string(),
            })?;
        self.info.max_tokens = max_tokens;
        Ok(())
    }

    fn update_fingerprint(&mut self) {
        let Some(files_hash) = &self.files_hash else {
            self.info.fingerprint = String::new();
            return;
        };
        self.info.fingerprint = fingerprint_of(
            files_hash,
            &Settings {
                pooling: self.info.pooling,
                normalize: self.info.normalize,
                query_prefix: self.info.query_prefix.as_deref(),
                passage_prefix: self.info.passage_prefix.as_deref(),
                lowercase: self.lowercase,
            },
        );
    }

    fn embed_error(&self, reason: impl std::fmt::Display) -> EmbedError {
        EmbedError::Embed {
            path: self.dir.clone(),
            reason: reason.to_string(),
        }
    }

    fn embed(&self, inputs: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch_fast(inputs, true)
            .map_err(|e| self.embed_error(e))?;
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(encodings[i].len()));
        let mut vectors = vec![Vec::new(); encodings.len()];
        for batch in order.chunks(self.batch_size) {
            let batch_encodings: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
            let pooled = self
                .run(&batch_encodings)
                .map_err(|e| self.embed_error(e))?;
            for (&i, vector) in batch.iter().zip(pooled) {
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }

    /// Runs one padded batch through BERT and pools it.
    fn run(&self, encodings: &[&Encoding]) -> candle_core::Result<Vec<Vec<f32>>> {
        let batch = encodings.len();
        let len = encodings.iter().map(|e| e.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![self.pad_id; batch * len];
        let mut mask = vec![0u32; batch * len];
        let mut types = vec![0u32; batch * len];
        for (row, encoding) in encodings.iter().enumerate() {
            let start = row * len;
            let n = encoding.len();
            ids[start..start + n].copy_from_slice(encoding.get_ids());
            types[start..start + n].copy_from_slice(encoding.get_type_ids());
            mask[start..start + n].fill(1);
        }
        let device = &self.bert.device;
        let ids = Tensor::from_vec(ids, (batch, len), device)?;
        let types = Tensor::from_vec(types, (batch, len), device)?;
        let mask_tensor = Tensor::from_vec(mask.clone(), (batch, len), device)?;
        let hidden = self.bert.forward(&ids, &types, Some(&mask_tensor))?;
        let dims = self.info.dimensions;
        let hidden = hidden.flatten_all()?.to_vec1::<f32>()?;
        Ok((0..batch)
            .map(|row| {
                let states = &hidden[row * len * dims..(row + 1) * len * dims];
                let mask = &mask[row * len..(row + 1) * len];
                let mut vector = pool(self.info.pooling, states, mask, dims);
                if self.info.normalize {
                    normalize(&mut vector);
                }
                vector
            })
            .collect())
    }
}

/// The fingerprint [`Model::load`] gives the folder `dir` (with the
/// folder's own prefixes), without building the model: the files are read
/// and hashed, nothing more. For telling whether a folder holds the model an
/// index was made with before deciding to load it.
pub fn fingerprint(dir: impl AsRef<Path>) -> Result<String, EmbedError> {
    let folder = Folder::read(dir.as_ref())?;
    let mut hasher = settings_hasher(&folder);
    weights::hash(
        &folder.dir.join(folder::WEIGHTS),
        folder::WEIGHTS,
        &mut hasher,
    )?;
    Ok(fingerprint_of(
        hasher.finalize().as_bytes(),
        &Settings {
            pooling: folder.pooling,
            normalize: folder.normalize,
            query_prefix: folder.query_prefix.as_deref(),
            passage_prefix: folder.passage_prefix.as_deref(),
            lowercase: folder.lowercase,
        },
    ))
}

/// Milliseconds since `started`.
fn ms_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

/// The settings that change a vector, as the fingerprint hashes them.
#[derive(Serialize)]
struct Settings<'a> {
    pooling: Pooling,
    normalize: bool,
    query_prefix: Option<&'a str>,
    passage_prefix: Option<&'a str>,
    lowercase: bool,
}

/// A hasher fed with `config.json` and `tokenizer.json` (label, length,
/// bytes each): the weights come next.
fn settings_hasher(folder: &Folder) -> blake3::Hasher {
    let mut hasher = blake3::Hasher::new();
    for (label, bytes) in [
        (folder::CONFIG, &folder.config_bytes[..]),
        (folder::TOKENIZER, &folder.tokenizer_bytes[..]),
    ] {
        hasher.update(label.as_bytes());
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher
}

/// blake3 (hex) of the files' hash and the settings.
fn fingerprint_of(files_hash: &[u8; 32], settings: &Settings<'_>) -> String {
    // Serialising a struct of plain fields cannot fail; an empty string
    // would still give a well-defined (if less specific) hash.
    let settings = serde_json::to_vec(settings).unwrap_or_default();
    let mut hasher = blake3::Hasher::new();
    hasher.update(files_hash);
    hasher.update(&settings);
    hasher.finalize().to_hex().to_string()
}

/// Pools one text's token states (`len × dims`, row-major) where `mask` is
/// 1 for real tokens and 0 for padding, as sentence-transformers does.
pub(crate) fn pool(pooling: Pooling, states: &[f32], mask: &[u32], dims: usize) -> Vec<f32> {
    let rows = states
        .chunks_exact(dims)
        .zip(mask)
        .filter(|&(_, &m)| m != 0)
        .map(|(row, _)| row);
    match pooling {
        Pooling::Cls => states[..dims].to_vec(),
        Pooling::Mean => {
            let mut sum = vec![0f32; dims];
            let mut count = 0f32;
            for row in rows {
                sum.iter_mut().zip(row).for_each(|(s, x)| *s += x);
                count += 1.0;
            }
            let count = count.max(1e-9);
            sum.iter_mut().for_each(|s| *s /= count);
            sum
        }
        Pooling::Max => {
            // sentence-transformers sets padding to -1e9 before the max.
            let mut max = vec![-1e9f32; dims];
            for row in rows {
                max.iter_mut().zip(row).for_each(|(m, &x)| *m = m.max(x));
            }
            max
        }
    }
}

/// Scales `v` to length 1 (torch's `F.normalize`, eps 1e-12).
pub(crate) fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

/// Loads `tokenizer.json` and checks that it fits the model: a BERT
/// tokenizer (it adds `[CLS]`/`[SEP]`) whose ids all have an embedding.
fn load_tokenizer(path: &Path, folder: &Folder) -> Result<Tokenizer, EmbedError> {
    let error = |reason: String| EmbedError::Tokenizer {
        path: path.to_path_buf(),
        reason,
    };
    let mut tokenizer = Tokenizer::from_bytes(&folder.tokenizer_bytes)
        .map_err(|e| error(format!("not a tokenizer: {e}")))?;
    tokenizer.with_padding(None);
    let vocab = tokenizer.get_vocab_size(true);
    if vocab > folder.config.vocab_size {
        return Err(error(format!(
            "has {vocab} tokens but config.json's vocab_size is {}: tokenizer and model do not match",
            folder.config.vocab_size
        )));
    }
    let probe = tokenizer
        .encode_fast("", true)
        .map_err(|e| error(format!("cannot encode: {e}")))?;
    if probe.is_empty() {
        return Err(error(
            "adds no special tokens ([CLS] ... [SEP]): not a BERT tokenizer with its post-processor".to_owned(),
        ));
    }
    Ok(tokenizer)
}

/// The padding id: `[PAD]`'s, else config.json's `pad_token_id`. (Padding is
/// masked out of attention and pooling, so the id only has to be valid.)
fn pad_id(tokenizer: &Tokenizer, folder: &Folder) -> u32 {
    tokenizer
        .token_to_id("[PAD]")
        .or_else(|| u32::try_from(folder.config.pad_token_id).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two tokens of two dimensions, then one padding row.
    const STATES: [f32; 6] = [1.0, -2.0, 3.0, 4.0, 100.0, 100.0];
    const MASK: [u32; 3] = [1, 1, 0];

    #[test]
    fn mean_pooling_skips_padding() {
        assert_eq!(pool(Pooling::Mean, &STATES, &MASK, 2), vec![2.0, 1.0]);
    }

    #[test]
    fn max_pooling_skips_padding() {
        assert_eq!(pool(Pooling::Max, &STATES, &MASK, 2), vec![3.0, 4.0]);
    }

    #[test]
    fn cls_pooling_takes_the_first_token() {
        assert_eq!(pool(Pooling::Cls, &STATES, &MASK, 2), vec![1.0, -2.0]);
    }

    #[test]
    fn normalize_makes_unit_length() {
        let mut v = vec![3.0, 4.0];
        normalize(&mut v);
        assert_eq!(v, vec![0.6, 0.8]);
    }

    #[test]
    fn normalize_leaves_a_zero_vector_finite() {
        let mut v = vec![0.0, 0.0];
        normalize(&mut v);
        assert_eq!(v, vec![0.0, 0.0]);
    }
}
