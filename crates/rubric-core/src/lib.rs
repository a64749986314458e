//! The model every Rubric stage speaks: [`Article`] (assembled as a
//! [`Draft`]), [`Section`], [`Format`], anchors ([`slug`]), content hashes
//! ([`content_hash`]), the small [`text`] helpers every stage shares, and
//! [`charset`]: bytes in any character set to UTF-8 text, one decoder for a
//! fetched page's body and a file's bytes.
//!
//! This crate owns the shape of the data and the small pure functions that
//! define its identity (article ids, section anchors, hashes). It does no I/O:
//! reading files, fetching pages, extracting structure and indexing all live
//! in other crates, so an extractor can be tested without an index and an
//! index with hand-made sections.
//!
//! ```
//! use rubric_core::{Article, Format, SectionBuilder};
//!
//! let mut outline = SectionBuilder::new();
//! outline.push_text("Text before the first heading.");
//! outline.push_heading(2, "Getting started", None);
//! outline.push_text("Install it.");
//! let article = Article::new("guide.md", "docs/guide.md", Format::Markdown, "Guide", outline.finish());
//! assert_eq!(article.sections()[1].anchor, "getting-started");
//! assert_eq!(article.sections()[1].path, Vec::<String>::new());
//! ```

mod article;
mod builder;
pub mod charset;
mod chunk;
mod slug;
pub mod text;

pub use article::{
    Article, Draft, Format, Metadata, Section, content_hash, section_id, section_link,
};
pub use builder::SectionBuilder;
pub use chunk::MAX_SECTION_BYTES;
pub use slug::{Anchors, slug};
