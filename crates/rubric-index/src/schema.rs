//! The schema: one Tantivy document per section, the [`Fields`] handles that
//! writer and reader share, the `rubric_en` analyzer, and the schema version
//! kept with the index in `rubric.json`.
//!
//! Both sides open an index through [`open`] or [`open_or_create`], which
//! check the version and that the index's own schema is the one [`build`]
//! makes (so a schema change without a version bump is still caught), and
//! register the analyzer. Tantivy does not store analyzers with the index,
//! so an index opened any other way could not tokenize its text fields.
//!
//! This module does not add, delete or search documents: see `writer` and
//! `search`.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexSettings};

use crate::IndexError;
use crate::directory::{IndexDirectory, OpenWrites};
use crate::greek::GreekLetterNames;
use crate::spelling::AmericanSpelling;

/// The version of the schema and analysis this build writes. Bump it when a
/// field, a field option or the analyzer changes: an index of another version
/// is refused with [`IndexError::Version`] and must be rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// The name the English analyzer is registered under.
pub const ANALYZER: &str = "rubric_en";

/// Tokens longer than this many bytes are dropped (hashes, base64, URLs).
const MAX_TOKEN_LEN: usize = 40;

/// Rubric's own file in the index folder, next to Tantivy's.
pub(crate) const META_FILE: &str = "rubric.json";

/// What `rubric.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct MetaFile {
    schema_version: u32,
}

/// Handles of every field, made by [`build`] together with the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// `article#anchor`, or `article` for the lead: raw, stored.
    pub id: Field,
    /// Article id: raw, indexed (for deletes), stored, fast (for ordering).
    pub article: Field,
    /// The section's anchor (`""` for the lead): stored.
    pub anchor: Field,
    /// Where the article was read from: raw, indexed, stored.
    pub source: Field,
    /// `text`, `markdown` or `html`: stored.
    pub format: Field,
    /// The article's URL, when it has one: stored.
    pub url: Field,
    /// Where the section opens (`Article::link`): stored.
    pub link: Field,
    /// Article content hash: stored, fast (read back by `article_hashes`).
    pub hash: Field,
    /// Article tags: raw, indexed, stored, multi-valued.
    pub tags: Field,
    /// Article title: analyzed, stored.
    pub title: Field,
    /// Section heading (absent for the lead): analyzed, stored.
    pub heading: Field,
    /// Ancestor headings, one value each, outermost first: analyzed, stored.
    pub path: Field,
    /// Section text: analyzed, stored.
    pub text: Field,
    /// Outline level: stored.
    pub level: Field,
    /// Position in the article: stored, fast (for ordering).
    pub ordinal: Field,
}

/// The schema and its field handles, made in this one place.
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        article: b.add_text_field("article", STRING | STORED | FAST),
        anchor: b.add_text_field("anchor", STORED),
        source: b.add_text_field("source", STRING | STORED),
        format: b.add_text_field("format", STORED),
        url: b.add_text_field("url", STORED),
        link: b.add_text_field("link", STORED),
        hash: b.add_text_field("hash", TextOptions::default().set_stored().set_fast("raw")),
        tags: b.add_text_field("tags", STRING | STORED),
        title: b.add_text_field("title", analyzed.clone()),
        heading: b.add_text_field("heading", analyzed.clone()),
        path: b.add_text_field("path", analyzed.clone()),
        text: b.add_text_field("text", analyzed),
        level: b.add_u64_field("level", STORED),
        ordinal: b.add_u64_field("ordinal", STORED | FAST),
    };
    (b.build(), fields)
}

/// The `rubric_en` analyzer: words and numbers split on anything that is not
/// alphanumeric, overlong tokens dropped, lower-cased, folded to ASCII
/// (`café` matches `cafe`) with Greek letters spelt out (`β` matches `beta`,
/// see [`crate::greek`]), spelt the American way (`tumour` matches
/// `tumor`, see [`crate::spelling`]) and stemmed (English). No stop words, so
/// `vitamin a` keeps its `a`.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(GreekLetterNames)
        .filter(AsciiFoldingFilter)
        .filter(AmericanSpelling)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Rubric's analysis of a text outside the index: the terms the
/// `rubric_en` analyzer makes (folded, Greek letters spelt out, American
/// spelling, stemmed). An engine that cannot analyse text as Rubric does is
/// given these terms instead, one space between them (`rubric-remote`'s
/// normalised copies), and the words of a query are analysed the same way.
///
/// ```
/// let mut analysis = rubric_index::Analysis::new();
/// assert_eq!(analysis.normalise("Tumours, β-carotene & Probiotics"), "tumor beta caroten probiot");
/// ```
#[derive(Clone)]
pub struct Analysis {
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analysis(rubric_en)")
    }
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis::new()
    }
}

impl Analysis {
    /// The `rubric_en` analysis.
    pub fn new() -> Analysis {
        Analysis {
            analyzer: analyzer(),
        }
    }

    /// The terms of `text`, in order.
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut stream = self.analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    /// The terms of `text` joined by single spaces: what a whitespace
    /// tokenizer splits back into the same terms, in the same order.
    pub fn normalise(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut stream = self.analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&token.text);
        }
        out
    }
}

/// [`analyzer`] without its last step, and that step alone: snippets split a
/// text with the first and stem only the words that could match a query
/// term, since stemming is most of the cost of a snippet. Together they
/// give exactly what [`analyzer`] gives.
pub(crate) fn unstemmed_analyzer_and_stemmer() -> (TextAnalyzer, TextAnalyzer) {
    let words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(GreekLetterNames)
        .filter(AsciiFoldingFilter)
        .filter(AmericanSpelling)
        .build();
    let stem = TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(Stemmer::new(Language::English))
        .build();
    (words, stem)
}

