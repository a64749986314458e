//! JSON Lines: one article per non-blank line, as design.md's input contract
//! says: `id` or `_id` (a string or a number) required; optional `title`,
//! `url`, `tags` (a list of strings, or one comma-separated string), `date`
//! and `lang` (or `language`); the body in one of `text`, `markdown` or `html`. BEIR corpora
//! (`{"_id": "4983", "title": "...", "text": "..."}`) are read as they are.
//! A record may instead hold its sections already cut, as a CMS export
//! would: `sections`, a list of `{heading, level, anchor, text}` (all but
//! `text` optional; a first section without a heading is the lead), indexed
//! as given — no heading is inferred from their text.
//!
//! This module owns the record fields (decoded with serde) and the
//! line-by-line streaming: lines are read lazily from the input, and a
//! malformed line is an [`ExtractError`] naming the source and the 1-based
//! line while the following lines still come out. It does not own how a body
//! becomes sections: that is the text, Markdown or HTML extractor's, with
//! the record's title (when it has one) put over the one they find.
//! Every article keeps the file as its `source`; the record id is its `id`.

use serde::Deserialize;

use rubric_core::SectionBuilder;

use crate::{Article, Draft, ErrorKind, ExtractError, Format, Input};

/// One result per non-blank line of `input`, in order, read lazily.
pub(crate) fn records<'a>(
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
            record(input, line).map_err(|kind| ExtractError {
                source_name: input.source.to_string(),
                line: Some(i + 1),
                kind,
            })
        })
}

/// The fields of a record Rubric reads; others are ignored.
#[derive(Debug, Deserialize)]
struct Record {
    id: Option<RecordId>,
    #[serde(rename = "_id")]
    underscore_id: Option<RecordId>,
    title: Option<String>,
    url: Option<String>,
    date: Option<String>,
    #[serde(alias = "language")]
    lang: Option<String>,
    tags: Option<Tags>,
    text: Option<String>,
    markdown: Option<String>,
    html: Option<String>,
    sections: Option<Vec<RecordSection>>,
}

/// One section of a record that comes already cut.
#[derive(Debug, Deserialize)]
struct RecordSection {
    heading: Option<String>,
    level: Option<u8>,
    anchor: Option<String>,
    #[serde(default)]
    text: String,
}

/// A record id: a string, or a number written as JSON wrote it.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a string or a number")]
enum RecordId {
    Text(String),
    Number(serde_json::Number),
}

/// `tags`: a list of strings, or one comma-separated string.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a list of strings, or one comma-separated string"
)]
enum Tags {
    List(Vec<String>),
    Joined(String),
}

/// Extracts the article of one line.
fn record(input: &Input<'_>, line: &[u8]) -> Result<Article, ErrorKind> {
    let source = input.source;
    let line = std::str::from_utf8(line).map_err(|e| ErrorKind::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut record: Record = serde_json::from_str(line).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ErrorKind::BadRecord(e),
        _ => ErrorKind::NotJson(e),
    })?;
    let id = record_id(&record)?;
    let url = non_blank(record.url.take());
    let mut draft = match &record.sections {
        Some(sections) => given_sections(&id, source, sections)?,
        None => body(&id, source, url.as_deref(), &record)?,
    };
    if let Some(title) = non_blank(record.title) {
        draft.title = title;
    } else if draft.title == crate::title_from_source(source) {
        // The body had no title of its own, and the file's name would be
        // every record's: its first heading or its first words instead.
        if let Some(title) = first_heading_or_words(&draft) {
            draft.title = title;
        }
    }
    draft.url = url;
    let tags = match record.tags {
        None => Vec::new(),
        Some(Tags::List(tags)) => tags,
        Some(Tags::Joined(tags)) => tags.split(',').map(str::to_string).collect(),
    };
    let tags: Vec<String> = tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if !tags.is_empty() {
        draft.metadata.tags = tags;
    }
    if let Some(date) = non_blank(record.date) {
        draft.metadata.date = Some(crate::date::tidy(&date));
    }
    if let Some(lang) = non_blank(record.lang) {
        draft.metadata.language = Some(lang);
    }
    crate::language::decide(&mut draft, input.language);
    Ok(draft.finish())
}

/// Words a title made of a record's first words is cut after.
const TITLE_WORDS: usize = 10;

