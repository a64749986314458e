//! The query language: turns what a user typed into a [`Node`] tree, never
//! failing on syntax.
//!
//! Words are OR-ed (ranking decides), `"phrases"` match words in order,
//! `+word` is required and `-word` / `NOT word` excluded, `AND` / `OR`
//! (upper case) combine, `( … )` group, `title:` `heading:` `path:` `text:`
//! limit a word, phrase or group to one field, and `tag:` / `source:` filter
//! (`source:` matches a prefix). A query that cannot be parsed (unbalanced
//! quote or parenthesis, an operator with nothing to combine) falls back to
//! its plain words, with a note saying so; an unknown `name:` is searched as
//! words, also with a note.
//!
//! This module knows nothing of Tantivy, analyzers or scores: `rank` turns a
//! [`Node`] into a scored Tantivy query, and `rubric-remote` turns the same
//! tree into a distributed engine's query (which is why it is public).
//!
//! ```
//! use rubric_index::query::{self, Node, Occur, Scope};
//!
//! let parsed = query::parse("eczema -acne heading:\"gut health\"");
//! let Node::Bool(clauses) = parsed.node else { panic!() };
//! assert_eq!(clauses[1].0, Occur::MustNot);
//! assert!(matches!(&clauses[2].1, Node::Phrase { scope: Scope::Heading, .. }));
//! ```

use std::fmt;

/// At most this many nested parentheses; deeper ones are read as words.
const MAX_DEPTH: usize = 32;

/// A field a word or phrase can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every text field (title, heading, path, text), weighted.
    All,
    /// The article title.
    Title,
    /// The section's own heading.
    Heading,
    /// The headings above the section.
    Path,
    /// The section text.
    Text,
}

impl Scope {
    fn named(name: &str) -> Option<Scope> {
        match name.to_ascii_lowercase().as_str() {
            "title" => Some(Scope::Title),
            "heading" => Some(Scope::Heading),
            "path" => Some(Scope::Path),
            "text" => Some(Scope::Text),
            _ => None,
        }
    }

    /// The field's name (`title`, `heading`, `path`, `text`); `None` for
    /// [`Scope::All`].
    pub fn field(self) -> Option<&'static str> {
        match self {
            Scope::All => None,
            Scope::Title => Some("title"),
            Scope::Heading => Some("heading"),
            Scope::Path => Some("path"),
            Scope::Text => Some("text"),
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Scope::All => "",
            Scope::Title => "title:",
            Scope::Heading => "heading:",
            Scope::Path => "path:",
            Scope::Text => "text:",
        }
    }
}

/// A filter on an article's raw metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// One of the article's tags, exactly.
    Tag,
    /// Where the article was read from: a prefix of its source.
    Source,
}

/// How a clause takes part in its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// May match; matching clauses add up.
    Should,
    /// Must match.
    Must,
    /// Must not match.
    MustNot,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// One word as typed (the analyzer may make several terms of it).
    Word {
        /// Where it is searched.
        scope: Scope,
        /// The word as typed.
        text: String,
    },
    /// Words that must appear in this order.
    Phrase {
        /// Where it is searched.
        scope: Scope,
        /// The words as typed, without the quotes.
        text: String,
    },
    /// A metadata filter: matches without scoring.
    Filter {
        /// What is filtered on.
        key: FilterKey,
        /// The tag, or the start of the source.
        value: String,
    },
    /// Clauses; matching `Should` clauses add up, `Must` ones are required.
    Bool(Vec<(Occur, Node)>),
}

impl Node {
    /// True when the query is only words searched in every field, OR-ed:
    /// no phrase, requirement, exclusion, field or filter.
    pub(crate) fn is_plain(&self) -> bool {
        match self {
            Node::Word { scope, .. } => *scope == Scope::All,
            Node::Bool(clauses) => clauses
                .iter()
                .all(|(occur, node)| *occur == Occur::Should && node.is_plain()),
            Node::Phrase { .. } | Node::Filter { .. } => false,
        }
    }
}

/// The result of [`parse`]: the tree and what was done to understand it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The query tree.
    pub node: Node,
    /// Notes for the user (stderr): why the query was read as plain words.
    pub notes: Vec<String>,
}

/// Parses `text`. Never fails: a malformed query becomes its plain words.
pub fn parse(text: &str) -> Parsed {
    let mut notes = Vec::new();
    let tokens = lex(text, &mut notes);
    let node = match Parser::new(&tokens, &mut notes).query() {
        Ok(node) => node,
        Err(reason) => {
            notes.push(format!(
                "could not read the query ({reason}); searching for its words"
            ));
            plain_words(text)
        }
    };
    Parsed {
        node: simplify(node),
        notes,
    }
}

