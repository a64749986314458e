//! The sentence-transformers folder on disk: which files a model is made of,
//! what its settings say (pooling, normalisation, prefixes, window, case),
//! and copying a folder elsewhere (optionally with f16 weights) so an index
//! can carry its own model.
//!
//! This module reads and checks files; it runs nothing. Turning the files
//! into a network is [`crate::Model`]'s job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::EmbedError;

/// BERT's configuration: sizes, activation, layer-norm epsilon.
pub const CONFIG: &str = "config.json";
/// The Hugging Face tokenizer, vocabulary included.
pub const TOKENIZER: &str = "tokenizer.json";
/// The weights, f32 or f16 (bf16 also loads).
pub const WEIGHTS: &str = "model.safetensors";
/// The sentence-transformers pipeline (Transformer, Pooling, Normalize).
pub const MODULES: &str = "modules.json";
/// `max_seq_length` and `do_lower_case`.
pub const SENTENCE_BERT_CONFIG: &str = "sentence_bert_config.json";
/// `prompts`: the query and passage prefixes.
pub const SENTENCE_TRANSFORMERS_CONFIG: &str = "config_sentence_transformers.json";
/// Rubric's own note in a copied folder: the model's name and where it came from.
pub const RUBRIC_NOTE: &str = "rubric-embed.json";
/// Where the pooling settings live when `modules.json` does not say.
const DEFAULT_POOLING_DIR: &str = "1_Pooling";

/// How token vectors become one text vector (`1_Pooling/config.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Average of the tokens' vectors, padding excluded (MiniLM, e5).
    Mean,
    /// The `[CLS]` token's vector (bge).
    Cls,
    /// Per-dimension maximum over the tokens, padding excluded.
    Max,
}

impl Pooling {
    /// The lowercase name used in `ModelInfo` and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Pooling::Mean => "mean",
            Pooling::Cls => "cls",
            Pooling::Max => "max",
        }
    }
}

impl std::fmt::Display for Pooling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a model folder says, read and checked, weights not loaded.
#[derive(Debug)]
pub(crate) struct Folder {
    pub dir: PathBuf,
    pub name: String,
    pub config_bytes: Vec<u8>,
    pub config: candle_transformers::models::bert::Config,
    pub tokenizer_bytes: Vec<u8>,
    pub pooling: Pooling,
    pub normalize: bool,
    pub query_prefix: Option<String>,
    pub passage_prefix: Option<String>,
    /// The window the folder asks for (`max_seq_length`), already capped
    /// at the model's position limit.
    pub max_tokens: usize,
    pub lowercase: bool,
}

impl Folder {
    /// Reads and checks every settings file of `dir` (not the weights).
    pub fn read(dir: &Path) -> Result<Folder, EmbedError> {
        if !dir.is_dir() {
            return Err(EmbedError::Missing {
                path: dir.to_path_buf(),
                why: "the model folder (config.json, tokenizer.json, model.safetensors)",
            });
        }
        let config_path = dir.join(CONFIG);
        let config_bytes = read_required(&config_path, "BERT's configuration")?;
        let config = parse_config(&config_path, &config_bytes)?;
        let tokenizer_path = dir.join(TOKENIZER);
        let tokenizer_bytes = read_required(&tokenizer_path, "the tokenizer")?;
        let weights_path = dir.join(WEIGHTS);
        if !weights_path.is_file() {
            return Err(EmbedError::Missing {
                path: weights_path,
                why: "the weights (safetensors)",
            });
        }

        let (pooling_dir, normalize) = read_modules(dir)?;
        let pooling = read_pooling(&dir.join(&pooling_dir), config.hidden_size)?;
        let (max_seq_length, lowercase) = read_sentence_bert_config(dir)?;
        let limit = config.max_position_embeddings;
        let max_tokens = max_seq_length.unwrap_or(limit).min(limit);
        if max_tokens < 2 {
            return Err(EmbedError::config(
                dir.join(SENTENCE_BERT_CONFIG),
                format!("max_seq_length {max_tokens} leaves no room for [CLS] and [SEP]"),
            ));
        }
        let (query_prefix, passage_prefix) = read_prompts(dir)?;
        if !pooling.include_prompt
            && pooling.mode != Pooling::Cls
            && (query_prefix.is_some() || passage_prefix.is_some())
        {
            return Err(EmbedError::unsupported(
                dir.join(&pooling_dir).join(CONFIG),
                "include_prompt = false (pooling that leaves the prefix out)",
            ));
        }
        let name = read_name(dir)?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            name,
            config_bytes,
            config,
            tokenizer_bytes,
            pooling: pooling.mode,
            normalize,
            query_prefix,
            passage_prefix,
            max_tokens,
            lowercase,
        })
    }

    /// The settings files a copy must carry, relative to the folder, that
    /// exist here (the weights and `rubric-embed.json` are handled apart).
    fn settings_files(&self) -> Result<Vec<PathBuf>, EmbedError> {
        let mut files = vec![PathBuf::from(CONFIG), PathBuf::from(TOKENIZER)];
        for name in [MODULES, SENTENCE_BERT_CONFIG, SENTENCE_TRANSFORMERS_CONFIG] {
            if self.dir.join(name).is_file() {
                files.push(PathBuf::from(name));
            }
        }
        let (pooling_dir, _) = read_modules(&self.dir)?;
        let pooling = pooling_dir.join(CONFIG);
        if self.dir.join(&pooling).is_file() {
            files.push(pooling);
        }
        Ok(files)
    }
}

