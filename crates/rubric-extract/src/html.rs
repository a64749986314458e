//! html extraction (placeholder until the extractor lands).

use crate::{Article, ExtractError, Input};

/// Extracts one article.
pub fn extract(input: &Input<'_>) -> Result<Article, ExtractError> {
    Err(ExtractError::Unsupported {
        source_name: input.source.to_string(),
        reason: "not implemented yet".into(),
    })
}