/// Every word of `text` as an OR-ed word, ignoring all syntax.
pub fn plain_words(text: &str) -> Node {
    let words = text
        .split(|c: char| c.is_whitespace() || "\"“”()+:".contains(c))
        .map(|w| w.trim_start_matches('-'))
        .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT"))
        .map(|w| {
            (
                Occur::Should,
                Node::Word {
                    scope: Scope::All,
                    text: w.to_string(),
                },
            )
        })
        .collect();
    Node::Bool(words)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Phrase(String),
    /// `name:` directly followed by what it applies to.
    Field(String),
    Open,
    Close,
    Plus,
    Minus,
    And,
    Or,
    Not,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

fn lex(text: &str, notes: &mut Vec<String>) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    // True where a `+`/`-` would start a clause (start, after space or `(`).
    let mut clause_start = true;
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            clause_start = true;
            continue;
        }
        match c {
            '(' => {
                chars.next();
                out.push(Token::Open);
                clause_start = true;
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
                clause_start = false;
            }
            c if is_quote(c) => {
                chars.next();
                let start = at + c.len_utf8();
                let mut end = None;
                for (i, c) in chars.by_ref() {
                    if is_quote(c) {
                        end = Some(i);
                        break;
                    }
                }
                match end {
                    Some(end) => out.push(Token::Phrase(text[start..end].to_string())),
                    None => {
                        notes.push("unbalanced quote: read as words".to_string());
                        for word in text[start..].split_whitespace() {
                            out.push(Token::Word(word.to_string()));
                        }
                    }
                }
                clause_start = false;
            }
            '+' | '-' if clause_start => {
                chars.next();
                let next = chars.peek().map(|&(_, c)| c);
                // A lone `+`/`-` (as in "CD4 + T") is not an operator.
                if next.is_some_and(|n| !n.is_whitespace() && n != ')') {
                    out.push(if c == '+' { Token::Plus } else { Token::Minus });
                }
                clause_start = false;
            }
            _ => {
                let mut end = text.len();
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || is_quote(c) {
                        end = i;
                        break;
                    }
                    chars.next();
                }
                push_word(&text[at..end], &mut out, notes);
                clause_start = false;
            }
        }
    }
    out
}

/// A bare run of characters: an operator, `name:rest`, or a word.
fn push_word(word: &str, out: &mut Vec<Token>, notes: &mut Vec<String>) {
    match word {
        "AND" | "&&" => return out.push(Token::And),
        "OR" | "||" => return out.push(Token::Or),
        "NOT" => return out.push(Token::Not),
        _ => {}
    }
    let Some((name, rest)) = word.split_once(':') else {
        return out.push(Token::Word(word.to_string()));
    };
    let known = Scope::named(name).is_some() || matches!(name, "tag" | "source");
    if !known {
        // `http://…`, `ratio:1`, `tips:acne`: the words, not a field.
        let looks_like_field = !name.is_empty()
            && name.chars().all(char::is_alphabetic)
            && rest.starts_with(char::is_alphanumeric);
        if looks_like_field {
            notes.push(format!("no field named {name:?}: searched as words"));
        }
        out.push(Token::Word(word.to_string()));
        return;
    }
    out.push(Token::Field(name.to_ascii_lowercase()));
    if !rest.is_empty() {
        out.push(Token::Word(rest.to_string()));
    }
}

struct Parser<'t, 'n> {
    tokens: &'t [Token],
    at: usize,
    depth: usize,
    notes: &'n mut Vec<String>,
}

impl<'t, 'n> Parser<'t, 'n> {
    fn new(tokens: &'t [Token], notes: &'n mut Vec<String>) -> Self {
        Parser {
            tokens,
            at: 0,
            depth: 0,
            notes,
        }
    }

    fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.at)
    }

    fn query(&mut self) -> Result<Node, String> {
        let node = self.sequence()?;
        if let Some(token) = self.peek() {
            return Err(match token {
                Token::Close => "unbalanced parenthesis".to_string(),
                other => format!("unexpected {other:?}"),
            });
        }
        Ok(node)
    }

    /// Clauses side by side, up to `)` or the end: implicit OR.
    fn sequence(&mut self) -> Result<Node, String> {
        let mut clauses = Vec::new();
        while let Some(token) = self.peek() {
            if *token == Token::Close {
                break;
            }
            clauses.push(self.or_expr()?);
        }
        Ok(Node::Bool(clauses))
    }

    fn or_expr(&mut self) -> Result<(Occur, Node), String> {
        let first = self.and_expr()?;
        if self.peek() != Some(&Token::Or) {
            return Ok(first);
        }
        let mut any = vec![(Occur::Should, as_positive(first))];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            let next = self.and_expr()?;
            any.push((Occur::Should, as_positive(next)));
        }
        Ok((Occur::Should, Node::Bool(any)))
    }

    fn and_expr(&mut self) -> Result<(Occur, Node), String> {
        let first = self.unary()?;
        if self.peek() != Some(&Token::And) {
            return Ok(first);
        }
        let must = |(occur, node): (Occur, Node)| match occur {
            Occur::MustNot => (Occur::MustNot, node),
            _ => (Occur::Must, node),
        };
        let mut all = vec![must(first)];
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            all.push(must(self.unary()?));
        }
        Ok((Occur::Should, Node::Bool(all)))
    }

    fn unary(&mut self) -> Result<(Occur, Node), String> {
        // A loop, not recursion: `NOT NOT NOT …` may be thousands long.
        let mut occur = Occur::Should;
        loop {
            match self.peek() {
                Some(Token::Plus) if occur == Occur::Should => occur = Occur::Must,
                Some(Token::Plus) => {}
                Some(Token::Minus | Token::Not) => occur = Occur::MustNot,
                _ => return Ok((occur, self.primary(Scope::All)?)),
            }
            self.at += 1;
        }
    }

    fn primary(&mut self, scope: Scope) -> Result<Node, String> {
        let Some(token) = self.peek() else {
            return Err("an operator with nothing after it".to_string());
        };
        self.at += 1;
        match token {
            Token::Word(text) => Ok(Node::Word {
                scope,
                text: text.clone(),
            }),
            Token::Phrase(text) => Ok(Node::Phrase {
                scope,
                text: text.clone(),
            }),
            Token::Open if self.depth >= MAX_DEPTH => {
                self.notes
                    .push(format!("more than {MAX_DEPTH} nested parentheses"));
                Err("too deeply nested".to_string())
            }
            Token::Open => {
                self.depth += 1;
                let inner = self.sequence()?;
                self.depth -= 1;
                if self.peek() != Some(&Token::Close) {
                    return Err("unbalanced parenthesis".to_string());
                }
                self.at += 1;
                match &inner {
                    Node::Bool(clauses) if clauses.is_empty() => Err("empty parentheses".into()),
                    _ => Ok(rescope(inner, scope)),
                }
            }
            Token::Field(name) => self.field(name),
            Token::Close => Err("unbalanced parenthesis".to_string()),
            Token::And | Token::Or | Token::Not | Token::Plus | Token::Minus => {
                Err(format!("{token:?} where a word was expected"))
            }
        }
    }

    fn field(&mut self, name: &str) -> Result<Node, String> {
        let key = match name {
            "tag" => Some(FilterKey::Tag),
            "source" => Some(FilterKey::Source),
            _ => None,
        };
        match (key, self.peek()) {
            (Some(key), Some(Token::Word(value) | Token::Phrase(value))) => {
                self.at += 1;
                Ok(Node::Filter {
                    key,
                    value: value.clone(),
                })
            }
            (None, Some(Token::Word(_) | Token::Phrase(_) | Token::Open)) => {
                let scope = Scope::named(name).unwrap_or(Scope::All);
                self.primary(scope)
            }
            _ => Err(format!("nothing after {name}:")),
        }
    }
}

/// An `OR` alternative that was written with `-`/`+` keeps only its node.
fn as_positive((_, node): (Occur, Node)) -> Node {
    node
}

/// Applies `heading:( … )` to every word and phrase inside.
fn rescope(node: Node, scope: Scope) -> Node {
    if scope == Scope::All {
        return node;
    }
    match node {
        Node::Word { text, .. } => Node::Word { scope, text },
        Node::Phrase { text, .. } => Node::Phrase { scope, text },
        Node::Bool(clauses) => Node::Bool(
            clauses
                .into_iter()
                .map(|(o, n)| (o, rescope(n, scope)))
                .collect(),
        ),
        filter => filter,
    }
}

