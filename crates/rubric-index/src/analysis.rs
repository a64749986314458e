//! [`Analysis`]: how the text of an article in one language is turned into
//! terms — one per Snowball language Tantivy stems, and
//! [`Analysis::Plain`] for every other language — with the analyzer, the
//! tokenizer name, the field-name suffix and the query stop words of each.
//!
//! An article's language (`Metadata::language`, a tag such as `de`) picks
//! its analysis; an article with no language is English, as every article
//! was before languages were told apart. Every analysis splits words the
//! same way (runs of letters and digits, overlong ones dropped, lower
//! case), so snippets find a hit's words the same way in any language;
//! they differ in what comes after:
//!
//! | analysis | Greek letters spelt out | stemmer | accents folded |
//! |---|---|---|---|
//! | English | yes | English | before stemming, and British → American spelling (as before) |
//! | German, Dutch | yes | theirs | after (their stemmers already drop umlauts / diaereses, `ß` → `ss`) |
//! | French, Italian, Portuguese, Romanian | yes | theirs | after stemming |
//! | Spanish | yes | Spanish | after stemming, `ñ` kept |
//! | Danish, Norwegian, Swedish, Finnish, Hungarian, Turkish | yes | theirs | no |
//! | Russian, Arabic, Tamil | yes | theirs | no |
//! | Greek | no | Greek | no |
//! | Plain (any other language) | yes | none | yes |
//!
//! Why: the Snowball stemmers read their language's accents (French
//! `-ée`, `-ément`), so they stem the text as written and the accents go
//! after, where a query typed without them still meets the text's stem
//! ("ecole" finds "école"). In the Nordic languages, Hungarian and Turkish
//! `å ä ö ø æ ő ű ı ş ğ` are letters of their own (Swedish "får"/"far",
//! Turkish "ısı"/"isi") and their stemmers need them, so nothing is
//! folded. Spanish keeps `ñ` ("año"/"ano"); its stemmer already removes the
//! acute accents. German's stemmer drops the umlauts itself, which joins
//! the many plurals made with one ("Arzt"/"Ärzte", "Mutter"/"Mütter").
//! Greek letter names are a convention of Latin-script science
//! ("β-Carotin", "TNF-α"), not of English, so only Greek text keeps its
//! letters; British → American spelling is English only.
//!
//! This module does not decide which analyses a query uses (`rank`,
//! `search`) nor which fields exist (`schema`).

use std::sync::OnceLock;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, StopWordFilter, TextAnalyzer, TextAnalyzerBuilder, Token, TokenFilter, TokenStream,
    Tokenizer,
};

use crate::greek::GreekLetterNames;
use crate::spelling::AmericanSpelling;

/// Tokens longer than this many bytes are dropped (hashes, base64, URLs).
const MAX_TOKEN_LEN: usize = 40;

/// Most common English function words (as typed, lower case): searchable,
/// but no proximity pair and no "all terms" vote.
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "does", "for",
    "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "may", "no",
    "not", "of", "on", "or", "such", "than", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "were", "what", "when", "which", "who", "will", "with",
];

/// One way of analysing text (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Analysis {
    English,
    Arabic,
    Danish,
    Dutch,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
    /// Any language with no stemmer: words folded, not stemmed.
    Plain,
}

/// How accents are folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// Before stemming (English, as it always was).
    Before,
    /// After stemming, keeping these letters.
    After(&'static [char]),
    /// Never.
    No,
}

impl Analysis {
    /// Every analysis, English first (the order of the index's fields).
    pub(crate) const ALL: [Analysis; 19] = [
        Analysis::English,
        Analysis::Arabic,
        Analysis::Danish,
        Analysis::Dutch,
        Analysis::Finnish,
        Analysis::French,
        Analysis::German,
        Analysis::Greek,
        Analysis::Hungarian,
        Analysis::Italian,
        Analysis::Norwegian,
        Analysis::Portuguese,
        Analysis::Romanian,
        Analysis::Russian,
        Analysis::Spanish,
        Analysis::Swedish,
        Analysis::Tamil,
        Analysis::Turkish,
        Analysis::Plain,
    ];

    /// The analysis of an article in `language` (a tag such as `de` or
    /// `pt-BR`; its primary subtag decides): English when there is none.
    pub(crate) fn of_language(language: Option<&str>) -> Analysis {
        let Some(tag) = language else {
            return Analysis::English;
        };
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim();
        let primary = primary.to_ascii_lowercase();
        Analysis::ALL
            .into_iter()
            .find(|a| a.codes().contains(&primary.as_str()))
            .unwrap_or(Analysis::Plain)
    }

