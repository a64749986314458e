//! The shape of one line of plain text: list item, numbering, sentence end,
//! capitalisation, and whether the line, on its own, could be a heading.
//!
//! These are pure predicates over a single trimmed line. Whether a
//! heading-shaped line really is a heading depends on its neighbours and is
//! decided in the parent module.

use rubric_core::text::bare_word;

/// Longest heading, in characters (questions may run to [`MAX_QUESTION_CHARS`]).
const MAX_HEADING_CHARS: usize = 100;
/// Most words in a heading (questions may run to [`MAX_QUESTION_WORDS`]).
const MAX_HEADING_WORDS: usize = 12;
/// Questions ("What causes X ?") are headings at greater length than statements.
const MAX_QUESTION_CHARS: usize = 120;
/// See [`MAX_QUESTION_CHARS`].
const MAX_QUESTION_WORDS: usize = 20;
/// A heading in sentence case (not Title Case) is kept shorter.
const MAX_SENTENCE_CASE_WORDS: usize = 10;
/// Most words in a closing call-to-action line ("Leave a comment").
const MAX_CALL_TO_ACTION_WORDS: usize = 6;

/// Words that stay lower-case in Title Case: articles, conjunctions and
/// short prepositions (English style guides).
const MINOR_WORDS: &[&str] = &[
    "a", "about", "after", "against", "among", "an", "and", "as", "at", "before", "between", "but",
    "by", "de", "for", "from", "in", "into", "nor", "of", "off", "on", "onto", "or", "over", "per",
    "so", "than", "the", "through", "to", "under", "up", "upon", "versus", "via", "vs", "with",
    "within", "without", "yet",
];

/// Words a lead-in clause ends on ("Common symptoms include", "The signs
/// are"): a line ending on one of them is the start of a sentence, not a title.
const DANGLING_WORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "because",
    "but",
    "by",
    "following",
    "for",
    "from",
    "if",
    "in",
    "include",
    "includes",
    "including",
    "is",
    "like",
    "of",
    "on",
    "or",
    "such",
    "than",
    "that",
    "the",
    "to",
    "was",
    "were",
    "when",
    "which",
    "who",
    "with",
];

/// How a heading line is written; headings of one style are siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// "1. Acne", "2.1 Diet": the number of components is the depth.
    Numbered(u8),
    /// Ends with a question mark.
    Question,
    /// Any other short title line.
    Plain,
}

/// The item of a bulleted list line (`- x`, `* x`, `• x`, `+ x`, `– x`).
pub(super) fn list_item(line: &str) -> Option<&str> {
    let mut chars = line.chars();
    let marker = chars.next()?;
    if !matches!(marker, '-' | '*' | '•' | '+' | '–' | '·' | '▪') {
        return None;
    }
    let rest = chars.as_str();
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(rest.trim_start()).filter(|item| !item.is_empty())
}

/// The numbering of a line ("1. Acne", "2.1 Diet", "3) Bake") as its depth
/// (number of components) and the text after it.
pub(super) fn numbering(line: &str) -> Option<(u8, &str)> {
    let mut depth = 0u8;
    let mut rest = line;
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 3 {
            return None;
        }
        depth += 1;
        rest = &rest[digits..];
        match rest.as_bytes().first() {
            Some(b'.') if rest[1..].starts_with(|c: char| c.is_ascii_digit()) && depth < 4 => {
                rest = &rest[1..];
            }
            Some(b'.' | b')') => {
                rest = &rest[1..];
                break;
            }
            Some(b' ') if depth > 1 => break,
            _ => return None,
        }
    }
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((depth, rest.trim_start())).filter(|(_, text)| !text.is_empty())
}

/// The line without closing quotes and brackets, and without a footnote
/// number stuck to a full stop ("than men.1").
fn without_closers(line: &str) -> &str {
    let line = line.trim_end_matches(['"', '\'', '”', '’', ')', ']', '»']);
    let digits = line.trim_end_matches(|c: char| c.is_ascii_digit());
    if digits.len() < line.len() && digits.ends_with('.') {
        digits
    } else {
        line
    }
}

/// True when the line ends a sentence or a clause (`.`, `!`, `?`, `:`, `;`, `…`).
pub(super) fn ends_clause(line: &str) -> bool {
    without_closers(line).ends_with(['.', '!', '?', ':', ';', '…'])
}

/// True when the line ends with a colon: a lead-in to what follows.
pub(super) fn ends_with_colon(line: &str) -> bool {
    line.trim_end().ends_with(':')
}

/// True when the first letter-or-digit of the line is a lower-case letter.
pub(super) fn starts_lowercase(line: &str) -> bool {
    line.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(char::is_lowercase)
}

/// Words with at least one letter or digit (a lone "?" or "—" is not a word).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
}

