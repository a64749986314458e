//! The query string: decoding it into [`Params`], and turning the params of
//! a route into what it runs with, every value checked (known names, each
//! at most once, numbers in range, flags, lengths) before any work.
//!
//! It does not answer requests: a handler gets the checked request or the
//! message for its 400.

use rubric_index::SearchRequest;

use super::{Limits, shorten};

/// A `/search` request's parameters, checked, as the index's request.
pub(super) fn search_request(params: &Params, limits: &Limits) -> Result<SearchRequest, String> {
    params.only(&["q", "limit", "offset", "group", "filter", "snippet"])?;
    let q = params
        .one("q")?
        .ok_or("give a query: /search?q=words")?
        .to_string();
    if q.trim().is_empty() {
        return Err("the query is empty: give at least one word".into());
    }
    if q.chars().count() > limits.query_chars {
        return Err(format!(
            "the query is longer than {} characters",
            limits.query_chars
        ));
    }
    let limit = params.number("limit", 1, limits.max_limit)?.unwrap_or(10);
    let offset = params.number("offset", 0, limits.max_offset)?.unwrap_or(0);
    let snippet_chars = params
        .number("snippet", 20, 2_000)?
        .unwrap_or(rubric_index::DEFAULT_SNIPPET_CHARS);
    let group = params.flag("group")?;
    let filters: Vec<String> = params.all("filter").map(str::to_string).collect();
    if filters.len() > limits.max_filters {
        return Err(format!("at most {} filters", limits.max_filters));
    }
    if let Some(long) = filters.iter().find(|f| f.chars().count() > 200) {
        return Err(format!(
            "the filter {:?} is longer than 200 characters",
            shorten(long, 40)
        ));
    }
    if filters.iter().any(|f| f.trim().is_empty()) {
        return Err("a filter is empty".into());
    }
    Ok(SearchRequest {
        limit,
        offset,
        group,
        filters,
        snippet_chars,
        ..SearchRequest::new(q)
    })
}

/// The decoded query string: each name with its values, in order.
#[derive(Debug, Default)]
pub(super) struct Params(Vec<(String, String)>);

/// Query strings longer than this are refused (hyper's head limit is the
/// outer bound; this one keeps parameter lists short).
const MAX_PARAMS: usize = 32;

pub(super) fn parse_params(query: &str) -> Result<Params, String> {
    let mut out = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        if out.len() == MAX_PARAMS {
            return Err(format!("more than {MAX_PARAMS} parameters"));
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name, true)?;
        let value = percent_decode(value, true).map_err(|e| format!("parameter {name}: {e}"))?;
        out.push((name, value));
    }
    Ok(Params(out))
}

impl Params {
    /// Refuses a parameter not in `known`.
    pub(super) fn only(&self, known: &[&str]) -> Result<(), String> {
        match self
            .0
            .iter()
            .find(|(name, _)| !known.contains(&name.as_str()))
        {
            None => Ok(()),
            Some((name, _)) if known.is_empty() => Err(format!(
                "unknown parameter {:?}: this takes none",
                shorten(name, 40)
            )),
            Some((name, _)) => Err(format!(
                "unknown parameter {:?}: expected one of {}",
                shorten(name, 40),
                known.join(", ")
            )),
        }
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter given at most once.
    pub(super) fn one<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, String> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(format!("{name} is given more than once"));
        }
        Ok(first)
    }

    /// A whole number in `min..=max`.
    fn number(&self, name: &str, min: usize, max: usize) -> Result<Option<usize>, String> {
        let Some(value) = self.one(name)? else {
            return Ok(None);
        };
        let bad = || {
            format!(
                "{name} must be a whole number from {min} to {max}, not {:?}",
                shorten(value, 20)
            )
        };
        let n: usize = value.trim().parse().map_err(|_| bad())?;
        if n < min || n > max {
            return Err(bad());
        }
        Ok(Some(n))
    }

    /// `1`/`true`/`yes`/empty (present) or `0`/`false`/`no`; absent is false.
    pub(super) fn flag(&self, name: &str) -> Result<bool, String> {
        match self.one(name)? {
            None => Ok(false),
            Some("" | "1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(format!(
                "{name} must be 1 or 0 (true or false), not {:?}",
                shorten(other, 20)
            )),
        }
    }
}

/// Decodes `%XX` escapes (and `+` as a space in a query string); the result
/// must be UTF-8.
pub(super) fn percent_decode(s: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("a % is not followed by two hex digits")?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "not valid UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        parse_params(q).expect("parses")
    }

    fn request(q: &str) -> Result<SearchRequest, String> {
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
}
