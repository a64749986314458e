//! Rubric's query language in an engine's terms: a parsed
//! [`rubric_index::query::Node`] becomes Quickwit's query language
//! ([`quickwit`], for its search API and its `query_string`) or
//! Elasticsearch's query DSL ([`elastic`]).
//!
//! Every word and phrase is analysed by Rubric ([`Analysis`]) and searched
//! in the `_norm` copies, which hold the same analysis of the text: so stems,
//! British/American spellings and Greek letters match as they do locally. A
//! word searches title, heading, path and text with [`Ranking`]'s weights
//! (one BM25 per field, added up); `title:` and friends search one field
//! at weight 1; `+`, `-`, `AND`, `OR`, `NOT` and groups keep their meaning;
//! `tag:` and `source:` (and `--filter`s) filter without scoring.
//!
//! What Rubric's own ranking adds is not translated: BM25F (one score over
//! all fields), typo tolerance, the all-terms-first lift and the proximity
//! boost need the index's term dictionary or a custom scorer.
//!
//! The words as typed (split on anything not a letter or digit, lower
//! case) are also returned, for the engine's highlighter, which marks them
//! in the raw `text`.

use std::collections::BTreeSet;

use rubric_index::query::{FilterKey, Node, Occur, Scope};
use rubric_index::{Analysis, Ranking};
use serde_json::{Value, json};

/// A translated query.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated<Q> {
    /// The engine's query.
    pub query: Q,
    /// Words as typed (lower case, split on non-alphanumerics) to mark in
    /// snippets, in the order first seen.
    pub highlight: Vec<String>,
}

/// (field, weight) of the `_norm` fields a scope searches: every field with
/// its weight above 0 for [`Scope::All`], one field at weight 1 otherwise.
fn fields(scope: Scope, ranking: &Ranking) -> Vec<(&'static str, f32)> {
    let all = [
        (Scope::Title, "title_norm", ranking.title),
        (Scope::Heading, "heading_norm", ranking.heading),
        (Scope::Path, "path_norm", ranking.path),
        (Scope::Text, "text_norm", ranking.text),
    ];
    all.into_iter()
        .filter(|&(s, _, w)| (scope == Scope::All && w > 0.0) || s == scope)
        .map(|(_, f, w)| (f, if scope == Scope::All { w } else { 1.0 }))
        .collect()
}

/// Lower-case runs of letters and digits: how the engines' default
/// tokenizers split the raw text the highlighter marks.
fn typed_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Collects the highlight words in first-seen order.
#[derive(Default)]
struct Marks {
    seen: BTreeSet<String>,
    words: Vec<String>,
}

impl Marks {
    fn add(&mut self, text: &str) {
        for word in typed_words(text) {
            if self.seen.insert(word.clone()) {
                self.words.push(word);
            }
        }
    }
}

// ---------------------------------------------------------------- Quickwit

/// The query in Quickwit's query language: `None` when nothing in it can
/// match (no word the analysis keeps). `filters` must match and do not
/// score. The highlight words are added as a clause of weight 0 on `text`,
/// so Quickwit's snippets mark them and scores do not change.
pub fn quickwit(
    node: &Node,
    filters: &[Node],
    ranking: &Ranking,
    analysis: &mut Analysis,
) -> Option<Translated<String>> {
    let mut q = Qw {
        ranking,
        analysis,
        marks: Marks::default(),
    };
    let main = q.node(node, true)?;
    let mut parts = vec![format!("+{}", group(&main))];
    for filter in filters {
        if let Some(f) = q.node(filter, false) {
            parts.push(format!("+{}^0", group(&f)));
        }
    }
    let highlight = q.marks.words;
    if !highlight.is_empty() {
        let words: Vec<String> = highlight.iter().map(|w| format!("text:{w}")).collect();
        parts.push(format!("({})^0", words.join(" OR ")));
    }
    let query = if parts.len() == 1 {
        main
    } else {
        parts.join(" OR ")
    };
    Some(Translated { query, highlight })
}

struct Qw<'a> {
    ranking: &'a Ranking,
    analysis: &'a mut Analysis,
    marks: Marks,
}

