//! [`Sink`]: sends the sections of added and changed articles to an engine
//! and deletes the sections of changed and removed ones, so an incremental
//! run keeps a remote index as it keeps Rubric's own.
//!
//! - Documents ([`Document`]) go in batches bounded in bytes
//!   ([`SinkOptions::batch_bytes`]); the last batch of a run asks the engine
//!   to make everything searchable (Quickwit `commit=force`,
//!   Elasticsearch `refresh=wait_for`).
//! - Deletes are by article and content hash, so they need no document ids
//!   and no order with the writes: a changed article's older versions are
//!   "its sections whose hash is not the new one", a removed article's are
//!   all of its sections. They are gathered and sent a thousand articles at
//!   a time (Quickwit: one delete task, which rewrites the splits it
//!   touches; Elasticsearch: one `_delete_by_query`).
//! - A document the engine refuses is reported ([`Event::Refused`]) with
//!   the engine's reason; what was sent of that article is deleted again,
//!   so the engine keeps the version the catalog says it has.
//! - Every article is written to the journal ([`journal`]) before anything
//!   of it is sent, and stays there until the caller has saved its catalog
//!   ([`Sink::checkpointed`]). A run that dies leaves the journal; the next
//!   [`Sink::open`] returns those ids, and [`Sink::recover`] deletes all
//!   their sections (Quickwit keeps no ids: re-sending would duplicate).
//! - Quickwit: a request that failed in a way that may have been applied
//!   (a 5xx, a time-out) and then succeeded may have stored its documents
//!   twice; those articles are left unconfirmed ([`Event::Unsure`]) and in
//!   the journal, so the next run replaces them cleanly.
//!
//! The engine-specific requests are in `quickwit` and `elastic`; this
//! module owns batching, bookkeeping and the journal. It does not decide
//! what changed (that is `rubric-ingest`'s plan against its catalog).

mod elastic;
pub(crate) mod journal;
mod quickwit;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use rubric_core::Article;
use rubric_index::Analysis;

use crate::doc::Document;
use crate::http::{Http, HttpOptions};
use crate::{Endpoint, Engine, RemoteError};

use journal::Journal;

pub(crate) use elastic::bulk_lines;

/// Articles per delete request.
const STALE_PER_REQUEST: usize = 1000;

/// How a sink sends.
#[derive(Debug, Clone)]
pub struct SinkOptions {
    /// A batch of documents is sent once it would grow past this many
    /// bytes (a larger document goes alone).
    pub batch_bytes: usize,
    /// Time-out, retries, back-off.
    pub http: HttpOptions,
    /// The journal file (kept beside the caller's catalog).
    pub journal: PathBuf,
    /// Create the remote index when it does not exist.
    pub create: bool,
    /// Delete the remote index and create it again (`ingest --rebuild`).
    pub rebuild: bool,
}

impl SinkOptions {
    /// 5 MB batches, the default HTTP options, creating the index if need
    /// be, with the journal at `journal`.
    pub fn new(journal: PathBuf) -> SinkOptions {
        SinkOptions {
            batch_bytes: 5_000_000,
            http: HttpOptions::default(),
            journal,
            create: true,
            rebuild: false,
        }
    }
}

/// What the sink has done so far, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Sections handed to the sink.
    pub queued: usize,
    /// Sections the engine accepted.
    pub sent: usize,
    /// Bytes of documents the engine accepted.
    pub bytes: u64,
    /// Requests made to send documents.
    pub requests: usize,
    /// Articles whose older sections were asked to be deleted.
    pub deleted: usize,
    /// Delete requests made (Quickwit delete tasks, `_delete_by_query`).
    pub delete_requests: usize,
}

/// What happened to an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The engine holds exactly this article's current sections (or none,
    /// for a removed one), up to deletes it applies in the background.
    Done(String),
    /// The engine refused a section of it; what was sent of it was deleted
    /// again.
    Refused {
        /// The article id.
        article: String,
        /// The section and the engine's reason.
        reason: String,
    },
    /// It may have been stored twice (a request failed in a way that may
    /// have been applied, then succeeded on retry): left to the next run.
    Unsure(String),
}

/// How [`Sink::open`] found the remote index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opening {
    /// It did not exist and was created (or was rebuilt).
    pub created: bool,
    /// Articles the journal holds from a run that did not finish: the
    /// caller must [`Sink::recover`] them before sending anything.
    pub unfinished: Vec<String>,
}