    /// The language codes (ISO 639-1, and 639-2/3 where sources use them)
    /// this analysis is for.
    fn codes(self) -> &'static [&'static str] {
        match self {
            Analysis::English => &["en", "eng"],
            Analysis::Arabic => &["ar", "ara"],
            Analysis::Danish => &["da", "dan"],
            Analysis::Dutch => &["nl", "nld", "dut"],
            Analysis::Finnish => &["fi", "fin"],
            Analysis::French => &["fr", "fra", "fre"],
            Analysis::German => &["de", "deu", "ger"],
            Analysis::Greek => &["el", "ell", "gre"],
            Analysis::Hungarian => &["hu", "hun"],
            Analysis::Italian => &["it", "ita"],
            Analysis::Norwegian => &["no", "nb", "nn", "nor", "nob", "nno"],
            Analysis::Portuguese => &["pt", "por"],
            Analysis::Romanian => &["ro", "ron", "rum", "mo"],
            Analysis::Russian => &["ru", "rus"],
            Analysis::Spanish => &["es", "spa"],
            Analysis::Swedish => &["sv", "swe"],
            Analysis::Tamil => &["ta", "tam"],
            Analysis::Turkish => &["tr", "tur"],
            Analysis::Plain => &[],
        }
    }

    /// Its place in [`Analysis::ALL`].
    pub(crate) fn at(self) -> usize {
        self as usize
    }

    /// The analysis's code in the index (`en`, `de`, …, `other`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Analysis::Plain => "other",
            other => other.codes()[0],
        }
    }

    /// The analysis with this [`Analysis::code`].
    pub(crate) fn from_code(code: &str) -> Option<Analysis> {
        Analysis::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Suffix of its text fields' names: none for English (`text`), else
    /// `_` and the code (`text_de`, `text_other`).
    pub(crate) fn field_suffix(self) -> String {
        match self {
            Analysis::English => String::new(),
            other => format!("_{}", other.code()),
        }
    }

    /// The name its analyzer is registered under (`rubric_en`, `rubric_de`).
    pub(crate) fn tokenizer_name(self) -> &'static str {
        match self {
            Analysis::English => "rubric_en",
            Analysis::Arabic => "rubric_ar",
            Analysis::Danish => "rubric_da",
            Analysis::Dutch => "rubric_nl",
            Analysis::Finnish => "rubric_fi",
            Analysis::French => "rubric_fr",
            Analysis::German => "rubric_de",
            Analysis::Greek => "rubric_el",
            Analysis::Hungarian => "rubric_hu",
            Analysis::Italian => "rubric_it",
            Analysis::Norwegian => "rubric_no",
            Analysis::Portuguese => "rubric_pt",
            Analysis::Romanian => "rubric_ro",
            Analysis::Russian => "rubric_ru",
            Analysis::Spanish => "rubric_es",
            Analysis::Swedish => "rubric_sv",
            Analysis::Tamil => "rubric_ta",
            Analysis::Turkish => "rubric_tr",
            Analysis::Plain => "rubric_other",
        }
    }

    fn stemmer(self) -> Option<Language> {
        Some(match self {
            Analysis::English => Language::English,
            Analysis::Arabic => Language::Arabic,
            Analysis::Danish => Language::Danish,
            Analysis::Dutch => Language::Dutch,
            Analysis::Finnish => Language::Finnish,
            Analysis::French => Language::French,
            Analysis::German => Language::German,
            Analysis::Greek => Language::Greek,
            Analysis::Hungarian => Language::Hungarian,
            Analysis::Italian => Language::Italian,
            Analysis::Norwegian => Language::Norwegian,
            Analysis::Portuguese => Language::Portuguese,
            Analysis::Romanian => Language::Romanian,
            Analysis::Russian => Language::Russian,
            Analysis::Spanish => Language::Spanish,
            Analysis::Swedish => Language::Swedish,
            Analysis::Tamil => Language::Tamil,
            Analysis::Turkish => Language::Turkish,
            Analysis::Plain => return None,
        })
    }

    fn fold(self) -> Fold {
        match self {
            Analysis::English => Fold::Before,
            Analysis::German
            | Analysis::Dutch
            | Analysis::French
            | Analysis::Italian
            | Analysis::Portuguese
            | Analysis::Romanian
            | Analysis::Plain => Fold::After(&[]),
            Analysis::Spanish => Fold::After(&['ñ']),
            Analysis::Danish
            | Analysis::Norwegian
            | Analysis::Swedish
            | Analysis::Finnish
            | Analysis::Hungarian
            | Analysis::Turkish
            | Analysis::Russian
            | Analysis::Arabic
            | Analysis::Tamil
            | Analysis::Greek => Fold::No,
        }
    }

    /// The full analyzer: what the index and queries run.
    pub(crate) fn analyzer(self) -> TextAnalyzer {
        if self == Analysis::English {
            // Exactly the analyzer of the English-only index.
            return TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
                .filter(LowerCaser)
                .filter(GreekLetterNames)
                .filter(AsciiFoldingFilter)
                .filter(AmericanSpelling)
                .filter(Stemmer::new(Language::English))
                .build();
        }
        self.finish(self.words())
    }

    /// [`Analysis::analyzer`] in two parts: the words (split, lower case,
    /// and for English folded and respelt) and what is done to each word
    /// after (stemming, and folding where it comes last). Running the
    /// second on each token of the first gives what the analyzer gives:
    /// snippets and suggestions split a text once and finish only the
    /// words that could match.
    pub(crate) fn split(self) -> (TextAnalyzer, TextAnalyzer) {
        let words = self.words().build();
        let rest = self.finish(TextAnalyzer::builder(RawTokenizer::default()).dynamic());
        (words, rest)
    }

    /// What comes after the words: the stemmer, and folding where it comes
    /// after stemming.
    fn finish(self, words: TextAnalyzerBuilder) -> TextAnalyzer {
        match (self.stemmer(), self.fold()) {
            (Some(language), Fold::Before | Fold::No) => {
                words.filter(Stemmer::new(language)).build()
            }
            (Some(language), Fold::After(keep)) => words
                .filter(Stemmer::new(language))
                .filter(FoldAccents(keep))
                .build(),
            (None, Fold::After(keep)) => words.filter(FoldAccents(keep)).build(),
            (None, Fold::Before | Fold::No) => words.build(),
        }
    }

    /// True when a word's term always starts with the word's first letter
    /// (after [`Analysis::split`]'s first part): true of the English
    /// stemmer, which lets suggestions skip most words unstemmed.
    pub(crate) fn keeps_first_letter(self) -> bool {
        self == Analysis::English
    }

    /// Splitting, dropping overlong tokens, lower case, then (but for
    /// Greek) Greek letters spelt out; for English also ASCII folding and
    /// American spelling, as before languages were told apart.
    fn words(self) -> TextAnalyzerBuilder {
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
            .filter(LowerCaser);
        match self {
            Analysis::English => base
                .filter(GreekLetterNames)
                .filter(AsciiFoldingFilter)
                .filter(AmericanSpelling)
                .dynamic(),
            Analysis::Greek => base.dynamic(),
            _ => base.filter(GreekLetterNames).dynamic(),
        }
    }

    /// True when `typed` (a query word as typed, lower case) is one of the
    /// language's most common function words.
    pub(crate) fn is_stop_word(self, typed: &str) -> bool {
        if self == Analysis::English {
            return ENGLISH_STOP_WORDS.contains(&typed);
        }
        let Some(filter) = self.stop_words() else {
            return false;
        };
        let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
            .filter(filter.clone())
            .build();
        let mut stream = analyzer.token_stream(typed);
        stream.next().is_none()
    }

    /// Snowball's stop words of the language, where Tantivy has them.
    fn stop_words(self) -> Option<&'static StopWordFilter> {
        static LISTS: OnceLock<Vec<Option<StopWordFilter>>> = OnceLock::new();
        let lists = LISTS.get_or_init(|| {
            Analysis::ALL
                .into_iter()
                .map(|a| a.stemmer().and_then(StopWordFilter::new))
                .collect()
        });
        let at = Analysis::ALL.iter().position(|a| *a == self)?;
        lists.get(at)?.as_ref()
    }
}

