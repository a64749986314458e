//! The page's JSON-LD (`<script type=application/ld+json>`): the things it
//! describes, each with whether it is the article.
//!
//! [`things`] parses one script and hands over the things at its top level,
//! in a list, in `@graph`, or as a thing's `mainEntity`; nothing deeper (a
//! list page's items are other articles). A thing is the article when its
//! `@type` is an `…Article`, a `…Posting`, a report, review or recipe.
//! JSON that does not parse is passed over (logged at debug). What is read
//! from a thing is up to the caller: the publication date (`published`),
//! the embedded article body (`fallback`).

use serde_json::{Map, Value};

/// A JSON-LD thing: its properties by name.
pub(super) type Thing = Map<String, Value>;

/// Calls `each` with every thing of one script's text and whether it is
/// the article.
pub(super) fn things(text: &str, each: &mut dyn FnMut(&Thing, bool)) {
    let text = text.trim();
    let text = text.strip_prefix("<!--").unwrap_or(text);
    let text = text.strip_suffix("-->").unwrap_or(text);
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(value) => visit(&value, 0, each),
        Err(error) => tracing::debug!(%error, "JSON-LD that does not parse"),
    }
}

/// Visits a value `depth` things below the top (lists do not count).
fn visit(value: &Value, depth: usize, each: &mut dyn FnMut(&Thing, bool)) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| visit(v, depth, each)),
        Value::Object(thing) => {
            each(thing, thing.get("@type").is_some_and(is_article_type));
            if depth < 2 {
                for key in ["@graph", "mainEntity"] {
                    if let Some(inner) = thing.get(key) {
                        visit(inner, depth + 1, each);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether a JSON-LD `@type` (a name or a list of names) is an article.
fn is_article_type(value: &Value) -> bool {
    let article = |name: &str| {
        name.ends_with("Article")
            || name.ends_with("Posting")
            || matches!(name, "Report" | "Review" | "Recipe")
    };
    match value {
        Value::String(name) => article(name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).any(article),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(text: &str) -> Vec<(String, bool)> {
        let mut seen = Vec::new();
        things(text, &mut |thing, article| {
            let name = thing
                .get("@type")
                .map(|t| t.to_string())
                .unwrap_or_default();
            seen.push((name, article));
        });
        seen
    }

    #[test]
    fn things_in_lists_graphs_and_main_entities_are_read_but_not_list_items() {
        let text = r#"<!-- [{"@type": "WebSite"},
            {"@graph": [{"@type": ["BlogPosting"]},
                        {"@type": "CollectionPage", "mainEntity": {"@type": "ItemList",
                         "itemListElement": [{"@type": "NewsArticle"}]}}]}] -->"#;
        assert_eq!(
            types(text),
            [
                ("\"WebSite\"".to_string(), false),
                (String::new(), false),
                ("[\"BlogPosting\"]".to_string(), true),
                ("\"CollectionPage\"".to_string(), false),
                ("\"ItemList\"".to_string(), false),
            ]
        );
    }

    #[test]
    fn json_that_does_not_parse_gives_nothing() {
        assert!(types(r#"{"@type": "Article", "#).is_empty());
    }
}
