//! JSON Lines (placeholder until the extractor lands).

use crate::{Article, ExtractError, Input};

/// One result per non-blank line.
pub fn records<'a>(input: &'a Input<'a>) -> impl Iterator<Item = Result<Article, ExtractError>> + 'a {
    std::iter::empty()
}