/// Title Case: every word that is not a minor word starts with a capital
/// (or a digit), and at least one word does.
pub(super) fn is_title_case(text: &str) -> bool {
    let mut capitals = 0;
    for word in words(text) {
        let Some(first) = word.chars().find(|c| c.is_alphanumeric()) else {
            continue;
        };
        if first.is_uppercase() || first.is_ascii_digit() {
            capitals += 1;
        } else if !MINOR_WORDS.contains(&bare_word(word).as_str()) {
            return false;
        }
    }
    capitals > 0
}

/// True when the text ends on a word that leaves the sentence open.
fn ends_dangling(text: &str) -> bool {
    words(text)
        .last()
        .is_some_and(|w| DANGLING_WORDS.contains(&bare_word(w).as_str()))
}

/// True when a sentence ends inside the text and another begins ("Itching.
/// Antihistamines may help"). Abbreviations such as "Dr. Who", "U.S. Army" or
/// "J. Smith" are not sentence ends.
fn has_sentence_break(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).any(|pair| {
        let (word, next) = (pair[0], pair[1]);
        let next_starts_sentence = next
            .chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(char::is_uppercase);
        if !next_starts_sentence {
            return false;
        }
        if word.ends_with(['!', '?']) {
            return true;
        }
        let Some(stem) = word.strip_suffix('.') else {
            return false;
        };
        let len = stem.chars().count();
        let abbreviation =
            stem.contains('.') || len < 2 || (len <= 3 && stem.starts_with(char::is_uppercase));
        !abbreviation
    })
}

/// More words with letters than bare numbers ("Type 1 and Type 2" is
/// fine, a date such as "March 3, 2024" or a page number is not).
fn mostly_words(text: &str) -> bool {
    let (lettered, numbers) = words(text).fold((0, 0), |(l, n), w| {
        if w.chars().any(char::is_alphabetic) {
            (l + 1, n)
        } else {
            (l, n + 1)
        }
    });
    lettered > 0 && lettered >= numbers
}

/// Every letter is a capital, and there are at least two ("SYMPTOMS").
pub(super) fn is_all_caps(text: &str) -> bool {
    let mut letters = text.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.clone().count() >= 2 && letters.all(char::is_uppercase)
}

/// The first letter or digit is a capital or a digit.
fn starts_capitalised(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// A line that, on its own, could be a heading, and its style: short, no
/// sentence end, capitalised, Title Case or a short plain sentence-case
/// phrase, or a question. List items and URLs never are.
pub(super) fn heading_style(line: &str) -> Option<Style> {
    if list_item(line).is_some()
        || line.contains("://")
        || line.contains(" | ")
        || line.contains('\t')
        || is_caption(line)
        || crate::dateline::is_byline(line)
        || crate::dateline::is_dateline(line)
    {
        return None;
    }
    let (numbered, body) = match numbering(line) {
        Some((depth, rest)) => (Some(depth), rest),
        None => (None, line),
    };
    let question = body.ends_with('?');
    let (max_chars, max_words) = if question {
        (MAX_QUESTION_CHARS, MAX_QUESTION_WORDS)
    } else {
        (MAX_HEADING_CHARS, MAX_HEADING_WORDS)
    };
    let word_count = words(body).count();
    if line.chars().count() > max_chars || word_count == 0 || word_count > max_words {
        return None;
    }
    if !mostly_words(body) {
        return None;
    }
    if !starts_capitalised(body) || has_sentence_break(body) {
        return None;
    }
    if without_closers(body).ends_with(['.', '!', ';', ',', '…']) {
        return None;
    }
    let title_case = is_title_case(body);
    if ends_with_colon(body) && !title_case {
        return None;
    }
    let sentence_case_ok =
        word_count <= MAX_SENTENCE_CASE_WORDS && !body.contains(',') && !ends_dangling(body);
    if !question && !title_case && !sentence_case_ok {
        return None;
    }
    Some(match numbered {
        Some(depth) => Style::Numbered(depth),
        None if question => Style::Question,
        None => Style::Plain,
    })
}

/// Words that open a caption: "Table 1.", "Figure 2:", "Fig. 3".
const CAPTION_WORDS: &[&str] = &[
    "table", "figure", "fig", "chart", "graph", "image", "photo", "plate", "exhibit", "listing",
];

/// A caption: a caption word, a number, and a full stop or colon ("Table 1.
/// Results", "Figure 2: Flow", "Fig. 3 The gut"), not a heading.
pub(super) fn is_caption(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    let label = first.trim_end_matches(['.', ':']).to_lowercase();
    let number = second.trim_end_matches(['.', ':', ')']);
    CAPTION_WORDS.contains(&label.as_str())
        && !number.is_empty()
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c.is_ascii_uppercase())
        && number.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A skip link of a page saved as text ("Skip to content", "Jump to navigation").
pub(super) fn is_skip_link(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.starts_with("skip to ") || lower.starts_with("jump to ")) && words(line).count() <= 5
}