fn read_required(path: &Path, why: &'static str) -> Result<Vec<u8>, EmbedError> {
    std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EmbedError::Missing {
            path: path.to_path_buf(),
            why,
        },
        _ => EmbedError::io(path, source),
    })
}

/// Reads an optional JSON file: `None` when it is not there.
fn read_optional_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, EmbedError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(EmbedError::io(path, e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| EmbedError::Json {
            path: path.to_path_buf(),
            source,
        })
}

/// `config.json`: must be a plain BERT (candle's `BertModel` numbers
/// positions from 0, so RoBERTa-style models would embed wrongly, silently).
fn parse_config(
    path: &Path,
    bytes: &[u8],
) -> Result<candle_transformers::models::bert::Config, EmbedError> {
    #[derive(Deserialize)]
    struct Kind {
        model_type: Option<String>,
        architectures: Option<Vec<String>>,
    }
    let kind: Kind = serde_json::from_slice(bytes).map_err(|source| EmbedError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(model_type) = &kind.model_type
        && model_type != "bert"
    {
        return Err(EmbedError::unsupported(
            path,
            format!("model_type {model_type:?} (only \"bert\" models are supported)"),
        ));
    }
    if let Some(architectures) = &kind.architectures
        && !architectures.iter().any(|a| a.starts_with("Bert"))
    {
        return Err(EmbedError::unsupported(
            path,
            format!("architectures {architectures:?} (only BERT models are supported)"),
        ));
    }
    let config: candle_transformers::models::bert::Config =
        serde_json::from_slice(bytes).map_err(|source| EmbedError::Json {
            path: path.to_path_buf(),
            source,
        })?;
    let c = &config;
    let sizes = [
        ("vocab_size", c.vocab_size),
        ("hidden_size", c.hidden_size),
        ("num_hidden_layers", c.num_hidden_layers),
        ("num_attention_heads", c.num_attention_heads),
        ("intermediate_size", c.intermediate_size),
        ("max_position_embeddings", c.max_position_embeddings),
        ("type_vocab_size", c.type_vocab_size),
    ];
    if let Some((field, _)) = sizes.iter().find(|(_, n)| *n == 0) {
        return Err(EmbedError::config(path, format!("{field} is 0")));
    }
    if !c.hidden_size.is_multiple_of(c.num_attention_heads) {
        return Err(EmbedError::config(
            path,
            format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                c.hidden_size, c.num_attention_heads
            ),
        ));
    }
    Ok(config)
}

/// `modules.json`: the pooling folder and whether a `Normalize` module
/// follows. Without the file: `1_Pooling`, no normalisation (what
/// sentence-transformers does with a plain Hugging Face folder).
fn read_modules(dir: &Path) -> Result<(PathBuf, bool), EmbedError> {
    #[derive(Deserialize)]
    struct Module {
        #[serde(default)]
        path: String,
        #[serde(rename = "type")]
        kind: String,
    }
    let path = dir.join(MODULES);
    let Some(modules) = read_optional_json::<Vec<Module>>(&path)? else {
        return Ok((PathBuf::from(DEFAULT_POOLING_DIR), false));
    };
    let mut pooling = None;
    let mut normalize = false;
    let mut transformer = false;
    for (i, module) in modules.iter().enumerate() {
        let kind = module.kind.rsplit('.').next().unwrap_or_default();
        match (kind, i) {
            ("Transformer", 0) => transformer = true,
            ("Pooling", 1) => pooling = Some(PathBuf::from(&module.path)),
            ("Normalize", 2) => normalize = true,
            _ => {
                return Err(EmbedError::unsupported(
                    &path,
                    format!(
                        "module {} at position {i} (supported: Transformer, Pooling, then an optional Normalize)",
                        module.kind
                    ),
                ));
            }
        }
    }
    match (transformer, pooling) {
        (true, Some(pooling)) => Ok((pooling, normalize)),
        _ => Err(EmbedError::config(
            &path,
            "needs a Transformer module followed by a Pooling module",
        )),
    }
}