/// A batch of documents being filled.
#[derive(Debug, Default)]
struct Batch {
    body: Vec<u8>,
    /// (section id, article id) of each document, in order.
    docs: Vec<(String, String)>,
}

/// Sections to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stale {
    /// Every section of the article whose hash is not `keep`.
    Others { article: String, keep: String },
    /// Every section of the article.
    All { article: String },
    /// The sections of the article with this hash (a refused version).
    Only { article: String, hash: String },
}

impl Stale {
    fn article(&self) -> &str {
        match self {
            Stale::Others { article, .. }
            | Stale::All { article }
            | Stale::Only { article, .. } => article,
        }
    }
}

/// An article not yet confirmed.
#[derive(Debug)]
struct Open {
    hash: String,
    /// Sections not yet accepted.
    left: usize,
    /// A delete of older sections still to be sent.
    stale: bool,
    /// Why the engine refused a section, if it did.
    refused: Option<String>,
    /// A request with its sections may have been applied twice.
    unsure: bool,
}

/// Sends articles to one remote index.
#[derive(Debug)]
pub struct Sink {
    endpoint: Endpoint,
    http: Http,
    runtime: tokio::runtime::Runtime,
    analysis: Analysis,
    batch_bytes: usize,
    batch: Batch,
    stale: Vec<Stale>,
    open: HashMap<String, Open>,
    events: Vec<Event>,
    journal: Journal,
    /// When the journal was last written before this run (for recovery).
    journal_written: Option<SystemTime>,
    /// Quickwit's commit time-out of this index.
    commit_timeout: Duration,
    progress: Progress,
}