impl Qw<'_> {
    /// `mark`: its words are highlighted (not under an exclusion).
    fn node(&mut self, node: &Node, mark: bool) -> Option<String> {
        match node {
            Node::Word { scope, text } => {
                let terms = self.analysis.terms(text);
                if terms.is_empty() {
                    return None;
                }
                if mark {
                    self.marks.add(text);
                }
                let parts: Vec<String> = terms.iter().map(|t| self.term(*scope, t)).collect();
                Some(any(parts))
            }
            Node::Phrase { scope, text } => {
                let terms = self.analysis.terms(text);
                if terms.is_empty() {
                    return None;
                }
                if mark {
                    self.marks.add(text);
                }
                if terms.len() == 1 {
                    return Some(self.term(*scope, &terms[0]));
                }
                let phrase = terms.join(" ");
                let parts = fields(*scope, self.ranking)
                    .into_iter()
                    .map(|(f, w)| format!("{f}:\"{phrase}\"{}", boost(w)))
                    .collect();
                Some(any(parts))
            }
            Node::Filter { key, value } => Some(match key {
                FilterKey::Tag => format!("tags:\"{}\"^0", escape_quoted(value)),
                FilterKey::Source => format!("source:{}*^0", escape_word(value)),
            }),
            Node::Bool(clauses) => self.boolean(clauses, mark),
        }
    }

    fn boolean(&mut self, clauses: &[(Occur, Node)], mark: bool) -> Option<String> {
        let mut positive = Vec::new();
        let mut excluded = Vec::new();
        for (occur, node) in clauses {
            let excluding = *occur == Occur::MustNot;
            let Some(q) = self.node(node, mark && !excluding) else {
                continue;
            };
            match (occur, node) {
                (Occur::MustNot, _) => excluded.push(format!("-{}", group(&q))),
                (_, Node::Filter { .. }) | (Occur::Must, _) => {
                    positive.push(format!("+{}", group(&q)));
                }
                (Occur::Should, _) => positive.push(group(&q)),
            }
        }
        if positive.is_empty() && excluded.is_empty() {
            return None;
        }
        // In Quickwit's grammar, `a OR +b` is "a should, b must" and
        // `X AND -c` is "X must, c must not": with every clause written
        // this way, no default operator is involved.
        let positive = match positive.len() {
            0 => "*^0".to_string(),
            1 => positive.remove(0),
            _ => format!("({})", positive.join(" OR ")),
        };
        if excluded.is_empty() {
            return Some(positive);
        }
        Some(format!(
            "{} AND {}",
            group(&positive),
            excluded.join(" AND ")
        ))
    }

    fn term(&self, scope: Scope, term: &str) -> String {
        let term = escape_word(term);
        let parts = fields(scope, self.ranking)
            .into_iter()
            .map(|(f, w)| format!("{f}:{term}{}", boost(w)))
            .collect();
        any(parts)
    }
}