/// The first heading of a draft, else the first words of its text (cut
/// after [`TITLE_WORDS`] words, with `…`).
fn first_heading_or_words(draft: &crate::Draft) -> Option<String> {
    if let Some(heading) = draft.sections.iter().find_map(|s| s.heading.clone()) {
        return Some(heading);
    }
    let text = draft.sections.iter().find(|s| !s.text.trim().is_empty())?;
    let words: Vec<&str> = text.text.split_whitespace().collect();
    let mut title = words[..words.len().min(TITLE_WORDS)].join(" ");
    if words.len() > TITLE_WORDS {
        title.push('…');
    }
    Some(title)
}

/// The draft of a record's body, read by the extractor of its format.
fn body(id: &str, source: &str, url: Option<&str>, record: &Record) -> Result<Draft, ErrorKind> {
    let (format, body) = [
        (Format::Text, &record.text),
        (Format::Markdown, &record.markdown),
        (Format::Html, &record.html),
    ]
    .into_iter()
    .find_map(|(format, body)| body.as_deref().map(|b| (format, b)))
    .ok_or(ErrorKind::NoBody)?;
    let body_input = Input {
        id,
        source,
        url,
        date: None,
        language: None,
        format,
        bytes: body.as_bytes(),
    };
    crate::draft(&body_input).map_err(|e| e.kind)
}

/// The draft of a record whose sections come already cut: each as given
/// (heading, level — 2 when not given —, anchor, text), the title the first
/// heading's (else the file's, which [`record`] replaces with the first
/// words) until the record's own is put over it.
fn given_sections(id: &str, source: &str, sections: &[RecordSection]) -> Result<Draft, ErrorKind> {
    let mut builder = SectionBuilder::new();
    for section in sections {
        if let Some(heading) = section.heading.as_deref().filter(|h| !h.trim().is_empty()) {
            let anchor = section.anchor.as_deref().filter(|a| !a.is_empty());
            builder.push_heading(section.level.unwrap_or(2).max(2), heading, anchor);
        }
        builder.push_text(&section.text);
    }
    if builder.is_empty() {
        return Err(ErrorKind::Empty);
    }
    let title = sections
        .iter()
        .find_map(|s| non_blank(s.heading.clone()))
        .unwrap_or_else(|| crate::title_from_source(source));
    Ok(Draft::new(
        id,
        source,
        Format::Text,
        title,
        builder.finish(),
    ))
}

/// `id`, else `_id`: a non-empty string, or a number written as JSON wrote it.
fn record_id(record: &Record) -> Result<String, ErrorKind> {
    let (key, value) = [("id", &record.id), ("_id", &record.underscore_id)]
        .into_iter()
        .find_map(|(key, value)| value.as_ref().map(|v| (key, v)))
        .ok_or(ErrorKind::MissingId)?;
    let id = match value {
        RecordId::Text(s) => s.trim().to_string(),
        RecordId::Number(n) => n.to_string(),
    };
    // An id of nothing but control characters would be empty once the
    // article is finished (they are removed there).
    if rubric_core::text::strip_controls(&id, false)
        .trim()
        .is_empty()
    {
        return Err(ErrorKind::EmptyId(key));
    }
    Ok(id)
}

