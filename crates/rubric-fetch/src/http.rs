//! The HTTP details of fetching that are not the fetch itself: what a
//! `Content-Type` (or a URL's extension, or the body's first bytes) says a
//! page is, `Retry-After`, the back-off between attempts, and finding
//! reqwest's own errors in a chain. Pure functions; the requests are
//! `fetcher`'s.

use std::hash::BuildHasher;
use std::time::{Duration, SystemTime};

use reqwest::header::{self, HeaderMap};
use url::Url;

use crate::Format;

/// What a `Content-Type` (and the URL's extension) says of a page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Type {
    /// A format Rubric ingests, or `None` when neither the type (absent, or
    /// `application/octet-stream`) nor the extension tells: sniffed later.
    Page(Option<Format>),
    /// A type Rubric does not ingest.
    Refused,
}

/// The format a `Content-Type` names, or the URL's extension when the type
/// does not tell.
pub(crate) fn format_of(content_type: Option<&str>, url: &Url) -> Type {
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let by_extension = url
        .path()
        .rsplit_once('.')
        .and_then(|(_, ext)| Format::from_extension(ext))
        .filter(|f| *f != Format::Jsonl);
    match mime.as_str() {
        "text/html" | "application/xhtml+xml" => Type::Page(Some(Format::Html)),
        "text/markdown" | "text/x-markdown" => Type::Page(Some(Format::Markdown)),
        "text/plain" if by_extension == Some(Format::Markdown) => {
            Type::Page(Some(Format::Markdown))
        }
        "text/plain" => Type::Page(Some(Format::Text)),
        "" | "application/octet-stream" => Type::Page(by_extension),
        _ => Type::Refused,
    }
}

/// HTML when the body starts like markup, else plain text.
pub(crate) fn sniff(bytes: &[u8]) -> Format {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let head = bytes[start..bytes.len().min(start + 512)].to_ascii_lowercase();
    if head.starts_with(b"<!doctype html")
        || head.starts_with(b"<html")
        || head.starts_with(b"<head")
    {
        Format::Html
    } else {
        Format::Text
    }
}

pub(crate) fn text_header(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = text_header(headers, header::RETRY_AFTER)?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(&value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// `base * 2^attempt`, times a random factor in [0.5, 1.5).
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
    let factor = 0.5 + (random >> 11) as f64 / (1u64 << 53) as f64;
    base.saturating_mul(1u32 << attempt.min(16)).mul_f64(factor)
}

pub(crate) fn find_cause<'e, T: std::error::Error + 'static>(
    e: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(t) = c.downcast_ref::<T>() {
            return Some(t);
        }
        cause = c.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ct: Option<&str>, url: &str) -> Type {
        format_of(ct, &Url::parse(url).unwrap())
    }

    #[test]
    fn content_types() {
        assert_eq!(
            kind(Some("text/html; charset=utf-8"), "http://e/a"),
            Type::Page(Some(Format::Html))
        );
        assert_eq!(
            kind(Some("text/plain"), "http://e/a.md"),
            Type::Page(Some(Format::Markdown))
        );
        assert_eq!(
            kind(Some("text/markdown"), "http://e/a"),
            Type::Page(Some(Format::Markdown))
        );
        assert_eq!(kind(None, "http://e/a.txt"), Type::Page(Some(Format::Text)));
        assert_eq!(kind(None, "http://e/a"), Type::Page(None));
        assert_eq!(
            kind(Some("application/pdf"), "http://e/a.html"),
            Type::Refused
        );
        assert_eq!(kind(Some("application/json"), "http://e/a"), Type::Refused);
        assert_eq!(kind(Some("image/png"), "http://e/a"), Type::Refused);
    }

    #[test]
    fn sniffing_and_retry_after() {
        assert_eq!(sniff(b"  <!DOCTYPE html><p>x"), Format::Html);
        assert_eq!(sniff(b"just words"), Format::Text);
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }

    #[test]
    fn backoff_grows_with_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 0..4 {
            let d = backoff(base, attempt);
            let nominal = base * (1 << attempt);
            assert!(
                d >= nominal / 2 && d < nominal * 3 / 2,
                "{d:?} for attempt {attempt}"
            );
        }
    }
}