/// `a`, or `(a OR b …)`.
fn any(mut parts: Vec<String>) -> String {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// Parentheses around anything that is not one token (a `+` prefix may sit
/// in front of a single token or a group, nothing else).
fn group(q: &str) -> String {
    let atomic = !q.contains(' ') || (q.starts_with('(') && closes_at_end(q));
    if atomic {
        q.to_string()
    } else {
        format!("({q})")
    }
}

/// True when the `(` at the start of `q` is closed by its last character.
fn closes_at_end(q: &str) -> bool {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in q.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == q.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// `^w`, or nothing for weight 1.
fn boost(weight: f32) -> String {
    if weight == 1.0 {
        String::new()
    } else {
        format!("^{weight}")
    }
}

/// A term as one word of Quickwit's grammar: the characters the grammar
/// reserves are escaped with `\` (Rubric's analysis only makes letters and
/// digits, so this is for the source filter and for safety).
fn escape_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for (i, c) in word.chars().enumerate() {
        let reserved =
            c.is_whitespace() || "+^`:{}\"'[]()!\\*?~<>=".contains(c) || (i == 0 && c == '-');
        if reserved {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The inside of a `"…"` term: `\` and `"` escaped.
pub(crate) fn escape_quoted(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

// ------------------------------------------------- Elasticsearch/OpenSearch

/// The query as Elasticsearch query DSL (`None` when nothing can match) and
/// a highlight query for the raw `text` (the words as typed, which the
/// `english` analyzer stems as it stems the text).
pub fn elastic(
    node: &Node,
    filters: &[Node],
    ranking: &Ranking,
    analysis: &mut Analysis,
) -> Option<Translated<Value>> {
    let mut e = Es {
        ranking,
        analysis,
        marks: Marks::default(),
    };
    let main = e.node(node, true)?;
    let filters: Vec<Value> = filters.iter().filter_map(|f| e.node(f, false)).collect();
    let query = if filters.is_empty() {
        main
    } else {
        json!({"bool": {"must": [main], "filter": filters}})
    };
    Some(Translated {
        query,
        highlight: e.marks.words,
    })
}

struct Es<'a> {
    ranking: &'a Ranking,
    analysis: &'a mut Analysis,
    marks: Marks,
}

impl Es<'_> {
    fn node(&mut self, node: &Node, mark: bool) -> Option<Value> {
        match node {
            Node::Word { scope, text } => {
                let terms = self.analysis.terms(text);
                if terms.is_empty() {
                    return None;
                }
                if mark {
                    self.marks.add(text);
                }
                let parts = terms.iter().map(|t| self.term(*scope, t)).collect();
                Some(should(parts))
            }
            Node::Phrase { scope, text } => {
                let terms = self.analysis.terms(text);
                if terms.is_empty() {
                    return None;
                }
                if mark {
                    self.marks.add(text);
                }
                if terms.len() == 1 {
                    return Some(self.term(*scope, &terms[0]));
                }
                let phrase = terms.join(" ");
                let parts = fields(*scope, self.ranking)
                    .into_iter()
                    .map(|(f, w)| json!({"match_phrase": {f: {"query": phrase, "boost": w}}}))
                    .collect();
                Some(should(parts))
            }
            Node::Filter { key, value } => Some(match key {
                FilterKey::Tag => json!({"term": {"tags": value}}),
                FilterKey::Source => json!({"prefix": {"source": value}}),
            }),
            Node::Bool(clauses) => {
                let (mut should_, mut must, mut must_not, mut filter) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for (occur, node) in clauses {
                    let excluding = *occur == Occur::MustNot;
                    let Some(q) = self.node(node, mark && !excluding) else {
                        continue;
                    };
                    match (occur, node) {
                        (Occur::MustNot, _) => must_not.push(q),
                        (_, Node::Filter { .. }) => filter.push(q),
                        (Occur::Must, _) => must.push(q),
                        (Occur::Should, _) => should_.push(q),
                    }
                }
                if should_.is_empty() && must.is_empty() && must_not.is_empty() && filter.is_empty()
                {
                    return None;
                }
                let mut b = serde_json::Map::new();
                for (name, list) in [
                    ("must", must),
                    ("should", should_),
                    ("must_not", must_not),
                    ("filter", filter),
                ] {
                    if !list.is_empty() {
                        b.insert(name.to_string(), Value::Array(list));
                    }
                }
                Some(json!({"bool": b}))
            }
        }
    }

    fn term(&self, scope: Scope, term: &str) -> Value {
        let parts = fields(scope, self.ranking)
            .into_iter()
            .map(|(f, w)| json!({"term": {f: {"value": term, "boost": w}}}))
            .collect();
        should(parts)
    }
}

/// One clause, or a `bool` of `should`s.
fn should(mut parts: Vec<Value>) -> Value {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        json!({"bool": {"should": parts}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rubric_index::query;

    fn qw(text: &str) -> String {
        let parsed = query::parse(text);
        quickwit(&parsed.node, &[], &Ranking::default(), &mut Analysis::new())
            .map(|t| t.query)
            .unwrap_or_default()
    }

    #[test]
    fn a_word_searches_every_normalised_field_with_rubrics_weights() {
        assert_eq!(
            qw("Tumours"),
            "+(title_norm:tumor OR heading_norm:tumor^2 OR path_norm:tumor^0.5 OR text_norm:tumor) OR (text:tumours)^0"
        );
        assert_eq!(
            qw("heading:probiotics"),
            "+heading_norm:probiot OR (text:probiotics)^0"
        );
    }

    #[test]
    fn operators_become_explicit_occurrences() {
        let q = qw("text:acne +text:diet -text:sugar");
        assert_eq!(
            q,
            "+((text_norm:acn OR +text_norm:diet) AND -text_norm:sugar) OR (text:acne OR text:diet)^0"
        );
        let q = qw("text:(a AND b) OR text:c");
        assert!(
            q.starts_with("+((+text_norm:a OR +text_norm:b) OR text_norm:c)"),
            "{q}"
        );
        assert!(
            qw("-text:acne").starts_with("*^0 AND -text_norm:acn"),
            "{}",
            qw("-text:acne")
        );
    }

    #[test]
    fn phrases_filters_and_greek_letters() {
        let q = qw("text:\"leaky guts\" tag:skin source:corpus/a b");
        assert!(q.contains("text_norm:\"leaki gut\""), "{q}");
        assert!(q.contains("+tags:\"skin\"^0"), "{q}");
        assert!(q.contains("+source:corpus/a*^0"), "{q}");
        assert!(qw("text:TNF-α").contains("text_norm:tnf OR text_norm:alpha"));
    }

    #[test]
    fn nothing_to_search_for_is_none() {
        let parsed = query::parse("!!! ...");
        assert!(quickwit(&parsed.node, &[], &Ranking::default(), &mut Analysis::new()).is_none());
    }

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(escape_word("a b:c(d)*"), "a\\ b\\:c\\(d\\)\\*");
        assert_eq!(escape_word("-x-y"), "\\-x-y");
        assert_eq!(escape_quoted("a \"b\" \\"), "a \\\"b\\\" \\\\");
    }

    #[test]
    fn elasticsearch_gets_a_bool_of_boosted_terms_and_filters() {
        let parsed = query::parse("eczema -acne tag:skin");
        let t = elastic(&parsed.node, &[], &Ranking::default(), &mut Analysis::new()).unwrap();
        let b = &t.query["bool"];
        assert_eq!(
            b["should"][0]["bool"]["should"][1]["term"]["heading_norm"]["value"],
            "eczema"
        );
        assert_eq!(
            b["should"][0]["bool"]["should"][1]["term"]["heading_norm"]["boost"],
            2.0
        );
        assert_eq!(
            b["must_not"][0]["bool"]["should"][0]["term"]["title_norm"]["value"],
            "acn"
        );
        assert_eq!(b["filter"][0]["term"]["tags"], "skin");
        assert_eq!(t.highlight, ["eczema"]);
    }
}