struct PoolingSettings {
    mode: Pooling,
    include_prompt: bool,
}

/// `1_Pooling/config.json`: exactly one of mean, cls, max. A missing file
/// means mean pooling (sentence-transformers' default).
fn read_pooling(dir: &Path, hidden_size: usize) -> Result<PoolingSettings, EmbedError> {
    #[derive(Deserialize)]
    struct Config {
        word_embedding_dimension: Option<usize>,
        #[serde(default)]
        pooling_mode_cls_token: bool,
        #[serde(default)]
        pooling_mode_mean_tokens: bool,
        #[serde(default)]
        pooling_mode_max_tokens: bool,
        #[serde(default)]
        pooling_mode_mean_sqrt_len_tokens: bool,
        #[serde(default)]
        pooling_mode_weightedmean_tokens: bool,
        #[serde(default)]
        pooling_mode_lasttoken: bool,
        include_prompt: Option<bool>,
    }
    let path = dir.join(CONFIG);
    let Some(c) = read_optional_json::<Config>(&path)? else {
        return Ok(PoolingSettings {
            mode: Pooling::Mean,
            include_prompt: true,
        });
    };
    if let Some(dims) = c.word_embedding_dimension
        && dims != hidden_size
    {
        return Err(EmbedError::config(
            &path,
            format!(
                "word_embedding_dimension {dims} is not config.json's hidden_size {hidden_size}"
            ),
        ));
    }
    for (on, mode) in [
        (c.pooling_mode_mean_sqrt_len_tokens, "mean_sqrt_len_tokens"),
        (c.pooling_mode_weightedmean_tokens, "weightedmean_tokens"),
        (c.pooling_mode_lasttoken, "lasttoken"),
    ] {
        if on {
            return Err(EmbedError::unsupported(
                &path,
                format!("pooling mode {mode} (supported: mean, cls, max)"),
            ));
        }
    }
    let mode = match (
        c.pooling_mode_mean_tokens,
        c.pooling_mode_cls_token,
        c.pooling_mode_max_tokens,
    ) {
        (true, false, false) => Pooling::Mean,
        (false, true, false) => Pooling::Cls,
        (false, false, true) => Pooling::Max,
        (false, false, false) => {
            return Err(EmbedError::config(&path, "no pooling mode is set"));
        }
        _ => {
            return Err(EmbedError::unsupported(
                &path,
                "several pooling modes at once (concatenated vectors)",
            ));
        }
    };
    Ok(PoolingSettings {
        mode,
        include_prompt: c.include_prompt.unwrap_or(true),
    })
}

/// `sentence_bert_config.json`: the window and whether to lowercase.
fn read_sentence_bert_config(dir: &Path) -> Result<(Option<usize>, bool), EmbedError> {
    #[derive(Deserialize)]
    struct Config {
        max_seq_length: Option<usize>,
        #[serde(default)]
        do_lower_case: bool,
    }
    let config = read_optional_json::<Config>(&dir.join(SENTENCE_BERT_CONFIG))?;
    Ok(config.map_or((None, false), |c| (c.max_seq_length, c.do_lower_case)))
}

/// `config_sentence_transformers.json` `prompts`: `query`, and the passage
/// prompt under `document`, `passage` or `corpus` (the names
/// sentence-transformers' `encode_document` tries). Empty prompts are none.
fn read_prompts(dir: &Path) -> Result<(Option<String>, Option<String>), EmbedError> {
    #[derive(Deserialize)]
    struct Config {
        #[serde(default)]
        prompts: BTreeMap<String, String>,
    }
    let Some(config) = read_optional_json::<Config>(&dir.join(SENTENCE_TRANSFORMERS_CONFIG))?
    else {
        return Ok((None, None));
    };
    let prompt = |names: &[&str]| {
        names
            .iter()
            .filter_map(|name| config.prompts.get(*name))
            .find(|p| !p.is_empty())
            .cloned()
    };
    Ok((
        prompt(&["query"]),
        prompt(&["document", "passage", "corpus"]),
    ))
}

/// What [`copy_model`] writes beside the copied files.
#[derive(Debug, Serialize, Deserialize)]
struct RubricNote {
    /// The model's name (the source folder's name, or its own note's).
    name: String,
    /// The copied weights' dtype (`f32`, `f16`, ...), for people reading
    /// the folder; the loader reads the dtype from the weights themselves.
    weights: String,
}

