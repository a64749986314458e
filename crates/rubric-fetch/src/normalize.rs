//! URL normalisation: what makes two spellings of a page one key (for the
//! HTTP cache, for de-duplication and for article ids). The fragment is
//! dropped, scheme and host are lower-cased, the default port is removed and
//! an empty path becomes `/` (the last three by the `url` crate's WHATWG
//! parsing). Only `http` and `https` are accepted. Queries are kept as they
//! are: their order can matter to the server.

use url::Url;

use crate::FetchError;

/// Parses and normalises an absolute http(s) URL.
///
/// ```
/// let u = rubric_fetch::normalize("HTTP://Example.ORG:80/a/../b?q=1#top").unwrap();
/// assert_eq!(u.as_str(), "http://example.org/b?q=1");
/// ```
pub fn normalize(text: &str) -> Result<Url, FetchError> {
    let url = Url::parse(text.trim()).map_err(|e| FetchError::InvalidUrl {
        url: text.to_string(),
        reason: e.to_string(),
    })?;
    checked(url, text)
}

/// Resolves `href` (as found in a page or a sitemap) against `base` and
/// normalises the result.
pub fn resolve(base: &Url, href: &str) -> Result<Url, FetchError> {
    let url = base.join(href.trim()).map_err(|e| FetchError::InvalidUrl {
        url: href.to_string(),
        reason: e.to_string(),
    })?;
    checked(url, href)
}

fn checked(mut url: Url, text: &str) -> Result<Url, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::InvalidUrl {
            url: text.to_string(),
            reason: format!("scheme {:?}", url.scheme()),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::InvalidUrl {
            url: text.to_string(),
            reason: "no host".into(),
        });
    }
    url.set_fragment(None);
    Ok(url)
}

/// True when `text` looks like a web URL (`http://` or `https://`, any case),
/// which is how `ingest` tells URLs from paths among its arguments.
pub fn is_web_url(text: &str) -> bool {
    let t = text.trim_start().as_bytes();
    t.len() >= 7 && t[..7].eq_ignore_ascii_case(b"http://")
        || t.len() >= 8 && t[..8].eq_ignore_ascii_case(b"https://")
}

/// Reads a URL list: one URL per line; blank lines and lines starting with
/// `#` are ignored, and so is anything after ` #` on a line. Each entry is
/// the line number (from 1) and the normalised URL or why it is not one.
pub fn parse_url_list(text: &str) -> Vec<(usize, String, Result<Url, FetchError>)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.split(" #").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            Some((i + 1, line.to_string(), normalize(line)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        match normalize(s) {
            Ok(u) => u.to_string(),
            Err(e) => format!("error: {}", e.reason()),
        }
    }

    #[test]
    fn normalises_host_port_fragment_and_path() {
        assert_eq!(
            norm("https://EXAMPLE.org:443/x#frag"),
            "https://example.org/x"
        );
        assert_eq!(norm("http://example.org"), "http://example.org/");
        assert_eq!(
            norm("http://example.org:8080/a/./b/../c"),
            "http://example.org:8080/a/c"
        );
        assert_eq!(
            norm("http://example.org/?b=2&a=1"),
            "http://example.org/?b=2&a=1"
        );
    }

    #[test]
    fn refuses_other_schemes_and_relative_urls() {
        assert_eq!(norm("ftp://example.org/x"), "error: invalid URL");
        assert_eq!(norm("/just/a/path"), "error: invalid URL");
        assert_eq!(norm("file:///etc/passwd"), "error: invalid URL");
    }

    #[test]
    fn resolves_relative_links() {
        let base = normalize("https://e.org/blog/post").unwrap();
        assert_eq!(
            resolve(&base, "/canon#x").unwrap().as_str(),
            "https://e.org/canon"
        );
        assert_eq!(
            resolve(&base, "other").unwrap().as_str(),
            "https://e.org/blog/other"
        );
    }

    #[test]
    fn tells_urls_from_paths() {
        assert!(is_web_url("https://e.org"));
        assert!(is_web_url("HTTP://e.org"));
        assert!(!is_web_url("corpus/http.txt"));
        assert!(!is_web_url("http:/x"));
    }

    #[test]
    fn url_lists_skip_comments_and_blank_lines() {
        let list =
            parse_url_list("# pages\n\nhttps://e.org/a  # first\n  https://e.org/b\nnot a url\n");
        let lines: Vec<usize> = list.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert_eq!(list[0].2.as_ref().unwrap().as_str(), "https://e.org/a");
        assert!(list[2].2.is_err());
    }
}
