//! The schema: one Tantivy document per section, the [`Fields`] handles that
//! writer and reader share, and the schema version kept with the index in
//! `rubric.json`.
//!
//! The four text fields (title, heading, path, text) come once per
//! [`Analysis`] the index has fields for: `title`, `heading`, `path`,
//! `text` for English (and articles with no language), always there;
//! `title_de`, …, `text_de` for German, and so on, `*_other` for languages
//! with no stemmer, only once an article of that analysis arrived (the
//! extra analyses, after the English fields, in the order they came; see
//! `extend`). A section fills only the fields of its article's analysis,
//! named in its `analysis` field. Tantivy analyses per field, so this is
//! how one index holds each language stemmed its own way; and since
//! Tantivy parses every field of the schema each time an index is opened,
//! an English-only index has only English fields (a one-shot `search`
//! opens it each time).
//!
//! Both sides open an index through [`open`] or [`open_or_create`], which
//! check the version and that the index's own schema is the one [`build`]
//! makes for the analyses it has fields for (so a schema change without a
//! version bump is still caught), and register the analyzers. Tantivy does
//! not store analyzers with the index, so an index opened any other way
//! could not tokenize its text fields.
//!
//! This module does not add, delete or search documents: see `writer` and
//! `search`.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexSettings};

use crate::IndexError;
use crate::analysis::Analysis;
use crate::directory::{IndexDirectory, OpenWrites};
use crate::query::Scope;

/// The version of the schema and analysis this build writes. Bump it when a
/// field, a field option or an analyzer changes: an index of another version
/// is refused with [`IndexError::Version`] and must be rebuilt. (3: text
/// fields per language, `language` and `analysis`; 4: `vector` and
/// `passage`.)
pub const SCHEMA_VERSION: u32 = 4;

/// The name the English analyzer is registered under.
pub const ANALYZER: &str = "rubric_en";

/// Rubric's own file in the index folder, next to Tantivy's.
pub(crate) const META_FILE: &str = "rubric.json";

/// What `rubric.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct MetaFile {
    schema_version: u32,
}

/// The four text fields of one [`Analysis`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextFields {
    /// Article title: analyzed, stored.
    pub title: Field,
    /// Section heading (absent for the lead): analyzed, stored.
    pub heading: Field,
    /// Ancestor headings, one value each, outermost first: analyzed, stored.
    pub path: Field,
    /// Section text: analyzed, stored.
    pub text: Field,
}

impl TextFields {
    /// The fields a word limited to `scope` is searched in.
    pub(crate) fn in_scope(&self, scope: Scope) -> Vec<Field> {
        match scope {
            Scope::All => vec![self.title, self.heading, self.path, self.text],
            Scope::Title => vec![self.title],
            Scope::Heading => vec![self.heading],
            Scope::Path => vec![self.path],
            Scope::Text => vec![self.text],
        }
    }
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
    /// Outline level: stored.
    pub level: Field,
    /// Position in the article: stored, fast (for ordering).
    pub ordinal: Field,
    /// The section's vector, encoded (see `vectors`): fast, only in an
    /// index that holds vectors.
    pub vector: Field,
    /// Hash of the passage the vector was made from: raw, indexed, so an
    /// unchanged passage keeps its vector (see `vectors`); stored, so a
    /// re-linked section keeps it too.
    pub passage: Field,
    /// The article's language (a tag such as `de`), when it has one: raw,
    /// indexed, stored.
    pub language: Field,
    /// The [`Analysis::code`] of the section's text fields: raw, indexed
    /// (its terms say which analyses the index holds), stored (a relinked
    /// section is rebuilt from its stored fields and keeps it).
    pub analysis: Field,
    /// The text fields of each analysis the index has fields for, at its
    /// place in [`Analysis::ALL`] (English's are named `title`, `heading`,
    /// `path`, `text`, and always there).
    pub by_analysis: [Option<TextFields>; Analysis::ALL.len()],
    /// English's text fields (also in `by_analysis`).
    pub english: TextFields,
}

impl Fields {
    /// True when the index has text fields for `analysis`.
    pub(crate) fn has(&self, analysis: Analysis) -> bool {
        self.by_analysis[analysis.at()].is_some()
    }

    /// The text fields of `analysis`, or English's when the index has none
    /// for it: no section of that analysis is in such an index, so a query
    /// limited to its sections finds nothing there.
    pub(crate) fn text_fields(&self, analysis: Analysis) -> TextFields {
        match self.by_analysis[analysis.at()] {
            Some(fields) => fields,
            None => self.english,
        }
    }
}

/// The analyses besides English that `schema` has text fields for, in the
/// order of its fields (the order they were added in).
pub(crate) fn extra_analyses(schema: &Schema) -> Vec<Analysis> {
    schema
        .fields()
        .filter_map(|(_, entry)| entry.name().strip_prefix("text_"))
        .filter_map(Analysis::from_code)
        .filter(|a| *a != Analysis::English)
        .collect()
}