/// Unwraps groups of one `Should` clause.
fn simplify(node: Node) -> Node {
    match node {
        Node::Bool(clauses) => {
            let mut clauses: Vec<_> = clauses.into_iter().map(|(o, n)| (o, simplify(n))).collect();
            if clauses.len() == 1 && clauses[0].0 == Occur::Should {
                return clauses.remove(0).1;
            }
            Node::Bool(clauses)
        }
        other => other,
    }
}

impl fmt::Display for Node {
    /// A compact, unambiguous form for tests and debug logs:
    /// `(+a -b "c d" heading:e tag=f)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Word { scope, text } => write!(f, "{}{text}", scope.prefix()),
            Node::Phrase { scope, text } => write!(f, "{}\"{text}\"", scope.prefix()),
            Node::Filter { key, value } => match key {
                FilterKey::Tag => write!(f, "tag={value}"),
                FilterKey::Source => write!(f, "source^={value}"),
            },
            Node::Bool(clauses) => {
                f.write_str("(")?;
                for (i, (occur, node)) in clauses.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    match occur {
                        Occur::Should => {}
                        Occur::Must => f.write_str("+")?,
                        Occur::MustNot => f.write_str("-")?,
                    }
                    write!(f, "{node}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parsed form of `text`, and whether a note was made.
    fn read(text: &str) -> (String, bool) {
        let parsed = parse(text);
        (parsed.node.to_string(), !parsed.notes.is_empty())
    }

    #[test]
    fn words_are_ored() {
        assert_eq!(
            read("eczema probiotics"),
            ("(eczema probiotics)".into(), false)
        );
        assert_eq!(read("eczema"), ("eczema".into(), false));
    }

    #[test]
    fn only_ored_words_in_every_field_are_plain() {
        for plain in ["eczema", "tummy ache after milk", "a (b) c", "x OR y"] {
            assert!(parse(plain).node.is_plain(), "{plain}");
        }
        for not_plain in [
            "\"leaky gut\"",
            "+eczema",
            "acne -probiotics",
            "heading:acne",
            "eczema tag:skin",
            "a AND b",
        ] {
            assert!(!parse(not_plain).node.is_plain(), "{not_plain}");
        }
    }

    #[test]
    fn phrases_must_and_exclude() {
        assert_eq!(
            read("\"leaky gut\" +diet -acne"),
            ("(\"leaky gut\" +diet -acne)".into(), false)
        );
        assert_eq!(read("“leaky gut”"), ("\"leaky gut\"".into(), false));
        assert_eq!(
            read("acne NOT probiotics"),
            ("(acne -probiotics)".into(), false)
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(read("a AND b OR c"), ("((+a +b) c)".into(), false));
        assert_eq!(read("a AND -b"), ("(+a -b)".into(), false));
        assert_eq!(read("(a OR b) AND c"), ("(+(a b) +c)".into(), false));
    }

    #[test]
    fn fields_and_filters() {
        assert_eq!(read("heading:rosacea"), ("heading:rosacea".into(), false));
        assert_eq!(
            read("Title:\"gut health\""),
            ("title:\"gut health\"".into(), false)
        );
        assert_eq!(
            read("heading:(acne eczema)"),
            ("(heading:acne heading:eczema)".into(), false)
        );
        assert_eq!(
            read("acne tag:skin source:corpus/"),
            ("(acne tag=skin source^=corpus/)".into(), false)
        );
    }

    #[test]
    fn hyphens_and_plus_inside_words_are_words() {
        assert_eq!(read("IL-10 CTLA - 4"), ("(IL-10 CTLA 4)".into(), false));
        assert_eq!(read("CD4 + T -"), ("(CD4 T)".into(), false));
    }

    #[test]
    fn unknown_fields_are_words_with_a_note() {
        assert_eq!(read("tips:acne"), ("tips:acne".into(), true));
        assert_eq!(read("http://x.org/a"), ("http://x.org/a".into(), false));
    }

    #[test]
    fn malformed_queries_fall_back_to_words() {
        assert_eq!(read("\"leaky gut"), ("(leaky gut)".into(), true));
        assert_eq!(read("(rosacea OR"), ("rosacea".into(), true));
        assert_eq!(read("acne)"), ("acne".into(), true));
        assert_eq!(read("heading:"), ("heading".into(), true));
        assert_eq!(read("AND"), ("()".into(), true));
        assert_eq!(read("()"), ("()".into(), true));
    }

    #[test]
    fn deep_nesting_does_not_recurse_forever() {
        let deep = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(read(&deep), ("x".into(), true));
    }
}
