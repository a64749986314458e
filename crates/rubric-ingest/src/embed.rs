//! Section vectors for semantic search: which model a run embeds with
//! ([`Semantic`], decided once against the index by [`Embedder::prepare`]),
//! and the [`Embedder`] that turns the sections of new and changed articles
//! into vectors and hands them to the writer with their article.
//!
//! - The model lives in the index folder: the first `--semantic` run copies
//!   the given folder there (f16 weights, `rubric_embed::copy_model`), and
//!   every run after embeds with that copy, so the index is self-contained
//!   and its vectors never mix two models. Another model, or another
//!   window, needs `--rebuild`.
//! - Only passages that are new get a vector: a section whose passage
//!   (title, heading trail, text) is found in the last commit or among this
//!   run's keeps the vector stored there, so a no-op re-run embeds nothing
//!   and a 1 % change embeds about 1 % of the sections.
//! - Articles wait in a queue and are embedded together, in batches of
//!   [`BATCH`] passages, so BERT runs on full batches (all cores, through
//!   candle) whatever the size of the articles. The model is loaded when the
//!   first passage needs it, so a run with nothing new never loads it.
//!
//! This module does not decide what changed (`plan`) nor store vectors
//! (`rubric_index::IndexWriter`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rubric_core::Article;
use rubric_embed::{CopyWeights, Model};
use rubric_index::{IndexWriter, PASSAGE_VERSION, VectorEncoding, VectorModel};

use crate::{IngestError, Reporter};

/// Where `--semantic` looks for a model when none is given and the index
/// has none yet (where `just model` puts all-MiniLM-L6-v2).
pub const DEFAULT_MODEL_DIR: &str = "models/all-MiniLM-L6-v2";

/// Tokens of each passage the model sees by default (title, headings and
/// the start of the text): as good as 256 on SciFact at less than half the
/// cost (see the README). A model whose own window is shorter reads its
/// own.
pub const DEFAULT_WINDOW: usize = 128;

/// Passages embedded together: enough for full batches of the model.
pub const BATCH: usize = 64;

/// Whether a run gives its sections vectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Semantic {
    /// As the index is: with its own model when it holds vectors, else none.
    #[default]
    AsIndexed,
    /// With vectors (`--semantic[=DIR]`): made by the model in `DIR`, or by
    /// the index's own when it holds vectors, or by [`DEFAULT_MODEL_DIR`].
    On(Option<PathBuf>),
}

/// What the vectors of a run cost, for the closing summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct VectorSummary {
    /// The model's name.
    pub model: String,
    /// Sections embedded in this run.
    pub embedded: usize,
    /// Sections of new or changed articles that kept a stored vector.
    pub kept: usize,
    /// Time spent loading the model and embedding, in seconds.
    pub seconds: f64,
}

/// One section of a queued article: its vector is known, or its passage
/// must be embedded.
enum Slot {
    Known(Vec<u8>),
    New { key: String, passage: String },
}

/// Embeds the sections of the articles a run writes.
pub struct Embedder {
    /// The model folder in the index.
    dir: PathBuf,
    record: VectorModel,
    model: Option<Model>,
    /// Articles waiting for their vectors, in order.
    queue: Vec<(Article, Vec<Slot>)>,
    /// Keys of the passages in the queue that will be embedded.
    queued_keys: HashSet<String>,
    summary: VectorSummary,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("dir", &self.dir)
            .field("record", &self.record)
            .field("queued", &self.queue.len())
            .finish_non_exhaustive()
    }
}

fn embed_error(what: impl Into<String>) -> impl FnOnce(rubric_embed::EmbedError) -> IngestError {
    let what = what.into();
    move |source| IngestError::Embed {
        what,
        source: Box::new(source),
    }
}