/// Most words of a cookie notice.
const MAX_COOKIE_NOTICE_WORDS: usize = 60;

/// A cookie or consent notice ("We use cookies ... Accept").
pub(super) fn is_cookie_notice(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.contains("cookie")
        && [
            "accept",
            "consent",
            "agree",
            "privacy",
            "continuing",
            "use of",
        ]
        .iter()
        .any(|w| lower.contains(w))
        && words(line).count() <= MAX_COOKIE_NOTICE_WORDS
}

/// A short closing line such as "Leave a comment", "Share this" or "©
/// 2024 Example": a few words, capitalised or starting with a symbol, no
/// sentence end, not a list item.
pub(super) fn looks_like_call_to_action(line: &str) -> bool {
    let word_count = words(line).count();
    let starts_ok = line
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || !c.is_alphanumeric());
    list_item(line).is_none()
        && numbering(line).is_none()
        && (1..=MAX_CALL_TO_ACTION_WORDS).contains(&word_count)
        && starts_ok
        && !without_closers(line).ends_with(['.', '!', '?', ';', ',', '…'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items() {
        assert_eq!(list_item("- Manage stress"), Some("Manage stress"));
        assert_eq!(list_item("• dot"), Some("dot"));
        assert_eq!(list_item("*See the guide"), None);
        assert_eq!(list_item("-5 degrees"), None);
    }

    #[test]
    fn numberings() {
        assert_eq!(numbering("1. Acne"), Some((1, "Acne")));
        assert_eq!(numbering("2.1 Diet"), Some((2, "Diet")));
        assert_eq!(numbering("2.1. Diet"), Some((2, "Diet")));
        assert_eq!(numbering("3) Bake"), Some((1, "Bake")));
        assert_eq!(numbering("3 Ways to Win"), None);
        assert_eq!(numbering("2024. A year"), None);
        assert_eq!(numbering("1.5"), None);
    }

    #[test]
    fn heading_shapes() {
        let style = heading_style;
        assert_eq!(style("Conclusion"), Some(Style::Plain));
        assert_eq!(
            style("2. Eczema (Atopic Dermatitis)"),
            Some(Style::Numbered(1))
        );
        assert_eq!(style("What causes Hemorrhoids ?"), Some(Style::Question));
        assert_eq!(
            style("How to Support Your Gut\u{2014}and Your Skin"),
            Some(Style::Plain)
        );
        assert_eq!(style("At-home Treatments"), Some(Style::Plain));
        assert_eq!(style("Healthy gut, glowing skin."), None);
        assert_eq!(
            style("Common symptoms of lactose intolerance include"),
            None
        );
        assert_eq!(
            style("Damage can be accomplished via three different mechanisms:"),
            None
        );
        assert_eq!(
            style("Osteoporosis. A provider may prescribe medications"),
            None
        );
        assert_eq!(
            style("peripheral: Purine nucleoside phosphorylase deficiency"),
            None
        );
        assert_eq!(style("- Manage stress"), None);
        assert_eq!(style("March 3, 2024"), None);
        assert_eq!(style("42"), None);
        assert_eq!(style("Type 1 and Type 2"), Some(Style::Plain));
        assert!(is_all_caps("SYMPTOMS AND SIGNS") && !is_all_caps("Symptoms") && !is_all_caps("A"));
    }

    #[test]
    fn sentence_ends() {
        assert!(ends_clause("more often than men.1"));
        assert!(ends_clause("He said \u{201c}stop.\u{201d}"));
        assert!(!ends_clause("the last line of a wrapped"));
    }

    #[test]
    fn captions_bylines_dates_and_table_rows_are_not_headings() {
        assert_eq!(heading_style("Table 1. Results of the survey"), None);
        assert_eq!(heading_style("Figure 2: How the gut talks"), None);
        assert_eq!(heading_style("By Jane Doe"), None);
        assert_eq!(heading_style("Tuesday, March 3, 2024"), None);
        assert_eq!(heading_style("Flour | Water"), None);
        assert_eq!(heading_style("Tables and Chairs"), Some(Style::Plain));
    }

    #[test]
    fn skip_links_and_cookie_notices() {
        assert!(is_skip_link("Skip to main content"));
        assert!(!is_skip_link(
            "Skip to the good part of making bread at home today"
        ));
        assert!(is_cookie_notice(
            "We use cookies to improve your experience. By continuing you accept them."
        ));
        assert!(!is_cookie_notice("Bake the cookies for ten minutes."));
    }

    #[test]
    fn calls_to_action() {
        assert!(looks_like_call_to_action("Leave a comment"));
        assert!(looks_like_call_to_action("\u{a9} 2024 Example Ltd"));
        assert!(!looks_like_call_to_action("Healthy gut, glowing skin."));
        assert!(!looks_like_call_to_action(
            "peripheral: Purine nucleoside phosphorylase deficiency"
        ));
    }
}