/// A token filter that folds accented letters to ASCII (Tantivy's
/// [`AsciiFoldingFilter`]) except the letters it keeps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FoldAccents(&'static [char]);

impl TokenFilter for FoldAccents {
    type Tokenizer<T: Tokenizer> = FoldAccentsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldAccentsFilter<T> {
        FoldAccentsFilter {
            inner: tokenizer,
            keep: self.0,
            fold: TextAnalyzer::builder(RawTokenizer::default())
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct FoldAccentsFilter<T> {
    inner: T,
    keep: &'static [char],
    fold: TextAnalyzer,
}

impl<T: Tokenizer> Tokenizer for FoldAccentsFilter<T> {
    type TokenStream<'a> = FoldAccentsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldAccentsStream {
            tail: self.inner.token_stream(text),
            keep: self.keep,
            fold: &mut self.fold,
        }
    }
}

pub(crate) struct FoldAccentsStream<'a, T> {
    tail: T,
    keep: &'static [char],
    fold: &'a mut TextAnalyzer,
}

impl<T: TokenStream> TokenStream for FoldAccentsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.is_ascii() {
            return true;
        }
        let mut out = String::with_capacity(token.text.len());
        // Runs between kept letters are folded; kept letters are copied.
        let mut run_start = 0;
        for (at, c) in token.text.char_indices() {
            if self.keep.contains(&c) {
                fold_into(self.fold, &token.text[run_start..at], &mut out);
                out.push(c);
                run_start = at + c.len_utf8();
            }
        }
        fold_into(self.fold, &token.text[run_start..], &mut out);
        token.text = out;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Appends `run` folded to ASCII by `fold` to `out`.
