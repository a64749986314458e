//! The query string and the path's article id: decoding them, and turning
//! the parameters of a route into what it runs with, every value checked
//! (known names, each at most once, numbers in range, flags, lengths)
//! before any work. What is wrong is a [`ParamError`], whose message is the
//! 400's `error`.
//!
//! It does not answer requests: [`super::http`] turns a [`ParamError`] into
//! the 400, in one place.

use rubric_index::SearchRequest;

use super::{Limits, shorten};

/// Why a request's parameters were refused. The message is the `error` of
/// the 400 the client gets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum ParamError {
    #[error("more than {MAX_PARAMS} parameters")]
    TooMany,
    /// A parameter's name is badly encoded.
    #[error("{0}")]
    Name(Encoding),
    /// A parameter's value is badly encoded.
    #[error("parameter {name}: {source}")]
    Value { name: String, source: Encoding },
    #[error("unknown parameter {name:?}: this takes none")]
    TakesNone { name: String },
    #[error("unknown parameter {name:?}: expected one of {known}")]
    Unknown { name: String, known: String },
    #[error("{name} is given more than once")]
    Repeated { name: String },
    #[error("{name} must be a whole number from {min} to {max}, not {value:?}")]
    NotANumber {
        name: String,
        min: usize,
        max: usize,
        value: String,
    },
    #[error("{name} must be 1 or 0 (true or false), not {value:?}")]
    NotAFlag { name: String, value: String },
    #[error("give a query: /search?q=words")]
    NoQuery,
    #[error("the query is empty: give at least one word")]
    EmptyQuery,
    #[error("the query is longer than {max} characters")]
    LongQuery { max: usize },
    #[error("at most {max} filters")]
    TooManyFilters { max: usize },
    #[error("the filter {filter:?} is longer than 200 characters")]
    LongFilter { filter: String },
    #[error("a filter is empty")]
    EmptyFilter,
    #[error("give an article id: /articles/{{id}}")]
    NoArticleId,
    #[error("the article id is too long")]
    LongArticleId,
    #[error("article id: {0}")]
    ArticleId(Encoding),
    #[error("format must be json or html, not {value:?}")]
    Format { value: String },
    #[error("lang must be a language tag such as en, de or pt-BR, not {value:?}")]
    Language { value: String },
}

/// How a percent-encoded part of the request is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum Encoding {
    #[error("a % is not followed by two hex digits")]
    BadEscape,
    #[error("not valid UTF-8")]
    NotUtf8,
}

/// A `/search` request's parameters, checked, as the index's request.
pub(super) fn search_request(
    params: &Params,
    limits: &Limits,
) -> Result<SearchRequest, ParamError> {
    params.only(&["q", "limit", "offset", "group", "filter", "snippet", "lang"])?;
    let q = params.one("q")?.ok_or(ParamError::NoQuery)?.to_string();
    if q.trim().is_empty() {
        return Err(ParamError::EmptyQuery);
    }
    if q.chars().count() > limits.query_chars {
        return Err(ParamError::LongQuery {
            max: limits.query_chars,
        });
    }
    let limit = params.number("limit", 1, limits.max_limit)?.unwrap_or(10);
    let offset = params.number("offset", 0, limits.max_offset)?.unwrap_or(0);
    let snippet_chars = params
        .number("snippet", 20, 2_000)?
        .unwrap_or(rubric_index::DEFAULT_SNIPPET_CHARS);
    let group = params.flag("group")?;
    let filters: Vec<String> = params.all("filter").map(str::to_string).collect();
    if filters.len() > limits.max_filters {
        return Err(ParamError::TooManyFilters {
            max: limits.max_filters,
        });
    }
    if let Some(long) = filters.iter().find(|f| f.chars().count() > 200) {
        return Err(ParamError::LongFilter {
            filter: shorten(long, 40),
        });
    }
    if filters.iter().any(|f| f.trim().is_empty()) {
        return Err(ParamError::EmptyFilter);
    }
    let language = params
        .one("lang")?
        .map(|value| {
            parse_language(value).map_err(|_| ParamError::Language {
                value: shorten(value, 40),
            })
        })
        .transpose()?;
    Ok(SearchRequest {
        limit,
        offset,
        group,
        filters,
        snippet_chars,
        language,
        ..SearchRequest::new(q)
    })
}

/// A language tag (`de`, `pt-BR`): its primary subtag must be two or three
/// letters (`search --lang` and `lang=`).
pub(crate) fn parse_language(tag: &str) -> Result<String, String> {
    let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
    if (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(primary.to_ascii_lowercase())
    } else {
        Err(format!(
            "{tag:?} is not a language tag (such as en, de or pt-BR)"
        ))
    }
}

/// What `/articles/{id}` was asked for.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ArticleRequest {
    /// The article id, decoded.
    pub id: String,
    /// `?text=1`: each section's text in the outline.
    pub text: bool,
    /// `?format=html`: the readable page instead of JSON.
    pub html: bool,
}

