//! The sitemap reader (XML, sitemap indexes, gzip), bytes in: never panics,
//! and every entry it gives resolves against the sitemap's URL or is an
//! error naming it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric_fetch::sitemap::{SitemapDoc, parse_sitemap};

fuzz_target!(|data: &[u8]| {
    const URL: &str = "https://example.org/sitemap.xml";
    let base = rubric_fetch::normalize(URL).expect("base URL");
    match parse_sitemap(URL, data) {
        Ok(SitemapDoc::Pages(entries) | SitemapDoc::Index(entries)) => {
            for entry in entries {
                if let Ok(url) = rubric_fetch::resolve(&base, &entry.loc) {
                    assert!(url.scheme() == "http" || url.scheme() == "https");
                    assert!(url.fragment().is_none(), "{url}");
                }
            }
        }
        Err(e) => assert!(e.to_string().contains(URL), "{e}"),
    }
});
