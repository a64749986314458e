//! Sitemaps (sitemaps.org): a `<urlset>` lists pages, a `<sitemapindex>`
//! lists more sitemaps. This module parses one document (gzipped or not,
//! told by its magic bytes, not by its name or content type); following an
//! index to its children is [`crate::Fetcher::sitemap`]'s job.
//!
//! Parsing is lenient about namespaces (local names count) and strict about
//! the root: anything that is neither `urlset` nor `sitemapindex` is an error.

use std::io::Read;

use crate::FetchError;

/// The most a gzipped sitemap may inflate to (the protocol's own limit is
/// 50 MB uncompressed).
pub const MAX_SITEMAP_BYTES: u64 = 64 * 1024 * 1024;

/// What one sitemap document lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SitemapDoc {
    /// A `<urlset>`: pages.
    Pages(Vec<SitemapEntry>),
    /// A `<sitemapindex>`: more sitemaps.
    Index(Vec<SitemapEntry>),
}

/// One `<url>` or `<sitemap>`: its `<loc>` as written and its `<lastmod>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// The location, as written (trimmed).
    pub loc: String,
    /// The last-modified date, as written (W3C datetime), if any.
    pub lastmod: Option<String>,
}

/// Parses one sitemap document; `url` names it in errors.
pub fn parse_sitemap(url: &str, bytes: &[u8]) -> Result<SitemapDoc, FetchError> {
    let bad = |reason: String| FetchError::Sitemap {
        url: url.to_string(),
        reason,
    };
    let inflated;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .take(MAX_SITEMAP_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| bad(format!("broken gzip stream: {e}")))?;
        if out.len() as u64 > MAX_SITEMAP_BYTES {
            return Err(bad(format!(
                "inflates to more than {MAX_SITEMAP_BYTES} bytes"
            )));
        }
        inflated = out;
        &inflated[..]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let doc = roxmltree::Document::parse(text).map_err(|e| bad(e.to_string()))?;
    let root = doc.root_element();
    let (item, index) = match root.tag_name().name() {
        "urlset" => ("url", false),
        "sitemapindex" => ("sitemap", true),
        other => return Err(bad(format!("the root element is <{other}>"))),
    };
    let entries = root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == item)
        .filter_map(|n| {
            let child = |name: &str| {
                n.children()
                    .find(|c| c.is_element() && c.tag_name().name() == name)
                    .and_then(|c| c.text())
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
            };
            Some(SitemapEntry {
                loc: child("loc")?,
                lastmod: child("lastmod"),
            })
        })
        .collect();
    Ok(if index {
        SitemapDoc::Index(entries)
    } else {
        SitemapDoc::Pages(entries)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc> https://e.org/a?x=1&amp;y=2 </loc><lastmod>2024-05-01</lastmod></url>
  <url><loc>https://e.org/b</loc></url>
  <url><lastmod>2024-01-01</lastmod></url>
</urlset>"#;

    #[test]
    fn a_urlset_lists_pages_with_lastmod() {
        let SitemapDoc::Pages(pages) = parse_sitemap("s", URLSET.as_bytes()).unwrap() else {
            panic!("not pages")
        };
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].loc, "https://e.org/a?x=1&y=2");
        assert_eq!(pages[0].lastmod.as_deref(), Some("2024-05-01"));
        assert_eq!(pages[1].lastmod, None);
    }

    #[test]
    fn an_index_gzipped() {
        let xml = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://e.org/s1.xml.gz</loc></sitemap></sitemapindex>"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(xml.as_bytes()).unwrap();
        let doc = parse_sitemap("s", &gz.finish().unwrap()).unwrap();
        assert_eq!(
            doc,
            SitemapDoc::Index(vec![SitemapEntry {
                loc: "https://e.org/s1.xml.gz".into(),
                lastmod: None
            }])
        );
    }

    #[test]
    fn html_is_not_a_sitemap() {
        let e = parse_sitemap("https://e.org/s.xml", b"<html><body>hi</body></html>").unwrap_err();
        assert!(
            e.to_string().contains("https://e.org/s.xml") && e.to_string().contains("<html>"),
            "{e}"
        );
        assert!(parse_sitemap("s", b"\x1f\x8bnot gzip").is_err());
    }
}
