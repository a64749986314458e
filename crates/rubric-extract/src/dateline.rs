//! Lines that say who wrote an article and when, rather than what it says:
//! bylines ("By Jane Doe", "BY: Jane Doe, RD") and datelines ("Posted: Fri
//! 6:45 PM, Feb 16, 2018", "Updated 18 Nov 2019, 19:11", "13 hours ago").
//!
//! These are pure predicates over one line, by shape: a date (a month name
//! next to a number, a numeric date such as `2019-11-20` or `20.11.2019`, or
//! "N hours ago") in a short line that is not a sentence, or a short line
//! that opens with "by" and a capitalised name. The HTML extractor drops such
//! lines from the text; the plain-text extractor never takes them for
//! headings. They do not decide anything about their neighbours.

use rubric_core::text::bare_word;

/// Most words a dateline or byline may have; longer lines are prose.
const MAX_WORDS: usize = 12;
/// Most words of the name part of a byline ("By Jane Doe and John Roe").
const MAX_BYLINE_WORDS: usize = 8;

/// Month names and their abbreviations (English), lower-case.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Units of a relative time ("3 hours ago").
const UNITS: &[&str] = &[
    "second", "seconds", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day",
    "days", "week", "weeks", "month", "months", "year", "years",
];

/// True for a short line that holds a date and is not a sentence:
/// "November 12, 2018", "Posted: Fri 6:45 PM, Feb 16, 2018 |",
/// "- 18 Nov 2019, 19:09", "First Published on Nov 20, 2019 01:38 pm".
pub(crate) fn is_dateline(line: &str) -> bool {
    // Every date shape has a digit; and count no further than one word past
    // the limit: most lines are prose.
    if !line.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let count = line.split_whitespace().take(MAX_WORDS + 1).count();
    if count == 0 || count > MAX_WORDS || ends_sentence(line) {
        return false;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    has_date(&words)
}

/// True for a short byline: "By Jane Doe", "BY: Ilana Muhlstein, MS, RDN",
/// "by Regan September 15, 2014". "By the way" and "By 2030" are not.
pub(crate) fn is_byline(line: &str) -> bool {
    let line = line.trim_start_matches(['-', '|', '\u{2022}', ' ']);
    let Some(rest) = line
        .get(..3)
        .filter(|by| by.eq_ignore_ascii_case("by ") || by.eq_ignore_ascii_case("by:"))
        .map(|_| line[3..].trim_start_matches([':', ' ']))
    else {
        return false;
    };
    let words = rest.split_whitespace().count();
    (1..=MAX_BYLINE_WORDS).contains(&words)
        && rest.chars().next().is_some_and(char::is_uppercase)
        && !ends_sentence(rest)
}

/// True when the line ends a sentence: a full stop after a word that is not
/// an abbreviation of one or two letters, or `!` / `?`.
fn ends_sentence(line: &str) -> bool {
    let line = line.trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', ')']);
    if line.ends_with(['!', '?']) {
        return true;
    }
    let Some(stem) = line.strip_suffix('.') else {
        return false;
    };
    let last = stem
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    last.chars().count() > 3 || last.is_empty()
}

fn is_number(word: &str, max_digits: usize) -> bool {
    let w = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !w.is_empty() && w.len() <= max_digits && w.bytes().all(|b| b.is_ascii_digit())
}

/// A month name with a day or year next to it, a numeric date, or a
/// relative time. A word may hold two glued parts ("Nov.November").
fn has_date(words: &[&str]) -> bool {
    let bares: Vec<String> = words.iter().map(|w| bare_word(w)).collect();
    let month = |w: &str| {
        MONTHS.contains(&w)
            || w.split(|c: char| !c.is_alphabetic())
                .any(|part| MONTHS.contains(&part) && part.len() > 3)
    };
    let number = |i: usize| bares.get(i).is_some_and(|w| is_number(w, 4));
    bares.iter().enumerate().any(|(i, w)| {
        let near_number = number(i + 1) || (i > 0 && number(i - 1));
        (month(w) && near_number)
            || numeric_date(words[i])
            || (is_number(w, 3)
                && bares
                    .get(i + 1)
                    .is_some_and(|u| UNITS.contains(&u.as_str()))
                && bares.get(i + 2).is_some_and(|a| a == "ago"))
    })
}

/// `2019-11-20`, `20.11.2019`, `11/20/19`: three numbers with one separator,
/// at least two of them short (a dotted one needs a four-digit year).
fn numeric_date(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_ascii_digit());
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = word.split(sep).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            && parts.iter().filter(|p| p.len() <= 2).count() >= 2
            // "2.1.3" is a version; a dotted date names its year.
            && (sep != '.' || parts.iter().any(|p| p.len() == 4))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines() {
        assert!(is_dateline("November 12, 2018"));
        assert!(is_dateline("Posted: Fri 6:45 PM, Feb 16, 2018 |"));
        assert!(is_dateline("- 18 Nov 2019, 19:09"));
        assert!(is_dateline("Updated: 2019-11-20 08:00"));
        assert!(is_dateline("Reuters 20.11.2019"));
        assert!(is_dateline("13 hours ago"));
        assert!(is_dateline("Nov.November 18, 2019 12:02 PM"));
    }

    #[test]
    fn sentences_and_numbers_are_not_datelines() {
        assert!(!is_dateline("The trial ended on March 3, 2019."));
        assert!(!is_dateline("You may take 2 tablets"));
        assert!(!is_dateline("Version 2.1.3"));
        assert!(!is_dateline("1:45.23 Jane Roe, Wichita"));
        assert!(!is_dateline(
            "On March 3, 2019 the board met again and decided to close the plant for good"
        ));
    }

    #[test]
    fn bylines() {
        assert!(is_byline("By Jane Doe"));
        assert!(is_byline("BY: Ilana Muhlstein, MS, RDN"));
        assert!(is_byline("by Regan September 15, 2014"));
        assert!(is_byline("- By Jane Doe and John Roe"));
        assert!(!is_byline("By the way, it works."));
        assert!(!is_byline("By 2030 most cars will be electric"));
        assert!(!is_byline("Bystanders Said Nothing"));
    }
}