impl Embedder {
    /// Decides whether and with which model the run on `writer` (the index
    /// at `index_dir`) embeds: `None` when it does not. With a window
    /// (`tokens`) or a model folder other than the index's, an index that
    /// holds vectors is refused (it must be rebuilt); so is an index that
    /// holds articles without vectors. The first time, the model is copied
    /// into the index folder (f16) and recorded in the writer.
    pub fn prepare(
        writer: &mut IndexWriter,
        index_dir: &Path,
        semantic: &Semantic,
        tokens: Option<usize>,
    ) -> Result<Option<Embedder>, IngestError> {
        let recorded = writer.vector_model().cloned();
        let given = match (semantic, recorded) {
            (Semantic::AsIndexed, None) => return Ok(None),
            (Semantic::AsIndexed | Semantic::On(None), Some(record)) => {
                return Self::as_indexed(index_dir, record, tokens).map(Some);
            }
            (Semantic::On(Some(dir)), Some(record)) => {
                let fingerprint = rubric_embed::fingerprint(dir).map_err(embed_error(format!(
                    "cannot read the model {}",
                    dir.display()
                )))?;
                if !record.accepts(&fingerprint) {
                    return Err(IngestError::Semantic(format!(
                        "the index at {} holds vectors of {} (fingerprint {}), and {} is another model; rebuild the index to change models (`ingest --rebuild --semantic={}`)",
                        index_dir.display(),
                        record.name,
                        short(&record.fingerprint),
                        dir.display(),
                        dir.display()
                    )));
                }
                return Self::as_indexed(index_dir, record, tokens).map(Some);
            }
            (Semantic::On(dir), None) => dir.clone(),
        };
        let articles = writer.catalog().stats().articles;
        if articles > 0 {
            return Err(IngestError::Semantic(format!(
                "the index at {} holds {articles} articles without vectors; rebuild it to add them (`ingest --rebuild --semantic`)",
                index_dir.display()
            )));
        }
        let source = given.unwrap_or_else(|| PathBuf::from(DEFAULT_MODEL_DIR));
        if !source.is_dir() {
            return Err(IngestError::Semantic(format!(
                "no model at {}: install all-MiniLM-L6-v2 there with `just model` (see the README), or give a sentence-transformers folder with --semantic=DIR",
                source.display()
            )));
        }
        let started = Instant::now();
        let source_fingerprint = rubric_embed::fingerprint(&source).map_err(embed_error(
            format!("cannot read the model {}", source.display()),
        ))?;
        let folder = rubric_index::model_folder(&source_fingerprint);
        let dir = index_dir.join(&folder);
        rubric_embed::copy_model(&source, &dir, CopyWeights::F16).map_err(embed_error(format!(
            "cannot copy the model {} into the index",
            source.display()
        )))?;
        let model = load(&dir, tokens)?;
        let info = model.info();
        let record = VectorModel {
            name: info.name.clone(),
            dimensions: info.dimensions,
            max_tokens: info.max_tokens,
            fingerprint: info.fingerprint.clone(),
            source_fingerprint,
            folder,
            encoding: VectorEncoding::Int8,
            passage: PASSAGE_VERSION,
        };
        writer.set_vector_model(record.clone())?;
        tracing::info!(
            model = %record.name,
            from = %source.display(),
            "the index now holds vectors: copied the model into {}",
            dir.display()
        );
        let mut embedder = Embedder::new(dir, record);
        embedder.summary.seconds = started.elapsed().as_secs_f64();
        embedder.model = Some(model);
        Ok(Some(embedder))
    }

    /// Embeds with the model the index keeps, as recorded.
    fn as_indexed(
        index_dir: &Path,
        record: VectorModel,
        tokens: Option<usize>,
    ) -> Result<Embedder, IngestError> {
        if let Some(tokens) = tokens
            && tokens != record.max_tokens
        {
            return Err(IngestError::Semantic(format!(
                "the index at {} holds vectors of passages cut to {} tokens; rebuild it to change the window to {tokens}",
                index_dir.display(),
                record.max_tokens
            )));
        }
        Ok(Embedder::new(index_dir.join(&record.folder), record))
    }

    fn new(dir: PathBuf, record: VectorModel) -> Embedder {
        Embedder {
            dir,
            summary: VectorSummary {
                model: record.name.clone(),
                ..VectorSummary::default()
            },
            record,
            model: None,
            queue: Vec::new(),
            queued_keys: HashSet::new(),
        }
    }

    /// Puts `article` in the queue; tells `reporter` how many of its
    /// passages are new (and so will be embedded).
    pub(crate) fn queue(
        &mut self,
        writer: &IndexWriter,
        article: &Article,
        reporter: &mut dyn Reporter,
    ) -> Result<(), IngestError> {
        let mut slots = Vec::with_capacity(article.sections().len());
        let mut new = 0;
        for section in article.sections() {
            let passage = rubric_index::passage(article, section);
            let key = rubric_index::passage_key(&passage);
            if self.queued_keys.contains(&key) {
                slots.push(Slot::New { key, passage });
            } else if let Some(vector) = writer.known_vector(&key)? {
                self.summary.kept += 1;
                slots.push(Slot::Known(vector));
            } else {
                new += 1;
                self.queued_keys.insert(key.clone());
                slots.push(Slot::New { key, passage });
            }
        }
        if new > 0 {
            reporter.embedding(new);
        }
        self.queue.push((article.clone(), slots));
        Ok(())
    }