/// Opens the existing index at `dir`: [`IndexError::Missing`] when there is
/// none, [`IndexError::Version`] when it was written by another schema.
pub(crate) fn open(dir: &Path) -> Result<(Index, Fields), IndexError> {
    open_counted(dir).map(|(index, fields, _)| (index, fields))
}

/// [`open`], with the count of the index's files open for writing.
fn open_counted(dir: &Path) -> Result<(Index, Fields, OpenWrites), IndexError> {
    let shown = dir.display().to_string();
    if !dir.join("meta.json").is_file() {
        return Err(IndexError::Missing(shown));
    }
    let version_error = |found: String| IndexError::Version {
        path: shown.clone(),
        found,
        expected: SCHEMA_VERSION,
    };
    let meta_path = dir.join(META_FILE);
    let found = match fs::read(&meta_path) {
        Ok(bytes) => match serde_json::from_slice::<MetaFile>(&bytes) {
            Ok(meta) => meta.schema_version,
            Err(_) => {
                return Err(version_error(format!(
                    "unreadable ({META_FILE} is not valid)"
                )));
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(version_error(format!("none (no {META_FILE})")));
        }
        Err(e) => return Err(IndexError::io(meta_path.display(), e)),
    };
    if found != SCHEMA_VERSION {
        return Err(version_error(found.to_string()));
    }
    let directory = IndexDirectory::open(dir)
        .map_err(|e| IndexError::tantivy(&shown, tantivy::TantivyError::from(e)))?;
    let writes = directory.open_writes();
    let index = Index::open(directory).map_err(|e| IndexError::tantivy(&shown, e))?;
    let (schema, fields) = build();
    if index.schema() != schema {
        return Err(version_error(format!("{found} with other fields")));
    }
    register_analyzer(&index);
    Ok((index, fields, writes))
}

/// Opens the index at `dir`, creating the folder and an empty index when
/// there is none; with the count of its files open for writing.
pub(crate) fn open_or_create(dir: &Path) -> Result<(Index, Fields, OpenWrites), IndexError> {
    if dir.join("meta.json").is_file() {
        return open_counted(dir);
    }
    let shown = dir.display().to_string();
    fs::create_dir_all(dir).map_err(|e| IndexError::io(&shown, e))?;
    // rubric.json goes first: a run killed between the two writes leaves a
    // folder with no meta.json, which the next run simply creates again.
    write_meta(dir)?;
    let (schema, fields) = build();
    let directory = IndexDirectory::open(dir)
        .map_err(|e| IndexError::tantivy(&shown, tantivy::TantivyError::from(e)))?;
    let writes = directory.open_writes();
    let index = Index::create(directory, schema, IndexSettings::default())
        .map_err(|e| IndexError::tantivy(&shown, e))?;
    register_analyzer(&index);
    Ok((index, fields, writes))
}

fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// Writes `rubric.json` atomically (temporary file, then rename).
fn write_meta(dir: &Path) -> Result<(), IndexError> {
    let meta = MetaFile {
        schema_version: SCHEMA_VERSION,
    };
    let body =
        serde_json::to_vec_pretty(&meta).map_err(|e| IndexError::io(dir.display(), e.into()))?;
    let tmp = dir.join(format!("{META_FILE}.tmp"));
    fs::write(&tmp, body).map_err(|e| IndexError::io(tmp.display(), e))?;
    let target = dir.join(META_FILE);
    fs::rename(&tmp, &target).map_err(|e| IndexError::io(target.display(), e))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The tokens the analyzer makes of `text`.
    pub(crate) fn tokens(text: &str) -> Vec<String> {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn analyzer_folds_stems_and_keeps_short_words() {
        assert_eq!(tokens("Café Probiotics"), ["cafe", "probiot"]);
        assert_eq!(tokens("probiotic"), ["probiot"]);
        assert_eq!(
            tokens("Vitamin A, B12 and 2024"),
            ["vitamin", "a", "b12", "and", "2024"]
        );
        assert_eq!(tokens(&"x".repeat(41)), Vec::<String>::new());
    }

    #[test]
    fn analyzer_spells_greek_letters_and_american_spelling() {
        assert_eq!(
            tokens("β-Carotene, TNF-α and NF-κB"),
            ["beta", "caroten", "tnf", "alpha", "and", "nf", "kappab"]
        );
        assert_eq!(tokens("beta-carotene"), tokens("β-carotene"));
        assert_eq!(tokens("Δ9"), ["delta9"]);
        assert_eq!(
            tokens("Tumours in the centre"),
            tokens("tumors in the center")
        );
    }

    #[test]
    fn build_is_stable() {
        assert_eq!(build().0, build().0);
    }

    #[test]
    fn missing_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = open(&dir.path().join("nothing-here")).expect_err("no index");
        assert!(matches!(err, IndexError::Missing(_)), "{err}");
    }

    #[test]
    fn other_version_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(open_or_create(dir.path()).expect("create"));
        fs::write(dir.path().join(META_FILE), r#"{"schema_version": 0}"#).expect("write");
        let err = open(dir.path()).expect_err("old version");
        assert!(
            matches!(&err, IndexError::Version { found, .. } if found == "0"),
            "{err}"
        );
        assert!(err.to_string().contains("rebuild"), "{err}");

        fs::remove_file(dir.path().join(META_FILE)).expect("rm");
        let err = open(dir.path()).expect_err("no meta file");
        assert!(matches!(&err, IndexError::Version { found, .. } if found.starts_with("none")));
    }
}
