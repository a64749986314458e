//! JSON Lines: one article per non-blank line, as design.md's input contract
//! says: `id` or `_id` (a string or a number) required; optional `title`,
//! `url`, `tags` (a list of strings, or one comma-separated string) and
//! `date`; the body in one of `text`, `markdown` or `html`. BEIR corpora
//! (`{"_id": "4983", "title": "...", "text": "..."}`) are read as they are.
//!
//! This module owns the record fields and the line-by-line streaming: lines
//! are read lazily from the input, and a malformed line is an
//! [`ExtractError::Record`] naming the source and the 1-based line while the
//! following lines still come out. It does not own how a body becomes
//! sections: that is [`crate::text`], [`crate::markdown`] or [`crate::html`],
//! with the record's title (when it has one) put over the one they find.
//! Every article keeps the file as its `source`; the record id is its `id`.

use serde_json::{Map, Value};

use crate::{Article, ExtractError, Input, Kind};

/// One result per non-blank line of `input`, in order, read lazily.
pub fn records<'a>(
    input: &'a Input<'a>,
) -> impl Iterator<Item = Result<Article, ExtractError>> + 'a {
    let bytes = input
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(input.bytes);
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.trim_ascii().is_empty())
        .map(move |(i, line)| {
            let line_no = i + 1;
            record(input.source, line).map_err(|reason| ExtractError::Record {
                source_name: input.source.to_string(),
                line: line_no,
                reason,
            })
        })
}

/// Extracts the article of one line; the error is the reason only.
fn record(source: &str, line: &[u8]) -> Result<Article, String> {
    let line = std::str::from_utf8(line)
        .map_err(|e| format!("not valid UTF-8 (at byte {})", e.valid_up_to()))?;
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(fields) = value else {
        return Err("a record must be a JSON object".into());
    };
    let id = record_id(&fields)?;
    let title = optional_string(&fields, "title")?;
    let url = optional_string(&fields, "url")?;
    let date = optional_string(&fields, "date")?;
    let tags = tags(&fields)?;

    let (kind, body) = ["text", "markdown", "html"]
        .into_iter()
        .zip([Kind::Text, Kind::Markdown, Kind::Html])
        .find_map(|(key, kind)| fields.get(key).map(|v| (key, kind, v)))
        .map(|(key, kind, v)| match v {
            Value::String(s) => Ok((kind, s.as_str())),
            _ => Err(format!("`{key}` must be a string")),
        })
        .ok_or_else(|| "no body: expected one of `text`, `markdown`, `html`".to_string())??;

    let body_input = Input {
        id: &id,
        source,
        url: url.as_deref(),
        kind,
        bytes: body.as_bytes(),
    };
    let extracted = match kind {
        Kind::Markdown => crate::markdown::extract(&body_input),
        Kind::Html => crate::html::extract(&body_input),
        Kind::Text | Kind::Jsonl => crate::text::extract(&body_input),
    };
    let mut article = extracted.map_err(|e| {
        let message = e.to_string();
        match message
            .strip_prefix(source)
            .and_then(|m| m.strip_prefix(": "))
        {
            Some(reason) => reason.to_string(),
            None => message,
        }
    })?;
    if let Some(title) = title {
        article.title = title;
    }
    article.url = url;
    if !tags.is_empty() {
        article.metadata.tags = tags;
    }
    if date.is_some() {
        article.metadata.date = date;
    }
    article.rehash();
    Ok(article)
}

/// `id`, else `_id`: a non-empty string, or a number written as JSON wrote it.
fn record_id(fields: &Map<String, Value>) -> Result<String, String> {
    let (key, value) = ["id", "_id"]
        .into_iter()
        .find_map(|k| fields.get(k).filter(|v| !v.is_null()).map(|v| (k, v)))
        .ok_or_else(|| "missing `id` (or `_id`)".to_string())?;
    let id = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return Err(format!("`{key}` must be a string or a number")),
    };
    if id.is_empty() {
        return Err(format!("`{key}` is empty"));
    }
    Ok(id)
}

