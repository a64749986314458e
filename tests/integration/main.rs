//! End-to-end tests of the `ingest` and `search` binaries. One test binary,
//! one temp dir per case (see `harness`).

#![allow(clippy::unwrap_used)]

mod browser;
mod fake_elastic;
mod fake_quickwit;
mod harness;
mod hostile;
mod incremental;
mod ingest;
mod languages;
mod publish;
mod query;
mod search;
mod semantic;
mod serve;
mod serve_hostile;
mod sink;
mod sink_elastic;
mod web;