    /// Embeds what is queued, in batches of [`BATCH`] passages, and writes
    /// the articles: all of it with `all`, else only full batches.
    pub(crate) fn flush(
        &mut self,
        writer: &mut IndexWriter,
        reporter: &mut dyn Reporter,
        all: bool,
    ) -> Result<(), IngestError> {
        while !self.queue.is_empty() && (all || self.queued_keys.len() >= BATCH) {
            // The first articles holding BATCH new passages (or all of them).
            let mut take = 0;
            let mut keys = HashSet::new();
            for (_, slots) in &self.queue {
                take += 1;
                for slot in slots {
                    if let Slot::New { key, .. } = slot
                        && self.queued_keys.contains(key)
                    {
                        keys.insert(key.as_str());
                    }
                }
                if keys.len() >= BATCH {
                    break;
                }
            }
            let batch: Vec<(Article, Vec<Slot>)> = self.queue.drain(..take).collect();
            self.write_batch(writer, reporter, batch)?;
        }
        Ok(())
    }

    fn write_batch(
        &mut self,
        writer: &mut IndexWriter,
        reporter: &mut dyn Reporter,
        batch: Vec<(Article, Vec<Slot>)>,
    ) -> Result<(), IngestError> {
        // The passages to embed, each once.
        let mut keys: Vec<&str> = Vec::new();
        let mut passages: Vec<&str> = Vec::new();
        for (_, slots) in &batch {
            for slot in slots {
                if let Slot::New { key, passage } = slot
                    && self.queued_keys.contains(key)
                    && !keys.contains(&key.as_str())
                {
                    keys.push(key);
                    passages.push(passage);
                }
            }
        }
        let started = Instant::now();
        let vectors = if passages.is_empty() {
            Vec::new()
        } else {
            let model = self.model()?;
            model
                .embed_passages(&passages)
                .map_err(embed_error("cannot embed sections"))?
        };
        self.summary.seconds += started.elapsed().as_secs_f64();
        let made: std::collections::HashMap<&str, Vec<u8>> = keys
            .iter()
            .zip(&vectors)
            .map(|(key, v)| (*key, self.record.encode(v)))
            .collect();
        let embedded = made.len();
        for (article, slots) in &batch {
            let mut stored = Vec::with_capacity(slots.len());
            for slot in slots {
                let vector = match slot {
                    Slot::Known(vector) => vector.clone(),
                    Slot::New { key, .. } => match made.get(key.as_str()) {
                        Some(vector) => vector.clone(),
                        // Embedded in an earlier batch of this run.
                        None => writer.known_vector(key)?.ok_or_else(|| {
                            IngestError::Semantic(format!(
                                "lost the vector of a section of {}",
                                article.id()
                            ))
                        })?,
                    },
                };
                stored.push(vector);
            }
            writer.upsert_with_vectors(article, &stored)?;
        }
        for key in &keys {
            self.queued_keys.remove(*key);
        }
        self.summary.embedded += embedded;
        if embedded > 0 {
            reporter.embedded(embedded);
        }
        Ok(())
    }

    /// The model, loaded (and checked against the record) the first time.
    fn model(&mut self) -> Result<&Model, IngestError> {
        if self.model.is_none() {
            let started = Instant::now();
            let model = load(&self.dir, Some(self.record.max_tokens))?;
            if model.info().fingerprint != self.record.fingerprint {
                return Err(IngestError::Semantic(format!(
                    "the model in {} is not the one that made the index's vectors (fingerprint {}, recorded {}); rebuild the index (`ingest --rebuild --semantic=MODEL_DIR`)",
                    self.dir.display(),
                    short(&model.info().fingerprint),
                    short(&self.record.fingerprint)
                )));
            }
            tracing::debug!(
                ms = started.elapsed().as_secs_f64() * 1e3,
                "loaded the index's model"
            );
            self.model = Some(model);
        }
        self.model.as_ref().ok_or_else(|| {
            IngestError::Semantic(format!("cannot load the model in {}", self.dir.display()))
        })
    }

    /// What the run's vectors cost.
    pub(crate) fn summary(&self) -> VectorSummary {
        self.summary.clone()
    }
}

/// Loads the model in `dir` to read `window` tokens of each passage: by
/// default [`DEFAULT_WINDOW`], or the model's own window when that is
/// shorter (a window given that the model cannot take is an error).
fn load(dir: &Path, window: Option<usize>) -> Result<Model, IngestError> {
    Model::load(dir)
        .and_then(|m| {
            let window = window.unwrap_or_else(|| DEFAULT_WINDOW.min(m.info().max_tokens));
            m.with_max_tokens(window)
        })
        .map_err(embed_error(format!(
            "cannot load the model {}",
            dir.display()
        )))
}

/// The first characters of a fingerprint, for messages.
fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}
