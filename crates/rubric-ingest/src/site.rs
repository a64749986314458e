//! Where a reader opens an article read from a file: its page on the
//! publisher's site (`--site-url`), the URL its source gives, or the record
//! of a JSON Lines file. This module owns the mapping from a file's path to
//! its page, the way static site servers and generators lay them out:
//!
//! | file (its article id)  | page                          | with `pretty` |
//! |------------------------|-------------------------------|---------------|
//! | `a/b.html`, `a/b.htm`  | `SITE/a/b.html`               | `SITE/a/b/`   |
//! | `a/index.html`         | `SITE/a/`                     | `SITE/a/`     |
//! | `a/b.md`               | `SITE/a/b/` (Hugo, Zola, Jekyll, Docusaurus) | same |
//! | `a/index.md`, `a/_index.md` | `SITE/a/`                | same          |
//! | `a/b.txt`              | `SITE/a/b.txt` (served as it is) | same       |
//!
//! A URL the source gives wins: a Markdown front matter `url` or
//! `permalink` (or a `slug`, which names the page in its folder), or a
//! record's `url`; an absolute one is kept, a relative one is joined to the
//! site URL (without a site URL it is kept as given). A JSON Lines record
//! with no URL opens at `FILE.jsonl#id`: a file of records is no page.
//!
//! The site URL is configuration, not content: it is not part of an
//! article's hash, and the catalog records the one the index was placed
//! under ([`SiteUrl::key`]), so a run with another one re-links the stored
//! sections instead of reading every file again (see `lib.rs`).

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rubric_core::{Article, Format};
use url::Url;

use crate::sources::SourceFile;

/// What a path segment may not hold unescaped in a URL.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The publisher's site: the URL the ingest root is served at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl {
    /// Absolute, ending with `/`.
    base: Url,
    /// `a/b.html` is served as `a/b/`.
    pretty: bool,
}

/// A site URL that is not one.
#[derive(Debug, thiserror::Error)]
#[error("--site-url {given:?} is not an absolute http(s) URL")]
pub struct SiteUrlError {
    given: String,
}

impl SiteUrl {
    /// The site at `url` (an absolute http or https URL; a `/` is added to
    /// its path when it has none), with "pretty" URLs for HTML files or not.
    pub fn new(url: &str, pretty: bool) -> Result<SiteUrl, SiteUrlError> {
        let error = || SiteUrlError {
            given: url.to_string(),
        };
        let mut base = Url::parse(url.trim()).map_err(|_| error())?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(error());
        }
        base.set_query(None);
        base.set_fragment(None);
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(SiteUrl { base, pretty })
    }

    /// How the catalog records it: the URL, and ` (pretty)` after it with
    /// pretty URLs.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// The site a catalog recorded with [`SiteUrl::key`] (`None` for "" or
    /// anything unreadable).
    pub fn from_key(key: &str) -> Option<SiteUrl> {
        match key.strip_suffix(" (pretty)") {
            Some(url) => SiteUrl::new(url, true).ok(),
            None if key.is_empty() => None,
            None => SiteUrl::new(key, false).ok(),
        }
    }

    /// The page of the file whose path under the root is `rel` (its article
    /// id, `/`-separated), as the table of the module says.
    pub fn page(&self, rel: &str) -> String {
        let (dir, name) = match rel.rsplit_once('/') {
            Some((dir, name)) => (Some(dir), name),
            None => (None, rel),
        };
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem, ext.to_ascii_lowercase()),
            _ => (name, String::new()),
        };
        let page = match Format::from_extension(&ext) {
            Some(Format::Html) if stem == "index" => String::new(),
            Some(Format::Html) if self.pretty => format!("{stem}/"),
            Some(Format::Markdown) if matches!(stem, "index" | "_index") => String::new(),
            Some(Format::Markdown) => format!("{stem}/"),
            _ => name.to_string(),
        };
        let path = match dir {
            Some(dir) => format!("{dir}/{page}"),
            None => page,
        };
        self.under(&path)
    }

    /// A URL a source gave: an absolute one as it is, a relative one (with
    /// or without a leading `/`) under the site URL.
    pub fn join(&self, href: &str) -> String {
        if is_absolute(href) {
            return href.to_string();
        }
        self.under(href)
    }

    /// The path `rel` (a leading `/` dropped) under the site URL.
    fn under(&self, rel: &str) -> String {
        let rel = rel.trim_start_matches('/');
        // Each segment escaped, so a `#`, `?` or `:` in a file name stays
        // part of the path; `./` so a first segment is never a scheme.
        let escaped: Vec<String> = rel
            .split('/')
            .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
            .collect();
        match self.base.join(&format!("./{}", escaped.join("/"))) {
            Ok(url) => url.to_string(),
            Err(_) => format!("{}{rel}", self.base),
        }
    }
}

impl fmt::Display for SiteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base.as_str())?;
        if self.pretty {
            f.write_str(" (pretty)")?;
        }
        Ok(())
    }
}

/// True for a URL with a scheme (`https:`, `mailto:`).
fn is_absolute(href: &str) -> bool {
    Url::parse(href).is_ok()
}

