//! Hybrid search in `search`: when the index holds section vectors, the
//! query is embedded by the model kept in the index folder (loaded once per
//! process, and only then) and the request carries its vector
//! ([`rubric_index::Dense`]); `rubric-index` does the fusing. An index
//! without vectors loads nothing and searches as before.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use rubric_embed::Model;
use rubric_index::{Dense, IndexReader, VectorModel};

/// How hybrid ranking is asked for on the command line (or by the server).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Rank by words alone, even in an index with vectors (`--lexical`).
    pub lexical: bool,
    /// Embed queries with this folder instead of the index's copy (`--model`).
    pub model: Option<PathBuf>,
    /// Lexical hits reranked (`--candidates`).
    pub candidates: usize,
    /// Nearest sections by vector added (`--dense-recall`).
    pub recall: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lexical: false,
            model: None,
            candidates: rubric_index::DEFAULT_CANDIDATES,
            recall: rubric_index::DEFAULT_RECALL,
        }
    }
}

/// The model that embeds queries for one index, and how to fuse.
pub struct Embedder {
    model: Model,
    settings: Settings,
    /// The index's record the model was checked against.
    record: VectorModel,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("record", &self.record)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// The embedder for the index `reader` reads: `None` when it holds no
    /// vectors or hybrid ranking is off. Loads the model kept in the index
    /// (or `settings.model`) and checks it is the one that made the index's
    /// vectors.
    pub fn open(reader: &IndexReader, settings: &Settings) -> anyhow::Result<Option<Embedder>> {
        if settings.lexical {
            return Ok(None);
        }
        let (Some(record), Some(kept)) = (reader.vector_model(), reader.model_dir()) else {
            return Ok(None);
        };
        match &settings.model {
            Some(dir) => Embedder::load(dir, record, settings.clone()).map(Some),
            None => Embedder::load_kept(&kept, record, settings.clone()).map(Some),
        }
    }

    /// Loads the model in `dir` for an index whose vectors `record`
    /// describes, hashing its files to check it is that model.
    pub fn load(dir: &Path, record: VectorModel, settings: Settings) -> anyhow::Result<Embedder> {
        Embedder::load_with(dir, record, settings, false)
    }

    /// Loads the copy of the model the index keeps in its folder: the
    /// index recorded that copy's fingerprint when it made it, so the
    /// weights are not hashed again (a one-shot `search` pays only the
    /// load).
    fn load_kept(dir: &Path, record: VectorModel, settings: Settings) -> anyhow::Result<Embedder> {
        Embedder::load_with(dir, record, settings, true)
    }

    fn load_with(
        dir: &Path,
        record: VectorModel,
        settings: Settings,
        kept: bool,
    ) -> anyhow::Result<Embedder> {
        let started = Instant::now();
        let model = if kept {
            Model::load_known(dir, &record.fingerprint)
        } else {
            Model::load(dir)
        };
        let model = model
            .and_then(|m| m.with_max_tokens(record.max_tokens))
            .with_context(|| {
                format!(
                    "cannot load the model that embeds queries ({})",
                    dir.display()
                )
            })?;
        let fingerprint = &model.info().fingerprint;
        if !record.accepts(fingerprint) {
            anyhow::bail!(
                "{} is not the model that made the index's vectors: the index was built with {} (fingerprint {}), this folder has fingerprint {}; use the model kept in the index folder ({}) or rebuild the index with `ingest --rebuild --semantic=MODEL_DIR`",
                dir.display(),
                record.name,
                short(&record.fingerprint),
                short(fingerprint),
                record.folder
            );
        }
        tracing::debug!(
            model = %record.name,
            ms = started.elapsed().as_secs_f64() * 1e3,
            "loaded the query model"
        );
        Ok(Embedder {
            model,
            settings,
            record,
        })
    }

    /// The query's vector and the fusion settings, for a request; and how
    /// long embedding took, in milliseconds.
    pub fn dense(&self, query: &str) -> anyhow::Result<(Dense, f64)> {
        let started = Instant::now();
        let vector = self
            .model
            .embed_query(query)
            .context("cannot embed the query")?;
        let mut dense = Dense::new(vector, self.model.info().fingerprint.clone());
        dense.candidates = self.settings.candidates;
        dense.recall = self.settings.recall;
        Ok((dense, started.elapsed().as_secs_f64() * 1e3))
    }
}

/// The first characters of a fingerprint, for messages.
fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}