/// An `/articles/{id}` request, checked: `raw_id` is the rest of the path,
/// percent-decoded (so `guides/a.md` and `guides%2Fa.md` are the same
/// article).
pub(super) fn article_request(
    raw_id: &str,
    params: &Params,
    limits: &Limits,
) -> Result<ArticleRequest, ParamError> {
    if raw_id.len() > limits.id_bytes * 3 {
        return Err(ParamError::LongArticleId);
    }
    let id = decode_path(raw_id).map_err(ParamError::ArticleId)?;
    if id.is_empty() {
        return Err(ParamError::NoArticleId);
    }
    if id.len() > limits.id_bytes {
        return Err(ParamError::LongArticleId);
    }
    params.only(&["text", "format"])?;
    let text = params.flag("text")?;
    let html = match params.one("format")? {
        None | Some("json") => false,
        Some("html") => true,
        Some(other) => {
            return Err(ParamError::Format {
                value: shorten(other, 20),
            });
        }
    };
    Ok(ArticleRequest { id, text, html })
}

/// The decoded query string: each name with its values, in order.
#[derive(Debug, Default)]
pub(super) struct Params(Vec<(String, String)>);

/// Query strings longer than this are refused (hyper's head limit is the
/// outer bound; this one keeps parameter lists short).
const MAX_PARAMS: usize = 32;

/// Decodes a query string (`application/x-www-form-urlencoded`: `+` is a
/// space). `form_urlencoded` decodes leniently, keeping a bad escape as
/// typed and turning bytes that are not UTF-8 into U+FFFD; a client's typo
/// should be a 400 that says what is wrong, not a search for something
/// else, so each part is checked first.
pub(super) fn parse_params(query: &str) -> Result<Params, ParamError> {
    let mut out = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        if out.len() == MAX_PARAMS {
            return Err(ParamError::TooMany);
        }
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        check_encoding(raw_name).map_err(ParamError::Name)?;
        let Some((name, value)) = form_urlencoded::parse(pair.as_bytes()).next() else {
            continue;
        };
        check_encoding(raw_value).map_err(|source| ParamError::Value {
            name: name.to_string(),
            source,
        })?;
        out.push((name.into_owned(), value.into_owned()));
    }
    Ok(Params(out))
}

/// A path segment percent-decoded (`+` is a plus), strictly.
fn decode_path(raw: &str) -> Result<String, Encoding> {
    check_encoding(raw)?;
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8();
    Ok(decoded.map_err(|_| Encoding::NotUtf8)?.into_owned())
}

/// Checks that every `%` starts an escape and that the decoded bytes are
/// UTF-8.
fn check_encoding(raw: &str) -> Result<(), Encoding> {
    let bytes = raw.as_bytes();
    for (at, _) in raw.match_indices('%') {
        let escape = bytes.get(at + 1..at + 3);
        if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
            return Err(Encoding::BadEscape);
        }
    }
    match percent_encoding::percent_decode_str(raw).decode_utf8() {
        Ok(_) => Ok(()),
        Err(_) => Err(Encoding::NotUtf8),
    }
}

