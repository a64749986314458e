//! An article's language: the tag its source declares, normalised, else
//! the language detected from its text, else the caller's default.
//!
//! [`normalize_tag`] turns what sources write (`de-DE`, `en_US`, `PT-br`,
//! `de, en`) into the primary subtag in lower case (`de`, `en`, `pt`), and
//! refuses what names no language (`und`, `mul`, `zxx`, `x-default`,
//! anything that is not two or three letters). [`detect`] asks whatlang
//! (trigram profiles of 70 languages, no model files) and trusts it only
//! on a text of at least [`MIN_DETECT_CHARS`] letters whose answer
//! whatlang itself calls reliable: a title alone, or a line of mixed
//! languages, falls back to the default instead of a wild guess (the
//! threshold is measured on real pages, see the crate's
//! `examples/language_eval.rs`). [`decide`] puts the three together; the
//! extractors call it once per article, when it is finished.
//!
//! This module does not read the tags out of a source (each format's
//! extractor does) nor know which languages the index can stem.

use rubric_core::Draft;

/// Texts with fewer letters than this are not detected: the caller's
/// default (or nothing) is used. Measured on traf-dev (see the notes in
/// `examples/language_eval.rs`): below it whatlang's reliable answers are
/// too often wrong, above it they are right 97–100 % of the time.
pub const MIN_DETECT_CHARS: usize = 50;

/// At most this many bytes of an article's text are read to detect its
/// language: more only costs time.
const MAX_DETECT_BYTES: usize = 4_096;

/// What [`detect_raw`] found: the language (ISO 639-1), whether whatlang
/// calls it reliable, and its confidence (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// The language's ISO 639-1 code.
    pub language: &'static str,
    /// whatlang's own verdict: a clear winner with a high confidence.
    pub reliable: bool,
    /// whatlang's confidence, 0 to 1.
    pub confidence: f64,
}

/// The primary language subtag of a language tag, lower case: `de-DE` →
/// `de`, `en_US` → `en`, `de, en` → `de` (the first of a list, as
/// `content-language` may give). `None` for a tag that names no language.
///
/// ```
/// use rubric_extract::language::normalize_tag;
/// assert_eq!(normalize_tag(" de-DE ").as_deref(), Some("de"));
/// assert_eq!(normalize_tag("EN_us").as_deref(), Some("en"));
/// assert_eq!(normalize_tag("x-default"), None);
/// ```
pub fn normalize_tag(tag: &str) -> Option<String> {
    let first = tag.split([',', ';']).next()?.trim();
    let primary = first.split(['-', '_']).next()?.trim();
    let ok = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    if !ok {
        return None;
    }
    let primary = primary.to_ascii_lowercase();
    // "undetermined", "multiple", "no linguistic content".
    if matches!(primary.as_str(), "und" | "mul" | "zxx" | "mis") {
        return None;
    }
    Some(primary)
}

/// whatlang's answer for `text`, whatever its length or reliability
/// (`None` when it has no answer, e.g. no letters at all).
pub fn detect_raw(text: &str) -> Option<Detection> {
    let info = whatlang::detect(text)?;
    Some(Detection {
        language: iso_639_1(info.lang()),
        reliable: info.is_reliable(),
        confidence: info.confidence(),
    })
}

/// The language of `text` when it can be told: at least
/// [`MIN_DETECT_CHARS`] letters and an answer whatlang calls reliable.
pub fn detect(text: &str) -> Option<&'static str> {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < MIN_DETECT_CHARS {
        return None;
    }
    detect_raw(text).filter(|d| d.reliable).map(|d| d.language)
}

/// The text of an article that detection reads: its title, headings and
/// section texts, in order, up to [`MAX_DETECT_BYTES`].
pub fn detection_text(draft: &Draft) -> String {
    let mut out = String::with_capacity(MAX_DETECT_BYTES.min(4_096));
    let mut push = |s: &str| {
        if out.len() >= MAX_DETECT_BYTES || s.is_empty() {
            return;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let room = MAX_DETECT_BYTES.saturating_sub(out.len());
        let mut end = s.len().min(room);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&s[..end]);
    };
    push(&draft.title);
    for section in &draft.sections {
        if let Some(heading) = &section.heading {
            push(heading);
        }
        push(&section.text);
    }
    out
}

