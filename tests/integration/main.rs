//! End-to-end tests of the `ingest` and `search` binaries. One test binary,
//! one temp dir per case (see `harness`).

#![allow(clippy::unwrap_used)]

mod harness;
mod incremental;
mod ingest;
mod query;
mod search;
mod web;