fn fold_into(fold: &mut TextAnalyzer, run: &str, out: &mut String) {
    if run.is_ascii() {
        out.push_str(run);
        return;
    }
    let mut stream = fold.token_stream(run);
    if let Some(folded) = stream.next() {
        out.push_str(&folded.text);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn each_analysis_is_at_its_place_in_all() {
        for (i, analysis) in Analysis::ALL.into_iter().enumerate() {
            assert_eq!(analysis.at(), i, "{analysis:?}");
            assert_eq!(Analysis::from_code(analysis.code()), Some(analysis));
        }
    }

    pub(crate) fn terms(analysis: Analysis, text: &str) -> Vec<String> {
        let mut analyzer = analysis.analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn languages_pick_their_analysis() {
        assert_eq!(Analysis::of_language(None), Analysis::English);
        assert_eq!(Analysis::of_language(Some("de-CH")), Analysis::German);
        assert_eq!(Analysis::of_language(Some("nb")), Analysis::Norwegian);
        assert_eq!(Analysis::of_language(Some("pl")), Analysis::Plain);
        for a in Analysis::ALL {
            assert_eq!(Analysis::from_code(a.code()), Some(a));
        }
    }

    #[test]
    fn each_language_stems_its_own_words() {
        let de = terms(Analysis::German, "Entzündungen Kindern Ärzte");
        assert_eq!(de, terms(Analysis::German, "Entzündung Kind Arzt"));
        assert_eq!(de, ["entzund", "kind", "arzt"]);
        assert_eq!(
            terms(Analysis::French, "inflammations intestinales"),
            terms(Analysis::French, "inflammation intestinale")
        );
        assert_eq!(
            terms(Analysis::Spanish, "inflamaciones intestinales"),
            terms(Analysis::Spanish, "inflamación intestinal")
        );
        // English rules stay English.
        assert_eq!(terms(Analysis::French, "tumour"), ["tumour"]);
        assert_eq!(terms(Analysis::English, "tumour"), ["tumor"]);
    }

    #[test]
    fn accents_fold_where_the_language_expects_it() {
        assert_eq!(
            terms(Analysis::French, "école"),
            terms(Analysis::French, "ecole")
        );
        assert_eq!(terms(Analysis::Spanish, "año"), ["año"]);
        assert_ne!(
            terms(Analysis::Spanish, "año"),
            terms(Analysis::Spanish, "ano")
        );
        assert_eq!(
            terms(Analysis::Spanish, "pingüino"),
            terms(Analysis::Spanish, "pinguino")
        );
        assert_ne!(
            terms(Analysis::Swedish, "får"),
            terms(Analysis::Swedish, "far")
        );
        assert_eq!(terms(Analysis::Plain, "Zdrowie ŻÓŁĆ"), ["zdrowie", "zolc"]);
        assert_eq!(terms(Analysis::German, "β-Carotin"), ["beta", "carotin"]);
        assert_eq!(terms(Analysis::Greek, "β"), ["β"]);
    }

    #[test]
    fn the_split_analysis_gives_what_the_analyzer_gives() {
        let text = "Entzündungen, Kindern; école élèves año pingüinos får ÄRZTE β-Carotin Tumours";
        for a in Analysis::ALL {
            let (mut words, mut rest) = a.split();
            let mut stream = words.token_stream(text);
            let mut got = Vec::new();
            while let Some(t) = stream.next() {
                let mut one = rest.token_stream(&t.text);
                got.push(one.next().map(|s| s.text.clone()).unwrap_or_default());
            }
            assert_eq!(got, terms(a, text), "{a:?}");
        }
    }

    #[test]
    fn stop_words_are_the_languages_own() {
        assert!(Analysis::English.is_stop_word("the"));
        assert!(!Analysis::English.is_stop_word("die"));
        assert!(Analysis::German.is_stop_word("die"));
        assert!(Analysis::German.is_stop_word("bei"));
        assert!(!Analysis::German.is_stop_word("kind"));
        assert!(Analysis::French.is_stop_word("les"));
        assert!(!Analysis::Plain.is_stop_word("the"));
    }
}