/// A string field trimmed; blank counts as absent.
fn non_blank(value: Option<String>) -> Option<String> {
    value
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_of_control_characters_is_an_empty_id() {
        let results = jsonl("{\"id\": \"\\u001b\\u0007\", \"text\": \"x\"}\n");
        let err = results[0].as_ref().unwrap_err();
        assert!(matches!(err.kind, ErrorKind::EmptyId("id")), "{err}");
    }

    fn jsonl(src: &str) -> Vec<Result<Article, ExtractError>> {
        records(&Input::new(
            "",
            "data/c.jsonl",
            Format::Jsonl,
            src.as_bytes(),
        ))
        .collect()
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
        assert_eq!((a.id(), a.source()), ("4983", "data/c.jsonl"));
        assert_eq!(a.title(), "Microstructural development");
        assert_eq!(a.sections().len(), 1);
        assert_eq!(a.sections()[0].heading, None);
        assert_eq!(a.sections()[0].text, "Alterations of the architecture.");
    }

    #[test]
    fn id_wins_over_underscore_id_and_numbers_are_ids() {
        assert_eq!(one(r#"{"id":"a","_id":"b","markdown":"x"}"#).id(), "a");
        assert_eq!(one(r#"{"_id":4983,"markdown":"x"}"#).id(), "4983");
    }

    #[test]
    fn markdown_body_with_fields() {
        let a = one(
            r##"{"id":"n1","url":"https://e.org/n1","tags":["a","b"],"date":"2024-01-02","markdown":"# Found\n\n## Setup\n\nRun it."}"##,
        );
        assert_eq!(a.title(), "Found", "no record title: the body's");
        assert_eq!(a.url(), Some("https://e.org/n1"));
        assert_eq!(a.metadata().tags, ["a", "b"]);
        assert_eq!(a.metadata().date.as_deref(), Some("2024-01-02"));
        assert_eq!(a.sections()[0].heading.as_deref(), Some("Setup"));
        assert_eq!(a.format(), rubric_core::Format::Markdown);
    }

    #[test]
    fn a_record_without_a_title_is_named_by_its_heading_or_first_words() {
        let rs = jsonl(concat!(
            r#"{"id":"a","markdown":"Intro.\n\n## Setup\n\nRun it."}"#,
            "\n",
            r#"{"id":"b","text":"Probiotics may help with eczema in some infants, say several trials of them."}"#,
            "\n",
            r#"{"id":"c","sections":[{"text":"Cut sections with no heading at all."}]}"#,
        ));
        let titles: Vec<String> = rs
            .iter()
            .map(|r| r.as_ref().unwrap().title().to_string())
            .collect();
        assert_eq!(
            titles,
            [
                "Setup",
                "Probiotics may help with eczema in some infants, say several…",
                "Cut sections with no heading at all.",
            ]
        );
    }

    #[test]
    fn html_body_title_overridden() {
        let a = one(
            r#"{"id":"h","title":"Mine","html":"<h1>Theirs</h1><h2 id=x>Part</h2><p>Body</p>"}"#,
        );
        assert_eq!(a.title(), "Mine");
        assert_eq!(a.sections()[0].anchor, "x");
        assert_eq!(a.sections()[0].text, "Body");
    }

    #[test]
    fn sections_given_are_indexed_as_given() {
        let a = one(
            r#"{"id":"c1","sections":[{"text":"Lead words."},{"heading":"Causes","level":2,"anchor":"why","text":"Many.\nReally many."},{"heading":"Diet Tips","level":3,"text":"Eat well"},{"heading":"1. Acne","text":"Is this a heading? No."}]}"#,
        );
        let shown: Vec<String> = a
            .sections()
            .iter()
            .map(|s| {
                let heading = s.heading.as_deref().unwrap_or("-");
                let path = s.path.join("/");
                format!("{heading}|{}|{}|{path}|{}", s.level, s.anchor, s.text)
            })
            .collect();
        assert_eq!(
            shown,
            [
                "-|1|||Lead words.",
                "Causes|2|why||Many.\nReally many.",
                "Diet Tips|3|diet-tips|Causes|Eat well",
                "1. Acne|2|1-acne||Is this a heading? No.",
            ]
        );
        assert_eq!(a.title(), "Causes", "no record title: the first heading");
        assert_eq!(a.format(), Format::Text);
        let e = jsonl(r#"{"id":"x","sections":[]}"#).remove(0).unwrap_err();
        assert_eq!(e.to_string(), "data/c.jsonl:1: no text to index");
    }

    #[test]
    fn a_malformed_line_is_an_error_with_its_line_and_the_rest_come_out() {
        let all = jsonl(
            "{\"id\":\"a\",\"markdown\":\"x\"}\n\n{not json\n{\"id\":\"c\",\"markdown\":\"y\"}\n",
        );
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].as_ref().map(|a| a.id()).ok(), Some("a"));
        let e = all[1].as_ref().unwrap_err().to_string();
        assert!(e.starts_with("data/c.jsonl:3: not JSON"), "{e}");
        assert_eq!(all[2].as_ref().map(|a| a.id()).ok(), Some("c"));
    }

    #[test]
    fn the_record_lang_is_the_article_language() {
        let a = one(r#"{"id": "1", "lang": "de-AT", "text": "Kurz."}"#);
        assert_eq!(a.metadata().language.as_deref(), Some("de"));
        let a = one(r#"{"id": "1", "language": "fr", "html": "<html lang=es><p>Court.</p>"}"#);
        assert_eq!(
            a.metadata().language.as_deref(),
            Some("fr"),
            "the record wins"
        );
        let a = one(r#"{"id": "1", "text": "Kurz."}"#);
        assert_eq!(a.metadata().language, None, "too short to tell, no default");
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
