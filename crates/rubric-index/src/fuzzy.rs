//! Typo matching's shared part: Levenshtein automata (edit distance 1 or 2,
//! a swap of neighbours counting as one edit) and their walk over a term
//! dictionary, so that only the terms within reach are read. `rank` uses
//! them to match misspelt words, `suggest` to propose corrections.

use std::sync::OnceLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};

/// Levenshtein automaton builders (with transpositions) for distances 1
/// and 2, built once per process: building one takes a few milliseconds.
pub(crate) fn levenshtein_builder(max: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    let cell = if max <= 1 { &ONE } else { &TWO };
    cell.get_or_init(|| LevenshteinAutomatonBuilder::new(max.min(2), true))
}

/// A Levenshtein DFA as an automaton over a term dictionary.
pub(crate) struct Lev<'a>(pub(crate) &'a DFA);

impl tantivy_fst::Automaton for Lev<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