/// What a stored article is, for placing it again without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A web page: its URL is its own, whatever the site.
    Page,
    /// A record of the JSON Lines file it came from.
    Record,
    /// A text, Markdown or HTML file.
    File,
}

impl Kind {
    /// The kind of an article read from `source` (a path or a URL).
    pub(crate) fn of(source: &str) -> Kind {
        if rubric_fetch::is_web_url(source) {
            Kind::Page
        } else if Format::from_path(std::path::Path::new(source)) == Some(Format::Jsonl) {
            Kind::Record
        } else {
            Kind::File
        }
    }
}

/// Where a reader opens the article `id` of `kind` read from `source`, whose
/// source gives `own` as its URL, under `site`; `None`: at its source.
pub(crate) fn url_of(
    kind: Kind,
    id: &str,
    source: &str,
    own: Option<&str>,
    site: Option<&SiteUrl>,
) -> Option<String> {
    match (kind, own, site) {
        (Kind::Page, own, _) => own.map(str::to_string),
        (_, Some(own), Some(site)) => Some(site.join(own)),
        (_, Some(own), None) => Some(own.to_string()),
        (Kind::Record, None, _) => Some(format!("{source}#{id}")),
        (Kind::File, None, Some(site)) => Some(site.page(id)),
        (Kind::File, None, None) => None,
    }
}

/// `article`, read from `file`, with the URL a reader opens it at.
pub(crate) fn place(article: Article, file: &SourceFile, site: Option<&SiteUrl>) -> Article {
    let kind = if file.format == Format::Jsonl {
        Kind::Record
    } else {
        Kind::File
    };
    let url = url_of(
        kind,
        article.id(),
        article.source(),
        article.own_url(),
        site,
    );
    if url.as_deref() == article.own_url() {
        return article;
    }
    article.with_url(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(pretty: bool) -> SiteUrl {
        SiteUrl::new("https://example.org/docs", pretty).unwrap()
    }

    #[test]
    fn files_map_to_pages_as_static_sites_serve_them() {
        let plain = site(false);
        let pretty = site(true);
        let cases = [
            (
                "a/b.html",
                "https://example.org/docs/a/b.html",
                "https://example.org/docs/a/b/",
            ),
            (
                "a/index.html",
                "https://example.org/docs/a/",
                "https://example.org/docs/a/",
            ),
            (
                "index.html",
                "https://example.org/docs/",
                "https://example.org/docs/",
            ),
            (
                "b.htm",
                "https://example.org/docs/b.htm",
                "https://example.org/docs/b/",
            ),
            (
                "a/b.md",
                "https://example.org/docs/a/b/",
                "https://example.org/docs/a/b/",
            ),
            (
                "a/_index.md",
                "https://example.org/docs/a/",
                "https://example.org/docs/a/",
            ),
            (
                "notes/x.txt",
                "https://example.org/docs/notes/x.txt",
                "https://example.org/docs/notes/x.txt",
            ),
            (
                "a b/c#1.html",
                "https://example.org/docs/a%20b/c%231.html",
                "https://example.org/docs/a%20b/c%231/",
            ),
            (
                "a:b.html",
                "https://example.org/docs/a:b.html",
                "https://example.org/docs/a:b/",
            ),
        ];
        for (rel, want, want_pretty) in cases {
            assert_eq!(plain.page(rel), want, "{rel}");
            assert_eq!(pretty.page(rel), want_pretty, "{rel} (pretty)");
        }
    }

    #[test]
    fn the_sources_own_url_wins_and_relative_ones_join_the_site() {
        let s = site(false);
        let url = |kind, own| url_of(kind, "a/b.md", "content/a/b.md", own, Some(&s));
        assert_eq!(
            url(Kind::File, None).unwrap(),
            "https://example.org/docs/a/b/"
        );
        assert_eq!(
            url(Kind::File, Some("/blog/x/")).unwrap(),
            "https://example.org/docs/blog/x/"
        );
        assert_eq!(
            url(Kind::File, Some("https://other.org/x")).unwrap(),
            "https://other.org/x"
        );
        let record = |own| url_of(Kind::Record, "r1", "data/c.jsonl", own, None);
        assert_eq!(record(None).unwrap(), "data/c.jsonl#r1");
        assert_eq!(
            record(Some("https://e.org/r1")).unwrap(),
            "https://e.org/r1"
        );
        assert_eq!(url_of(Kind::File, "a.md", "a.md", None, None), None);
        assert_eq!(Kind::of("https://e.org/x"), Kind::Page);
        assert_eq!(Kind::of("data/c.jsonl"), Kind::Record);
        assert_eq!(Kind::of("docs/a.html"), Kind::File);
    }

    #[test]
    fn site_urls_are_checked_and_recorded() {
        assert!(SiteUrl::new("example.org/docs", false).is_err());
        assert!(SiteUrl::new("ftp://example.org/", false).is_err());
        let s = site(true);
        assert_eq!(s.key(), "https://example.org/docs/ (pretty)");
        assert_eq!(SiteUrl::from_key(&s.key()), Some(s));
        assert_eq!(SiteUrl::from_key(""), None);
    }
}