/// The model's name: `rubric-embed.json`'s when a copy left one, else the
/// folder's own name.
fn read_name(dir: &Path) -> Result<String, EmbedError> {
    if let Some(note) = read_optional_json::<RubricNote>(&dir.join(RUBRIC_NOTE))? {
        return Ok(note.name);
    }
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    Ok(absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".to_owned()))
}

/// Which weights [`copy_model`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyWeights {
    /// The weights file byte for byte: same fingerprint as the source.
    AsIs,
    /// f32 tensors written as f16 (half the bytes; other dtypes kept).
    /// Embeddings move by about 1e-6 in cosine; the fingerprint changes.
    F16,
}

/// Copies the model folder `src` into `dst` (created if needed): the files
/// [`crate::Model::load`] reads, nothing else, plus a `rubric-embed.json`
/// that keeps the model's name, so an index folder can carry its model.
///
/// Each file is written to a temporary name and renamed, so a killed copy
/// never leaves a half-written file under a real name. Load the copy, not
/// the source, when the fingerprint must match the one recorded in an index.
pub fn copy_model(src: &Path, dst: &Path, weights: CopyWeights) -> Result<(), EmbedError> {
    let folder = Folder::read(src)?;
    std::fs::create_dir_all(dst).map_err(|e| EmbedError::io(dst, e))?;
    for file in folder.settings_files()? {
        let from = src.join(&file);
        let bytes = std::fs::read(&from).map_err(|e| EmbedError::io(&from, e))?;
        write_atomically(&dst.join(&file), &bytes)?;
    }
    let from = src.join(WEIGHTS);
    let bytes = std::fs::read(&from).map_err(|e| EmbedError::io(&from, e))?;
    let (bytes, dtype) = match weights {
        CopyWeights::AsIs => {
            let dtype = weights_dtype(&from, &bytes)?;
            (bytes, dtype)
        }
        CopyWeights::F16 => (
            to_f16(&from, &bytes)?,
            weights_dtype(&from, &bytes)?.replace("f32", "f16"),
        ),
    };
    write_atomically(&dst.join(WEIGHTS), &bytes)?;
    let note = RubricNote {
        name: folder.name,
        weights: dtype,
    };
    let note = serde_json::to_vec_pretty(&note).map_err(|source| EmbedError::Json {
        path: dst.join(RUBRIC_NOTE),
        source,
    })?;
    write_atomically(&dst.join(RUBRIC_NOTE), &note)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), EmbedError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| EmbedError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| EmbedError::io(path, e))
}

fn safetensors_error(path: &Path, e: safetensors::SafeTensorError) -> EmbedError {
    EmbedError::Weights {
        path: path.to_path_buf(),
        source: candle_core::Error::Msg(format!("not a safetensors file: {e}")),
    }
}

/// The float dtypes of a safetensors file (see [`crate::weights::float_dtypes`]).
fn weights_dtype(path: &Path, bytes: &[u8]) -> Result<String, EmbedError> {
    let (_, metadata) =
        safetensors::SafeTensors::read_metadata(bytes).map_err(|e| safetensors_error(path, e))?;
    Ok(crate::weights::float_dtypes(&metadata))
}

/// Rewrites a safetensors file with its f32 tensors as f16, keeping the
/// other tensors and the header's metadata.
fn to_f16(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, EmbedError> {
    use safetensors::Dtype;
    use safetensors::tensor::TensorView;
    let tensors =
        safetensors::SafeTensors::deserialize(bytes).map_err(|e| safetensors_error(path, e))?;
    let (_, metadata) =
        safetensors::SafeTensors::read_metadata(bytes).map_err(|e| safetensors_error(path, e))?;
    let mut converted: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, view) in tensors.tensors() {
        let data = if view.dtype() == Dtype::F32 {
            let halves = view
                .data()
                .chunks_exact(4)
                .flat_map(|b| {
                    let x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    half::f16::from_f32(x).to_le_bytes()
                })
                .collect();
            (Dtype::F16, halves)
        } else {
            (view.dtype(), view.data().to_vec())
        };
        converted.push((name, data.0, view.shape().to_vec(), data.1));
    }
    let mut views = Vec::with_capacity(converted.len());
    for (name, dtype, shape, data) in &converted {
        let view =
            TensorView::new(*dtype, shape.clone(), data).map_err(|e| safetensors_error(path, e))?;
        views.push((name.clone(), view));
    }
    safetensors::serialize(views, metadata.metadata().clone())
        .map_err(|e| safetensors_error(path, e))
}
