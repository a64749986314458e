//! [`GreekLetterNames`]: a token filter that spells Greek letters out, so
//! that "β-carotene" and "beta-carotene", "TNF-α" and "TNF-alpha",
//! "NF-κB" and "NF-kappaB", "IFN-γ" and "IFN-gamma" find each other.
//!
//! It runs after lower-casing (so `Δ` is `δ`) and before ASCII folding,
//! which leaves Greek letters as they are. The micro sign and `μ` before
//! letters are a unit prefix ("μg", "μm"): `micro`; elsewhere `μ` is "mu"
//! ("μ-opioid").

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The token filter (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct GreekLetterNames;

impl TokenFilter for GreekLetterNames {
    type Tokenizer<T: Tokenizer> = GreekLetterNamesFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> GreekLetterNamesFilter<T> {
        GreekLetterNamesFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(crate) struct GreekLetterNamesFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for GreekLetterNamesFilter<T> {
    type TokenStream<'a> = GreekLetterNamesStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        GreekLetterNamesStream {
            tail: self.inner.token_stream(text),
        }
    }
}

pub(crate) struct GreekLetterNamesStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for GreekLetterNamesStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(spelt) = spell_out(&token.text) {
            token.text = spelt;
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

/// The English name of a lower-case Greek letter (with its variant forms).
fn name(c: char) -> Option<&'static str> {
    Some(match c {
        'α' => "alpha",
        'β' | 'ϐ' => "beta",
        'γ' => "gamma",
        'δ' => "delta",
        'ε' | 'ϵ' => "epsilon",
        'ζ' => "zeta",
        'η' => "eta",
        'θ' | 'ϑ' => "theta",
        'ι' => "iota",
        'κ' | 'ϰ' => "kappa",
        'λ' => "lambda",
        'μ' | 'µ' => "mu",
        'ν' => "nu",
        'ξ' => "xi",
        'ο' => "omicron",
        'π' | 'ϖ' => "pi",
        'ρ' | 'ϱ' => "rho",
        'σ' | 'ς' => "sigma",
        'τ' => "tau",
        'υ' => "upsilon",
        'φ' | 'ϕ' => "phi",
        'χ' => "chi",
        'ψ' => "psi",
        'ω' => "omega",
        _ => return None,
    })
}

/// `word` with its Greek letters spelt out, or `None` when it has none.
fn spell_out(word: &str) -> Option<String> {
    if word.is_ascii() || !word.chars().any(|c| name(c).is_some()) {
        return None;
    }
    let mut out = String::with_capacity(word.len() + 8);
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match name(c) {
            // A unit prefix: "μg", "µmol".
            Some("mu") if chars.peek().is_some_and(|n| n.is_ascii_alphabetic()) => {
                out.push_str("micro");
            }
            Some(spelt) => out.push_str(spelt),
            None => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::spell_out;

    #[test]
    fn greek_letters_are_spelt_out() {
        assert_eq!(spell_out("β").as_deref(), Some("beta"));
        assert_eq!(spell_out("α").as_deref(), Some("alpha"));
        assert_eq!(spell_out("κb").as_deref(), Some("kappab"));
        assert_eq!(spell_out("β1").as_deref(), Some("beta1"));
        assert_eq!(spell_out("tnfα").as_deref(), Some("tnfalpha"));
        assert_eq!(spell_out("ω3").as_deref(), Some("omega3"));
        assert_eq!(spell_out("μ").as_deref(), Some("mu"));
        assert_eq!(spell_out("μg").as_deref(), Some("microg"));
        assert_eq!(spell_out("µmol").as_deref(), Some("micromol"));
    }

    #[test]
    fn other_words_are_left_alone() {
        assert_eq!(spell_out("beta"), None);
        assert_eq!(spell_out("café"), None);
        assert_eq!(spell_out("naïve"), None);
        assert_eq!(spell_out("日本"), None);
    }
}
