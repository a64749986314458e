//! `search --serve`'s request target, `PATH?QUERY`, read as the server
//! reads it: the query string by `parse_params`, then checked as a
//! `/search` request and, when the path is `/articles/{id}`, as an article
//! request. The server is a binary, not a library, so its two modules that
//! do this (`crates/cli/search/serve/params.rs` and `limits.rs`) are
//! compiled here as they are. Beyond "no panic":
//!
//! - every refusal has a message (the 400's `error`);
//! - a `/search` request that passes is within the limits: a query of
//!   1..=2,000 characters that is not blank, limit 1..=100, offset at most
//!   10,000, snippet 20..=2,000, at most 8 filters of 1..=200 characters,
//!   a language that is a tag's primary subtag;
//!   one that names a parameter `/search` does not take is refused; and it
//!   round-trips: its values written back as a query string
//!   (`form_urlencoded`) give the same request;
//! - an article id that passes is not empty, at most 2,048 bytes, and comes
//!   back the same when percent-encoded again, and (for an id that is not
//!   a web address) from the escaped form a hit id holds
//!   (`rubric_core::text::escape_id`): a client can always ask for an
//!   article it was given.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/cli/search/serve"]
#[allow(dead_code)]
mod serve {
    #[path = "limits.rs"]
    mod limits;
    #[path = "params.rs"]
    mod params;

    use limits::{Limits, shorten};

    const SEARCH_TAKES: [&str; 7] = ["q", "limit", "offset", "group", "filter", "snippet", "lang"];

    pub fn check(target: &str) {
        let limits = Limits::default();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let params = match params::parse_params(query) {
            Ok(params) => params,
            Err(err) => {
                assert!(!err.to_string().is_empty());
                return;
            }
        };
        search(query, &params, &limits);
        if let Some(raw_id) = path.strip_prefix("/articles/") {
            article(raw_id, &params, &limits);
        }
    }

    fn search(query: &str, params: &params::Params, limits: &Limits) {
        let request = match params::search_request(params, limits) {
            Ok(request) => request,
            Err(err) => {
                assert!(!err.to_string().is_empty());
                return;
            }
        };
        let unknown = form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| !SEARCH_TAKES.contains(&name.as_ref()));
        assert!(unknown.is_none(), "{unknown:?} was taken by /search");
        let chars = request.query.chars().count();
        assert!(!request.query.trim().is_empty() && chars <= limits.query_chars);
        assert!(
            (1..=limits.max_limit).contains(&request.limit),
            "{}",
            request.limit
        );
        assert!(request.offset <= limits.max_offset);
        assert!((20..=2_000).contains(&request.snippet_chars));
        assert!(request.filters.len() <= limits.max_filters);
        for filter in &request.filters {
            let n = filter.chars().count();
            assert!(n <= 200 && !filter.trim().is_empty(), "{filter:?}");
        }
        // Written back, the same request.
        let mut again = form_urlencoded::Serializer::new(String::new());
        again.append_pair("q", &request.query);
        again.append_pair("limit", &request.limit.to_string());
        again.append_pair("offset", &request.offset.to_string());
        again.append_pair("snippet", &request.snippet_chars.to_string());
        again.append_pair("group", if request.group { "1" } else { "0" });
        for filter in &request.filters {
            again.append_pair("filter", filter);
        }
        if let Some(language) = &request.language {
            again.append_pair("lang", language);
        }
        let again = again.finish();
        let reparsed = params::parse_params(&again)
            .and_then(|p| params::search_request(&p, limits))
            .unwrap_or_else(|e| panic!("{again:?} refused: {e}"));
        assert_eq!(reparsed.query, request.query);
        assert_eq!(
            (
                reparsed.limit,
                reparsed.offset,
                reparsed.snippet_chars,
                reparsed.group
            ),
            (
                request.limit,
                request.offset,
                request.snippet_chars,
                request.group
            )
        );
        assert_eq!(reparsed.filters, request.filters);
        assert_eq!(reparsed.language, request.language);
    }

    fn article(raw_id: &str, params: &params::Params, limits: &Limits) {
        let request = match params::article_request(raw_id, params, limits) {
            Ok(request) => request,
            Err(err) => {
                assert!(!err.to_string().is_empty());
                return;
            }
        };
        let id = &request.id;
        assert!(
            !id.is_empty() && id.len() <= limits.id_bytes,
            "{}",
            shorten(id, 40)
        );
        let none = params::parse_params("").expect("no parameters");
        let encoded = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
        // Three bytes an escape: the server allows that much before
        // decoding, so every id it accepts can be asked for encoded.
        let again = params::article_request(&encoded, &none, limits)
            .unwrap_or_else(|e| panic!("{encoded:?} refused: {e}"));
        assert_eq!(&again.id, id);
        let url = id.starts_with("http://") || id.starts_with("https://");
        if !url {
            let escaped = rubric_core::text::escape_id(id);
            let again = params::article_request(&escaped, &none, limits)
                .unwrap_or_else(|e| panic!("{escaped:?} refused: {e}"));
            assert_eq!(&again.id, id, "from the hit id's {escaped:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(target) = std::str::from_utf8(data) {
        serve::check(target);
    }
});
