//! [`AmericanSpelling`]: a token filter that writes British spellings the
//! American way, so that "tumour" finds "tumor", "fibre-rich" finds
//! "fiber-rich" and "randomised" finds "randomized" (and the other way
//! round: index and query go through the same filter).
//!
//! It works on lower-cased, ASCII-folded words, before stemming, with rules
//! for the regular differences and short lists where a rule would catch
//! other words:
//! - `-ise`/`-yse` verbs and their forms → `-ize`/`-yze` (a word that only
//!   looks like one, "promise" → "promize", is changed the same way on both
//!   sides, so it still matches itself);
//! - `-our` → `-or` after the stems that take it ("colour", "tumour", not
//!   "hour" or "four");
//! - `-tre` → `-ter` ("centre", "fibre", "litre"), `-ogue` → `-og`;
//! - the medical `ae`/`oe` ("haemoglobin", "anaemia", "oestrogen",
//!   "diarrhoea", "paediatric");
//! - doubled `l` of British past forms ("signalling", "modelled") and the
//!   single `l` of "fulfil", "enrol", "skilful";
//! - a few words of their own ("grey", "programme", "sulphur", "ageing").
//!
//! No crate on crates.io does this for a search analyzer; the rules are the
//! regular patterns of the Oxford/Webster differences, kept short on
//! purpose. Unlisted rarities stay as they are (typo matching may still
//! reach them).

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The token filter (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AmericanSpelling;

impl TokenFilter for AmericanSpelling {
    type Tokenizer<T: Tokenizer> = AmericanSpellingFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> AmericanSpellingFilter<T> {
        AmericanSpellingFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(crate) struct AmericanSpellingFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for AmericanSpellingFilter<T> {
    type TokenStream<'a> = AmericanSpellingStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        AmericanSpellingStream {
            tail: self.inner.token_stream(text),
        }
    }
}

pub(crate) struct AmericanSpellingStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for AmericanSpellingStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Cow::Owned(american) = american(&token.text) {
            token.text = american;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Words of their own (British → American), whole words only, sorted by
/// length and then letters: a binary search compares lengths first.
const WORDS: &[(&str, &str)] = &[
    ("grey", "gray"),
    ("enrol", "enroll"),
    ("greys", "grays"),
    ("mould", "mold"),
    ("ageing", "aging"),
    ("distil", "distill"),
    ("enrols", "enrolls"),
    ("fulfil", "fulfill"),
    ("moulds", "molds"),
    ("mouldy", "moldy"),
    ("plough", "plow"),
    // Not British: kept as it is rather than read as "-bre" → "-ber".
    ("timbre", "timbre"),
    ("wilful", "willful"),
    ("defence", "defense"),
    ("fulfils", "fulfills"),
    ("licence", "license"),
    ("offence", "offense"),
    ("skilful", "skillful"),
    ("woollen", "woolen"),
    ("practise", "practice"),
    ("pretence", "pretense"),
    ("aluminium", "aluminum"),
    ("enrolment", "enrollment"),
    ("jewellery", "jewelry"),
    ("judgement", "judgment"),
    ("manoeuvre", "maneuver"),
    ("practised", "practiced"),
    ("practises", "practices"),
    ("programme", "program"),
    ("fulfilment", "fulfillment"),
    ("instalment", "installment"),
    ("judgements", "judgments"),
    ("manoeuvres", "maneuvers"),
    ("practising", "practicing"),
    ("programmes", "programs"),
];

/// The longest word in [`WORDS`].
const LONGEST_WORD: usize = 10;

/// Word beginnings (British → American): the rest of the word is kept.
const PREFIXES: &[(&str, &str)] = &[
    ("haem", "hem"),
    ("anaem", "anem"),
    ("anaest", "anest"),
    ("paed", "ped"),
    ("orthopaed", "orthoped"),
    ("encyclopaed", "encycloped"),
    ("gynaec", "gynec"),
    ("aetiol", "etiol"),
    ("faec", "fec"),
    ("caesar", "cesar"),
    ("oesophag", "esophag"),
    ("oestr", "estr"),
    ("oedem", "edem"),
    ("foet", "fet"),
    ("coeliac", "celiac"),
    ("amoeb", "ameb"),
    ("homoeo", "homeo"),
    ("mediaev", "mediev"),
    ("sulph", "sulf"),
    ("smould", "smold"),
    ("moult", "molt"),
];

/// Stems that take `-our` in British spelling ("col" + "our" + "ful").
const OUR_STEMS: &[&str] = &[
    "arm", "behavi", "clam", "col", "endeav", "fav", "ferv", "flav", "harb", "hon", "hum", "lab",
    "neighb", "od", "parl", "rig", "rum", "sav", "savi", "splend", "tum", "val", "vap", "vig",
];

/// Stems whose final `l` British doubles before `-ed`, `-ing`, `-er`.
const L_STEMS: &[&str] = &[
    "barrel", "cancel", "channel", "counsel", "dial", "duel", "enamel", "equal", "fuel", "funnel",
    "grovel", "initial", "jewel", "label", "level", "libel", "marvel", "model", "panel", "pedal",
    "quarrel", "rival", "shovel", "signal", "snorkel", "total", "travel", "tunnel", "yodel",
];

/// The American spelling of `word` (lower case, ASCII), or `word` itself.
pub(crate) fn american(word: &str) -> Cow<'_, str> {
    let bytes = word.as_bytes();
    if bytes.len() < 4 {
        return Cow::Borrowed(word);
    }
    // One pass over the letters tells which rules could apply: most words
    // need none, and every token of every section comes through here.
    let (mut ae_oe, mut ou, mut ll) = (false, false, false);
    let mut prev = 0u8;
    for &c in bytes {
        match (prev, c) {
            (_, 128..) => return Cow::Borrowed(word),
            (b'a' | b'o', b'e') => ae_oe = true,
            (b'o', b'u') => ou = true,
            (b'l', b'l') => ll = true,
            _ => {}
        }
        prev = c;
    }
    if bytes.len() <= LONGEST_WORD
        && let Ok(at) = WORDS.binary_search_by(|(uk, _)| (uk.len(), *uk).cmp(&(word.len(), word)))
    {
        return Cow::Owned(WORDS[at].1.to_string());
    }
    let mut out: Cow<'_, str> = Cow::Borrowed(word);
    if (ae_oe || ou || bytes[0] == b's')
        && let Some(&(uk, us)) = PREFIXES.iter().find(|(uk, _)| word.starts_with(uk))
    {
        out = Cow::Owned(format!("{us}{}", &word[uk.len()..]));
    }
    if ae_oe {
        // Inside a word: anaemia, ischaemic, leukaemia, hypoglycaemia;
        // diarrhoea, dyspnoea, apnoea.
        for (uk, us) in [("aemi", "emi"), ("rrhoea", "rrhea"), ("pnoea", "pnea")] {
            if out.contains(uk) {
                out = Cow::Owned(out.replace(uk, us));
            }
        }
    }
    if ou && let Some(fixed) = our(&out) {
        out = Cow::Owned(fixed);
    }
    if ll && let Some(fixed) = doubled_l(&out) {
        out = Cow::Owned(fixed);
    }
    if let Some(fixed) = suffix(&out) {
        out = Cow::Owned(fixed);
    }
    out
}

/// `-our` → `-or` after a stem that takes it, at the word's start
/// ("tumours", "favourite", "behavioural").
fn our(word: &str) -> Option<String> {
    OUR_STEMS.iter().find_map(|stem| {
        let rest = word.strip_prefix(stem)?.strip_prefix("our")?;
        Some(format!("{stem}or{rest}"))
    })
}

/// "signalling" → "signaling", "modelled" → "modeled", "counsellor" →
/// "counselor", "marvellous" → "marvelous", "panellist" → "panelist".
fn doubled_l(word: &str) -> Option<String> {
    L_STEMS.iter().find_map(|stem| {
        let rest = word.strip_prefix(stem)?.strip_prefix('l')?;
        ["ed", "ing", "er", "ers", "or", "ors", "ous", "ist", "ists"]
            .contains(&rest)
            .then(|| format!("{stem}{rest}"))
    })
}

/// Word endings: `-ise` → `-ize`, `-yse` → `-yze` (with their forms),
/// `-tre` → `-ter`, `-bre` → `-ber`, `-ogue` → `-og`.
fn suffix(word: &str) -> Option<String> {
    // By last letter, so that a word is checked against a few endings.
    let endings: &[(&str, &str)] = match word.as_bytes().last()? {
        b'e' => &[
            ("ise", "ize"),
            ("yse", "yze"),
            ("tre", "ter"),
            ("bre", "ber"),
            ("ogue", "og"),
        ],
        b'd' => &[("ised", "ized"), ("ysed", "yzed"), ("tred", "tered")],
        b's' => &[
            ("ises", "izes"),
            ("isers", "izers"),
            ("isations", "izations"),
            ("tres", "ters"),
            ("bres", "bers"),
            ("ogues", "ogs"),
        ],
        b'g' => &[("ising", "izing"), ("ysing", "yzing")],
        b'r' => &[("iser", "izer"), ("yser", "yzer")],
        b'n' => &[("isation", "ization")],
        _ => return None,
    };
    endings.iter().find_map(|(uk, us)| {
        let stem = word.strip_suffix(uk)?;
        // Enough letters before the ending: "rise", "noise", "raise" and
        // "rogue" stay, while "fibre" and "litre" change.
        let shortest = if uk.starts_with(['i', 'y']) { 3 } else { 2 };
        (stem.len() >= shortest).then(|| format!("{stem}{us}"))
    })
}

#[cfg(test)]
mod tests {
    use super::american;

    fn us(word: &str) -> String {
        american(word).into_owned()
    }

    #[test]
    fn the_word_list_is_sorted_for_binary_search() {
        assert!(
            super::WORDS
                .windows(2)
                .all(|w| (w[0].0.len(), w[0].0) < (w[1].0.len(), w[1].0))
        );
        let longest = super::WORDS.iter().map(|(uk, _)| uk.len()).max();
        assert_eq!(longest, Some(super::LONGEST_WORD));
    }

    #[test]
    fn british_medical_spellings_become_american() {
        for (uk, expected) in [
            ("haemoglobin", "hemoglobin"),
            ("anaemia", "anemia"),
            ("ischaemic", "ischemic"),
            ("leukaemia", "leukemia"),
            ("hypoglycaemia", "hypoglycemia"),
            ("oestrogen", "estrogen"),
            ("oesophageal", "esophageal"),
            ("oedema", "edema"),
            ("diarrhoea", "diarrhea"),
            ("dyspnoea", "dyspnea"),
            ("paediatric", "pediatric"),
            ("orthopaedic", "orthopedic"),
            ("anaesthesia", "anesthesia"),
            ("aetiology", "etiology"),
            ("faecal", "fecal"),
            ("foetus", "fetus"),
            ("coeliac", "celiac"),
            ("tumour", "tumor"),
            ("tumours", "tumors"),
            ("haematopoietic", "hematopoietic"),
            ("sulphate", "sulfate"),
        ] {
            assert_eq!(us(uk), expected, "{uk}");
        }
    }

    #[test]
    fn regular_patterns() {
        for (uk, expected) in [
            ("colour", "color"),
            ("favourite", "favorite"),
            ("behavioural", "behavioral"),
            ("neighbourhood", "neighborhood"),
            ("randomised", "randomized"),
            ("characterisation", "characterization"),
            ("organising", "organizing"),
            ("analyse", "analyze"),
            ("analysed", "analyzed"),
            ("centre", "center"),
            ("centres", "centers"),
            ("centred", "centered"),
            ("fibre", "fiber"),
            ("millilitre", "milliliter"),
            ("kilometres", "kilometers"),
            ("catalogue", "catalog"),
            ("signalling", "signaling"),
            ("modelled", "modeled"),
            ("travellers", "travelers"),
            ("counsellor", "counselor"),
            ("marvellous", "marvelous"),
            ("fulfilment", "fulfillment"),
            ("grey", "gray"),
            ("programme", "program"),
            ("ageing", "aging"),
            ("practise", "practice"),
        ] {
            assert_eq!(us(uk), expected, "{uk}");
        }
    }

    #[test]
    fn other_words_are_left_alone() {
        for word in [
            "hour",
            "four",
            "your",
            "pour",
            "tour",
            "journal",
            "source",
            "course",
            "rise",
            "wise",
            "analyses",
            "analysis",
            "does",
            "shoe",
            "poem",
            "aerobic",
            "acre",
            "genre",
            "timbre",
            "filling",
            "killed",
            "called",
            "tell",
            "signal",
            "model",
            "academia",
            "gut",
            "skin",
            "acne",
            "probiotic",
            "a",
            "4",
        ] {
            assert_eq!(us(word), word, "{word}");
        }
    }

    #[test]
    fn american_spellings_stay_american() {
        for word in [
            "color",
            "tumor",
            "randomized",
            "center",
            "fiber",
            "signaling",
            "modeled",
            "anemia",
            "estrogen",
            "diarrhea",
            "pediatric",
            "hemoglobin",
            "analyze",
            "catalog",
            "gray",
        ] {
            assert_eq!(us(word), word, "{word}");
        }
    }
}