/// Sets `draft.metadata.language`: the tag the source declared,
/// normalised; else the language detected from its text; else `default`
/// (normalised); else nothing.
pub(crate) fn decide(draft: &mut Draft, default: Option<&str>) {
    let declared = draft.metadata.language.as_deref().and_then(normalize_tag);
    draft.metadata.language = declared
        .or_else(|| detect(&detection_text(draft)).map(str::to_string))
        .or_else(|| default.and_then(normalize_tag));
}

/// The ISO 639-1 code of a whatlang language.
fn iso_639_1(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Epo => "eo",
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Ben => "bn",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Kat => "ka",
        Ara => "ar",
        Hin => "hi",
        Jpn => "ja",
        Heb => "he",
        Yid => "yi",
        Pol => "pl",
        Amh => "am",
        Jav => "jv",
        Kor => "ko",
        Nob => "nb",
        Dan => "da",
        Swe => "sv",
        Fin => "fi",
        Tur => "tr",
        Nld => "nl",
        Hun => "hu",
        Ces => "cs",
        Ell => "el",
        Bul => "bg",
        Bel => "be",
        Mar => "mr",
        Kan => "kn",
        Ron => "ro",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Mkd => "mk",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Tam => "ta",
        Vie => "vi",
        Urd => "ur",
        Tha => "th",
        Guj => "gu",
        Uzb => "uz",
        Pan => "pa",
        Aze => "az",
        Ind => "id",
        Tel => "te",
        Pes => "fa",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Tuk => "tk",
        Aka => "ak",
        Zul => "zu",
        Sna => "sn",
        Afr => "af",
        Lat => "la",
        Slk => "sk",
        Cat => "ca",
        Tgl => "tl",
        Hye => "hy",
        Cym => "cy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rubric_core::{Format, Section};

    fn draft(title: &str, text: &str) -> Draft {
        let lead = Section {
            anchor: String::new(),
            heading: None,
            level: 1,
            path: vec![],
            text: text.into(),
            ordinal: 0,
        };
        Draft::new("a", "a", Format::Text, title, vec![lead])
    }

    #[test]
    fn tags_are_normalised_to_their_primary_subtag() {
        assert_eq!(normalize_tag("de-DE").as_deref(), Some("de"));
        assert_eq!(normalize_tag("de_AT").as_deref(), Some("de"));
        assert_eq!(normalize_tag("PT-br").as_deref(), Some("pt"));
        assert_eq!(normalize_tag("de, en").as_deref(), Some("de"));
        assert_eq!(normalize_tag("fil").as_deref(), Some("fil"));
        for bad in ["", " ", "und", "x-default", "english", "e", "d3", "zxx-x"] {
            assert_eq!(normalize_tag(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn declared_wins_then_detected_then_the_default() {
        let german = "Entzündungen bei Kindern sind häufig und meistens harmlos, \
                      aber die Eltern sollten auf Fieber und Schmerzen achten.";
        let mut d = draft("Titel", german);
        d.metadata.language = Some("fr-FR".into());
        decide(&mut d, Some("es"));
        assert_eq!(d.metadata.language.as_deref(), Some("fr"), "declared");

        let mut d = draft("Titel", german);
        decide(&mut d, Some("es"));
        assert_eq!(d.metadata.language.as_deref(), Some("de"), "detected");

        let mut d = draft("Entzündung", "");
        decide(&mut d, Some("es-MX"));
        assert_eq!(d.metadata.language.as_deref(), Some("es"), "default");

        let mut d = draft("Entzündung", "");
        decide(&mut d, None);
        assert_eq!(d.metadata.language, None, "nothing to go on");
    }

    #[test]
    fn a_title_alone_is_not_detected() {
        // whatlang answers for short texts too, often wrongly: a title is
        // not enough to go on.
        for title in ["Darmflora", "Gut health", "La santé", "Kinder und Haut"] {
            assert_eq!(detect(title), None, "{title}");
        }
    }

    #[test]
    fn detection_reads_a_bounded_prefix() {
        let long = "word ".repeat(10_000);
        let text = detection_text(&draft("T", &long));
        assert!(text.len() <= MAX_DETECT_BYTES);
        let accents = "é".repeat(5_000);
        let text = detection_text(&draft("T", &accents));
        assert!(text.len() <= MAX_DETECT_BYTES && text.ends_with('é'));
    }
}