/// The schema and its field handles for English and the `extra` analyses
/// (their fields after every other, in this order), made in this one place.
pub(crate) fn build(extra: &[Analysis]) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = |analysis: Analysis| {
        TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis.tokenizer_name())
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let english = analyzed(Analysis::English);
    let id = b.add_text_field("id", STRING | STORED);
    let article = b.add_text_field("article", STRING | STORED | FAST);
    let anchor = b.add_text_field("anchor", STORED);
    let source = b.add_text_field("source", STRING | STORED);
    let format = b.add_text_field("format", STORED);
    let url = b.add_text_field("url", STORED);
    let link = b.add_text_field("link", STORED);
    let hash = b.add_text_field("hash", TextOptions::default().set_stored().set_fast("raw"));
    let tags = b.add_text_field("tags", STRING | STORED);
    let title = b.add_text_field("title", english.clone());
    let heading = b.add_text_field("heading", english.clone());
    let path = b.add_text_field("path", english.clone());
    let text = b.add_text_field("text", english);
    let level = b.add_u64_field("level", STORED);
    let ordinal = b.add_u64_field("ordinal", STORED | FAST);
    let language = b.add_text_field("language", STRING | STORED);
    let analysis = b.add_text_field("analysis", STRING | STORED);
    let vector = b.add_bytes_field("vector", FAST);
    let passage = b.add_text_field("passage", STRING | STORED);
    let english_fields = TextFields {
        title,
        heading,
        path,
        text,
    };
    let mut by_analysis = [None; Analysis::ALL.len()];
    by_analysis[Analysis::English.at()] = Some(english_fields);
    for &a in extra {
        if by_analysis[a.at()].is_some() {
            continue;
        }
        let suffix = a.field_suffix();
        let options = analyzed(a);
        by_analysis[a.at()] = Some(TextFields {
            title: b.add_text_field(&format!("title{suffix}"), options.clone()),
            heading: b.add_text_field(&format!("heading{suffix}"), options.clone()),
            path: b.add_text_field(&format!("path{suffix}"), options.clone()),
            text: b.add_text_field(&format!("text{suffix}"), options),
        });
    }
    let fields = Fields {
        id,
        article,
        anchor,
        source,
        format,
        url,
        link,
        hash,
        tags,
        level,
        ordinal,
        language,
        analysis,
        by_analysis,
        english: english_fields,
        vector,
        passage,
    };
    (b.build(), fields)
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
    let found_schema = index.schema();
    let (schema, fields) = build(&extra_analyses(&found_schema));
    if found_schema != schema {
        return Err(version_error(format!("{found} with other fields")));
    }
    register_analyzers(&index);
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
    let (schema, fields) = build(&[]);
    let directory = IndexDirectory::open(dir)
        .map_err(|e| IndexError::tantivy(&shown, tantivy::TantivyError::from(e)))?;
    let writes = directory.open_writes();
    let index = Index::create(directory, schema, IndexSettings::default())
        .map_err(|e| IndexError::tantivy(&shown, e))?;
    register_analyzers(&index);
    Ok((index, fields, writes))
}

/// Registers every analysis's analyzer with `index` (Tantivy does not
/// store them with the index).
pub(crate) fn register_analyzers(index: &Index) {
    for analysis in Analysis::ALL {
        index
            .tokenizers()
            .register(analysis.tokenizer_name(), analysis.analyzer());
    }
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

    /// The tokens the English analyzer makes of `text`.
    pub(crate) fn tokens(text: &str) -> Vec<String> {
        crate::analysis::tests::terms(Analysis::English, text)
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
        assert_eq!(build(&[]).0, build(&[]).0);
        let extra = [Analysis::German, Analysis::French];
        assert_eq!(build(&extra).0, build(&extra).0);
    }

    #[test]
    fn an_english_index_has_only_english_text_fields() {
        let (schema, fields) = build(&[]);
        assert!(extra_analyses(&schema).is_empty());
        assert!(schema.get_field("text_de").is_err());
        assert!(fields.has(Analysis::English) && !fields.has(Analysis::German));
        // Nothing but the English text fields besides the others (15, and
        // `vector` and `passage`, there whether or not it holds vectors).
        assert_eq!(schema.fields().count(), 19);
    }

    #[test]
    fn extra_analyses_are_read_back_in_the_order_they_came() {
        let extra = [Analysis::French, Analysis::German, Analysis::Plain];
        let (schema, fields) = build(&extra);
        assert_eq!(extra_analyses(&schema), extra);
        assert!(fields.has(Analysis::German));
        assert_ne!(
            fields.text_fields(Analysis::German),
            fields.text_fields(Analysis::English)
        );
        // A field added later keeps the numbers of those before it.
        let (longer, _) = build(&[
            Analysis::French,
            Analysis::German,
            Analysis::Plain,
            Analysis::Spanish,
        ]);
        for (field, entry) in schema.fields() {
            assert_eq!(longer.get_field_name(field), entry.name());
        }
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