impl Params {
    /// Refuses a parameter not in `known`.
    pub(super) fn only(&self, known: &[&str]) -> Result<(), ParamError> {
        let Some((name, _)) = self
            .0
            .iter()
            .find(|(name, _)| !known.contains(&name.as_str()))
        else {
            return Ok(());
        };
        let name = shorten(name, 40);
        Err(if known.is_empty() {
            ParamError::TakesNone { name }
        } else {
            ParamError::Unknown {
                name,
                known: known.join(", "),
            }
        })
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter given at most once.
    fn one<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, ParamError> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(ParamError::Repeated { name: name.into() });
        }
        Ok(first)
    }

    /// A whole number in `min..=max`.
    fn number(&self, name: &str, min: usize, max: usize) -> Result<Option<usize>, ParamError> {
        let Some(value) = self.one(name)? else {
            return Ok(None);
        };
        let bad = || ParamError::NotANumber {
            name: name.into(),
            min,
            max,
            value: shorten(value, 20),
        };
        let n: usize = value.trim().parse().map_err(|_| bad())?;
        if n < min || n > max {
            return Err(bad());
        }
        Ok(Some(n))
    }

    /// `1`/`true`/`yes`/empty (present) or `0`/`false`/`no`; absent is false.
    fn flag(&self, name: &str) -> Result<bool, ParamError> {
        match self.one(name)? {
            None => Ok(false),
            Some("" | "1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(ParamError::NotAFlag {
                name: name.into(),
                value: shorten(other, 20),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        parse_params(q).expect("parses")
    }

    fn request(q: &str) -> Result<SearchRequest, ParamError> {
        search_request(&params(q), &Limits::default())
    }

    #[test]
    fn query_strings_decode_plus_and_percent() {
        let p = params("q=eczema+probiotics&filter=tag%3Askin&group");
        assert_eq!(p.one("q"), Ok(Some("eczema probiotics")));
        assert_eq!(p.one("filter"), Ok(Some("tag:skin")));
        assert_eq!(p.flag("group"), Ok(true));
        assert!(parse_params("q=%zz").is_err());
        assert!(parse_params("q=%ff%fe").is_err());
        assert!(parse_params("q=%4").is_err());
    }

    #[test]
    fn search_parameters_are_checked_before_searching() {
        let r = request("q=acne&limit=5&offset=10&group=1").expect("valid");
        assert_eq!((r.limit, r.offset, r.group), (5, 10, true));
        for bad in [
            "",
            "q=",
            "q=+++",
            "q=a&q=b",
            "q=a&limit=0",
            "q=a&limit=101",
            "q=a&limit=-1",
            "q=a&limit=ten",
            "q=a&offset=99999999999999999999999",
            "q=a&group=maybe",
            "q=a&sort=date",
            "q=a&snippet=5",
            "q=a&filter=",
        ] {
            assert!(request(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("q={}", "a".repeat(rubric_index::MAX_QUERY_CHARS + 1));
        assert!(request(&long).is_err());
    }

    /// Each 400 says what it said when these errors were strings.
    #[test]
    fn messages_are_the_400_bodies() {
        let limits = Limits::default();
        let search = |q: &str| parse_params(q).and_then(|p| search_request(&p, &limits));
        for (query, message) in [
            (
                "q=%zz",
                "parameter q: a % is not followed by two hex digits",
            ),
            ("q=%ff", "parameter q: not valid UTF-8"),
            ("%4=1", "a % is not followed by two hex digits"),
            ("q=a&q=b", "q is given more than once"),
            ("", "give a query: /search?q=words"),
            ("q=+", "the query is empty: give at least one word"),
            ("q=a&filter=", "a filter is empty"),
            (
                "q=a&limit=ten",
                "limit must be a whole number from 1 to 100, not \"ten\"",
            ),
            (
                "q=a&group=maybe",
                "group must be 1 or 0 (true or false), not \"maybe\"",
            ),
            (
                "q=a&sort=date",
                "unknown parameter \"sort\": expected one of q, limit, offset, group, filter, snippet, lang",
            ),
            (
                "q=a&filter=a&filter=a&filter=a&filter=a&filter=a&filter=a&filter=a&filter=a&filter=a",
                "at most 8 filters",
            ),
        ] {
            assert_eq!(search(query).unwrap_err().to_string(), message, "{query}");
        }
        let long = format!("q={}", "a".repeat(2_001));
        assert_eq!(
            search(&long).unwrap_err().to_string(),
            "the query is longer than 2000 characters"
        );
        let long = format!("q=a&filter={}", "f".repeat(201));
        assert_eq!(
            search(&long).unwrap_err().to_string(),
            format!(
                "the filter \"{}…\" is longer than 200 characters",
                "f".repeat(40)
            )
        );
        let many = "a=1&".repeat(33);
        assert_eq!(
            parse_params(&many).unwrap_err().to_string(),
            "more than 32 parameters"
        );
        assert_eq!(
            params("x=1").only(&[]).unwrap_err().to_string(),
            "unknown parameter \"x\": this takes none"
        );
    }

    #[test]
    fn the_strict_checks_refuse_nothing_well_formed() {
        let p = params("q=%EF%BF%BD+caf%c3%a9&filter=a%2Bb%25&x%3D=%26");
        assert_eq!(p.one("q"), Ok(Some("\u{FFFD} café")));
        assert_eq!(p.one("filter"), Ok(Some("a+b%")));
        assert_eq!(p.one("x="), Ok(Some("&")));
    }

    fn article(path: &str, q: &str) -> Result<ArticleRequest, ParamError> {
        article_request(path, &params(q), &Limits::default())
    }

    #[test]
    fn article_ids_are_percent_decoded_strictly() {
        for (raw, id) in [
            ("guides/sleep.md", "guides/sleep.md"),
            ("guides%2Fsleep.md", "guides/sleep.md"),
            ("a+b%20c", "a+b c"),
            ("caf%C3%A9", "café"),
        ] {
            assert_eq!(article(raw, "").expect(raw).id, id);
        }
        for (raw, message) in [
            ("", "give an article id: /articles/{id}"),
            ("%zz", "article id: a % is not followed by two hex digits"),
            ("a%4", "article id: a % is not followed by two hex digits"),
            ("a%ff", "article id: not valid UTF-8"),
        ] {
            assert_eq!(article(raw, "").unwrap_err().to_string(), message, "{raw}");
        }
        let long = "a".repeat(2_049);
        assert_eq!(
            article(&long, "").unwrap_err().to_string(),
            "the article id is too long"
        );
        let r = article("a", "text=1&format=html").expect("valid");
        assert!(r.text && r.html);
        assert_eq!(
            article("a", "format=xml").unwrap_err().to_string(),
            "format must be json or html, not \"xml\""
        );
    }
}