/// A string field that may be absent or null; blank counts as absent.
fn optional_string(fields: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

/// `tags`: a list of strings, or one comma-separated string.
fn tags(fields: &Map<String, Value>) -> Result<Vec<String>, String> {
    let tags: Vec<String> = match fields.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.split(',').map(|t| t.trim().to_string()).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                _ => Err("`tags` must be a list of strings".to_string()),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`tags` must be a list of strings".into()),
    };
    Ok(tags.into_iter().filter(|t| !t.is_empty()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(src: &str) -> Vec<Result<Article, ExtractError>> {
        records(&Input::new("", "data/c.jsonl", Kind::Jsonl, src.as_bytes())).collect()
    }

    fn one(src: &str) -> Article {
        let mut all = jsonl(src);
        assert_eq!(all.len(), 1);
        all.remove(0).unwrap()
    }

    #[test]
    fn beir_record() {
        let a = one(
            r#"{"_id":"4983","title":"Microstructural development","text":"Alterations of the architecture.","metadata":{}}"#,
        );
        assert_eq!((a.id.as_str(), a.source.as_str()), ("4983", "data/c.jsonl"));
        assert_eq!(a.title, "Microstructural development");
        assert_eq!(a.sections.len(), 1);
        assert_eq!(a.sections[0].heading, None);
        assert_eq!(a.sections[0].text, "Alterations of the architecture.");
    }

    #[test]
    fn id_wins_over_underscore_id_and_numbers_are_ids() {
        assert_eq!(one(r#"{"id":"a","_id":"b","markdown":"x"}"#).id, "a");
        assert_eq!(one(r#"{"_id":4983,"markdown":"x"}"#).id, "4983");
    }

    #[test]
    fn markdown_body_with_fields() {
        let a = one(
            r##"{"id":"n1","url":"https://e.org/n1","tags":["a","b"],"date":"2024-01-02","markdown":"# Found\n\n## Setup\n\nRun it."}"##,
        );
        assert_eq!(a.title, "Found", "no record title: the body's");
        assert_eq!(a.url.as_deref(), Some("https://e.org/n1"));
        assert_eq!(a.metadata.tags, ["a", "b"]);
        assert_eq!(a.metadata.date.as_deref(), Some("2024-01-02"));
        assert_eq!(a.sections[0].heading.as_deref(), Some("Setup"));
        assert_eq!(a.format, rubric_core::Format::Markdown);
    }

    #[test]
    fn html_body_title_overridden() {
        let a = one(
            r#"{"id":"h","title":"Mine","html":"<h1>Theirs</h1><h2 id=x>Part</h2><p>Body</p>"}"#,
        );
        assert_eq!(a.title, "Mine");
        assert_eq!(a.sections[0].anchor, "x");
        assert_eq!(a.sections[0].text, "Body");
    }

    #[test]
    fn a_malformed_line_is_an_error_with_its_line_and_the_rest_come_out() {
        let all = jsonl(
            "{\"id\":\"a\",\"markdown\":\"x\"}\n\n{not json\n{\"id\":\"c\",\"markdown\":\"y\"}\n",
        );
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].as_ref().map(|a| a.id.as_str()).ok(), Some("a"));
        let e = all[1].as_ref().unwrap_err().to_string();
        assert!(e.starts_with("data/c.jsonl:3: not JSON"), "{e}");
        assert_eq!(all[2].as_ref().map(|a| a.id.as_str()).ok(), Some("c"));
    }

    #[test]
    fn missing_id_or_body_is_an_error() {
        let e = jsonl(r#"{"title":"x","text":"y"}"#)
            .remove(0)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "data/c.jsonl:1: missing `id` (or `_id`)");
        let e = jsonl(r#"{"id":"x"}"#).remove(0).unwrap_err().to_string();
        assert!(e.contains("no body"), "{e}");
        let e = jsonl(r#"{"id":"x","markdown":""}"#)
            .remove(0)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "data/c.jsonl:1: no text to index");
    }
}