impl Sink {
    /// Connects to `endpoint`'s index: checks that it holds Rubric's fields,
    /// creates it when it does not exist ([`SinkOptions::create`]), or
    /// deletes and creates it ([`SinkOptions::rebuild`]); opens the journal.
    pub fn open(endpoint: &Endpoint, options: SinkOptions) -> Result<(Sink, Opening), RemoteError> {
        let runtime = crate::http::runtime()?;
        let http = Http::new(endpoint, options.http);
        let (journal, unfinished, journal_written) =
            Journal::open(&options.journal).map_err(|e| journal_error(&options.journal, e))?;
        let mut sink = Sink {
            endpoint: endpoint.clone(),
            http,
            runtime,
            analysis: Analysis::new(),
            batch_bytes: options.batch_bytes.max(1),
            batch: Batch::default(),
            stale: Vec::new(),
            open: HashMap::new(),
            events: Vec::new(),
            journal,
            journal_written,
            commit_timeout: Duration::from_secs(crate::config::QUICKWIT_COMMIT_TIMEOUT_SECS),
            progress: Progress::default(),
        };
        let created = match endpoint.engine {
            Engine::Quickwit => quickwit::prepare(&mut sink, options.create, options.rebuild)?,
            Engine::Elasticsearch | Engine::OpenSearch => {
                elastic::prepare(&mut sink, options.create, options.rebuild)?
            }
        };
        Ok((
            sink,
            Opening {
                created,
                unfinished,
            },
        ))
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Deletes every section of `articles` (left unfinished by an earlier
    /// run) before anything else is sent. On Quickwit it then waits until
    /// any split that run may still have been writing is committed, so the
    /// delete cannot reach the sections this run sends again.
    pub fn recover(&mut self, articles: &[String]) -> Result<(), RemoteError> {
        if articles.is_empty() {
            return Ok(());
        }
        tracing::info!(
            "{} articles left unfinished by an earlier run: deleting their sections in {}",
            articles.len(),
            self.endpoint
        );
        let stale: Vec<Stale> = articles
            .iter()
            .map(|a| Stale::All { article: a.clone() })
            .collect();
        for chunk in stale.chunks(STALE_PER_REQUEST) {
            self.send_stale(chunk)?;
        }
        if self.endpoint.engine == Engine::Quickwit
            && let Some(written) = self.journal_written
        {
            let settled = written + self.commit_timeout + Duration::from_secs(10);
            if let Ok(wait) = settled.duration_since(SystemTime::now()) {
                tracing::info!(
                    "waiting {:.0} s for Quickwit to commit what the earlier run sent",
                    wait.as_secs_f64()
                );
                std::thread::sleep(wait);
            }
        }
        Ok(())
    }

    /// Queues the sections of `article`; `replaces` when the engine may hold
    /// an older version of it (its older sections are deleted). Sends a
    /// batch whenever one is full.
    pub fn index(&mut self, article: &Article, replaces: bool) -> Result<(), RemoteError> {
        let docs = Document::of_article(article, &mut self.analysis);
        let id = article.id().to_string();
        self.note(&id)?;
        self.open.insert(
            id.clone(),
            Open {
                hash: article.hash().to_string(),
                left: docs.len(),
                stale: replaces,
                refused: None,
                unsure: false,
            },
        );
        if replaces {
            self.stale.push(Stale::Others {
                article: id.clone(),
                keep: article.hash().to_string(),
            });
        }
        self.progress.queued += docs.len();
        for doc in &docs {
            let line = self.encode(doc);
            if !self.batch.docs.is_empty() && self.batch.body.len() + line.len() > self.batch_bytes
            {
                self.flush(false)?;
            }
            self.batch.body.extend_from_slice(&line);
            self.batch.docs.push((doc.id.clone(), id.clone()));
        }
        if docs.is_empty() {
            self.settle(&id);
        }
        if self.stale.len() >= STALE_PER_REQUEST {
            self.flush_stale()?;
        }
        Ok(())
    }

    /// Queues the deletion of every section of article `id`.
    pub fn delete(&mut self, id: &str) -> Result<(), RemoteError> {
        self.note(id)?;
        self.open.insert(
            id.to_string(),
            Open {
                hash: String::new(),
                left: 0,
                stale: true,
                refused: None,
                unsure: false,
            },
        );
        self.stale.push(Stale::All {
            article: id.to_string(),
        });
        if self.stale.len() >= STALE_PER_REQUEST {
            self.flush_stale()?;
        }
        Ok(())
    }

    /// Sends what is left (the last batch asks the engine to make
    /// everything searchable) and every delete. Articles still unconfirmed
    /// afterwards are reported as [`Event::Unsure`].
    pub fn finish(&mut self) -> Result<(), RemoteError> {
        if !self.batch.docs.is_empty() {
            self.flush(true)?;
        }
        self.flush_stale()?;
        let unsure: Vec<String> = self
            .open
            .iter()
            .filter(|(_, o)| o.unsure)
            .map(|(id, _)| id.clone())
            .collect();
        for id in unsure {
            self.events.push(Event::Unsure(id));
        }
        Ok(())
    }

    /// What happened since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Articles the engine may hold differently from what the caller
    /// asked (sent or being deleted, not yet confirmed).
    pub fn unconfirmed(&self) -> impl Iterator<Item = &str> {
        self.open.keys().map(String::as_str)
    }

    /// Tells the sink that the caller's catalog now records every
    /// confirmed article: the journal keeps only the unconfirmed ones.
    pub fn checkpointed(&mut self) -> Result<(), RemoteError> {
        let path = self.journal.path().to_path_buf();
        let open: Vec<String> = self.open.keys().cloned().collect();
        self.journal
            .rewrite(open.iter().map(String::as_str))
            .map_err(|e| journal_error(&path, e))
    }

    /// Counts so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Writes `id` to the journal (synced before the next request).
    fn note(&mut self, id: &str) -> Result<(), RemoteError> {
        let path = self.journal.path().to_path_buf();
        self.journal.add(id).map_err(|e| journal_error(&path, e))
    }

    fn encode(&self, doc: &Document) -> Vec<u8> {
        match self.endpoint.engine {
            Engine::Quickwit => doc.to_line(),
            Engine::Elasticsearch | Engine::OpenSearch => elastic::bulk_lines(doc),
        }
    }

    /// Sends the batch; `last` for the last one of the run.
    fn flush(&mut self, last: bool) -> Result<(), RemoteError> {
        let batch = std::mem::take(&mut self.batch);
        if batch.docs.is_empty() {
            return Ok(());
        }
        self.sync_journal()?;
        let body = Bytes::from(batch.body);
        let bytes = body.len() as u64;
        let outcome = match self.endpoint.engine {
            Engine::Quickwit => quickwit::send(self, body, &batch.docs, last)?,
            Engine::Elasticsearch | Engine::OpenSearch => {
                elastic::send(self, body, &batch.docs, last)?
            }
        };
        self.progress.requests += 1;
        self.progress.sent += batch.docs.len() - outcome.refused.len();
        self.progress.bytes += bytes;
        let mut touched: BTreeSet<&str> = BTreeSet::new();
        for (_, article) in &batch.docs {
            touched.insert(article);
            if let Some(open) = self.open.get_mut(article) {
                open.left = open.left.saturating_sub(1);
                open.unsure |= outcome.unsure;
            }
        }
        for (section, reason) in outcome.refused {
            let article = batch
                .docs
                .iter()
                .find(|(id, _)| *id == section)
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            self.refuse(&article, format!("{section}: {reason}"));
        }
        for article in touched {
            self.settle(article);
        }
        Ok(())
    }

    /// Marks `article` refused and queues the deletion of what was sent.
    fn refuse(&mut self, article: &str, reason: String) {
        if let Some(open) = self.open.get_mut(article)
            && open.refused.is_none()
        {
            open.refused = Some(reason);
            self.stale.push(Stale::Only {
                article: article.to_string(),
                hash: open.hash.clone(),
            });
            open.stale = true;
        }
    }

    /// Reports `article` when nothing of it is outstanding.
    fn settle(&mut self, article: &str) {
        let Some(open) = self.open.get(article) else {
            return;
        };
        if open.left > 0 || open.stale || open.unsure {
            return;
        }
        if let Some(open) = self.open.remove(article) {
            self.events.push(match open.refused {
                Some(reason) => Event::Refused {
                    article: article.to_string(),
                    reason,
                },
                None => Event::Done(article.to_string()),
            });
        }
    }

    /// Sends every queued delete.
    fn flush_stale(&mut self) -> Result<(), RemoteError> {
        if self.stale.is_empty() {
            return Ok(());
        }
        // A refused article's documents may still be in the batch.
        let waiting: BTreeSet<&str> = self.batch.docs.iter().map(|(_, a)| a.as_str()).collect();
        let (now, later): (Vec<Stale>, Vec<Stale>) =
            std::mem::take(&mut self.stale).into_iter().partition(
                |s| !matches!(s, Stale::Only { article, .. } if waiting.contains(article.as_str())),
            );
        self.stale = later;
        self.sync_journal()?;
        for chunk in now.chunks(STALE_PER_REQUEST) {
            self.send_stale(chunk)?;
            for s in chunk {
                if let Some(open) = self.open.get_mut(s.article()) {
                    open.stale = false;
                }
            }
            self.progress.deleted += chunk.len();
            for s in chunk {
                self.settle(s.article());
            }
        }
        Ok(())
    }

    fn send_stale(&mut self, stale: &[Stale]) -> Result<(), RemoteError> {
        self.progress.delete_requests += 1;
        match self.endpoint.engine {
            Engine::Quickwit => quickwit::delete(self, stale),
            Engine::Elasticsearch | Engine::OpenSearch => elastic::delete(self, stale),
        }
    }

    fn sync_journal(&mut self) -> Result<(), RemoteError> {
        let path = self.journal.path().to_path_buf();
        self.journal.sync().map_err(|e| journal_error(&path, e))
    }

    /// Runs one call to completion. A caller that is itself inside a Tokio
    /// runtime (`ingest`'s web pages) cannot block on another one, so the
    /// call is then made on a thread of its own.
    fn call(&self, call: &crate::http::Call) -> Result<crate::http::Reply, RemoteError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.runtime.block_on(self.http.call(call));
        }
        let (runtime, http) = (&self.runtime, &self.http);
        std::thread::scope(|scope| {
            scope
                .spawn(|| runtime.block_on(http.call(call)))
                .join()
                .unwrap_or_else(|_| {
                    Err(RemoteError::Runtime(std::io::Error::other(
                        "the HTTP call panicked",
                    )))
                })
        })
    }

    /// An error for a reply with a status the caller did not expect.
    fn status_error(&self, call: &crate::http::Call, reply: &crate::http::Reply) -> RemoteError {
        RemoteError::Status {
            engine: self.endpoint.engine.name(),
            what: call.what(),
            status: reply.status,
            message: reply.message(),
        }
    }
}

/// What sending one batch gave.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    /// (section id, reason) of every refused document.
    pub refused: Vec<(String, String)>,
    /// The request may have been applied more than once.
    pub unsure: bool,
}

fn journal_error(path: &std::path::Path, source: std::io::Error) -> RemoteError {
    RemoteError::Journal {
        path: path.display().to_string(),
        source,
    }
}
