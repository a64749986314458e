//! What one pass over the parsed page finds, and the title choice.
//!
//! [`Page::read`] collects the `<body>`, the `<main>` and `<article>`
//! candidates, the `<h1>`s, `<title>`, `og:title` and the metadata (tags from
//! `<meta name=keywords>`, the publication date from JSON-LD, metas,
//! microdata and `<time>` (chosen by `published`), the language from `<html
//! lang>`, else a `content-language` or `language` meta) and the article
//! body a JSON-LD article embeds (`articleBody`, for `fallback`);
//! [`Page::title_h1`] picks the `<h1>` that
//! is the title. [`canonical_url`] reads `<link rel=canonical>` for the
//! fetcher. This module does not decide which candidate is the main content
//! (`main_content`) or what a heading becomes in the outline (`walk`).

use rubric_core::Metadata;
use rubric_core::text::collapse;
use scraper::{ElementRef, Html};

use serde_json::Value;

use super::density::Sizes;
use super::json_ld;
use super::published::PublishedDate;

/// The page's `<link rel=canonical href>`, if it has one (for the fetcher,
/// which decides the article URL).
pub fn canonical_url(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    doc.root_element()
        .descendent_elements()
        .filter(|el| el.value().name() == "link")
        .find(|el| {
            el.value().attr("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|el| el.value().attr("href"))
        .map(str::trim)
        .filter(|href| !href.is_empty())
        .map(str::to_string)
}

/// What one pass over the document finds.
#[derive(Debug)]
pub(super) struct Page<'a> {
    pub(super) sizes: &'a Sizes,
    pub(super) html: ElementRef<'a>,
    pub(super) body: Option<ElementRef<'a>>,
    pub(super) mains: Vec<ElementRef<'a>>,
    pub(super) articles: Vec<ElementRef<'a>>,
    pub(super) first_h1: Option<ElementRef<'a>>,
    /// Every `<h1>` with text, in document order.
    pub(super) h1s: Vec<ElementRef<'a>>,
    pub(super) title: Option<String>,
    pub(super) og_title: Option<String>,
    pub(super) metadata: Metadata,
    /// The longest `articleBody` of the page's JSON-LD article, for the
    /// fallback chain.
    pub(super) embedded_body: Option<String>,
    /// The dates met so far; [`Page::read`] sets `metadata.date` from them.
    dates: PublishedDate,
}

impl<'a> Page<'a> {
    pub(super) fn read(doc: &'a Html, sizes: &'a Sizes) -> Page<'a> {
        let html = doc.root_element();
        let mut page = Page {
            sizes,
            html,
            body: None,
            mains: Vec::new(),
            articles: Vec::new(),
            first_h1: None,
            h1s: Vec::new(),
            title: None,
            og_title: None,
            metadata: Metadata {
                language: html
                    .value()
                    .attr("lang")
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
                ..Metadata::default()
            },
            embedded_body: None,
            dates: PublishedDate::default(),
        };
        for el in html.descendent_elements() {
            let v = el.value();
            if v.name() != "meta" {
                page.dates.element(el, sizes);
            }
            match v.name() {
                "body" if page.body.is_none() => page.body = Some(el),
                "main" => page.mains.push(el),
                "article" => page.articles.push(el),
                "h1" if !heading_text(el).is_empty() => {
                    page.first_h1.get_or_insert(el);
                    page.h1s.push(el);
                }
                "title" if page.title.is_none() => {
                    page.title =
                        Some(collapse(&el.text().collect::<String>())).filter(|t| !t.is_empty())
                }
                "meta" => page.meta(v),
                "script"
                    if v.attr("type")
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
                {
                    let text = el.text().collect::<String>();
                    json_ld::things(&text, &mut |thing, article| {
                        page.dates.json_ld(thing, article);
                        if let Some(Value::String(body)) = thing.get("articleBody")
                            && article
                            && page
                                .embedded_body
                                .as_ref()
                                .is_none_or(|b| b.len() < body.len())
                        {
                            page.embedded_body = Some(body.clone());
                        }
                    });
                }
                _ => {
                    // A scan, not `attr("role")`, which interns its
                    // argument on every element.
                    if v.attrs().any(|(name, value)| {
                        name == "role" && value.trim().eq_ignore_ascii_case("main")
                    }) {
                        page.mains.push(el);
                    }
                }
            }
        }
        page.metadata.date = std::mem::take(&mut page.dates).best();
        page
    }

    fn meta(&mut self, v: &scraper::node::Element) {
        let Some(content) = v.attr("content").map(str::trim).filter(|c| !c.is_empty()) else {
            return;
        };
        if self.metadata.language.is_none()
            && v.attr("http-equiv")
                .is_some_and(|h| h.trim().eq_ignore_ascii_case("content-language"))
        {
            self.metadata.language = Some(content.to_string());
        }
        let key = v
            .attr("property")
            .or_else(|| v.attr("name"))
            .or_else(|| v.attr("itemprop"))
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match key.as_str() {
            "og:title" if self.og_title.is_none() => self.og_title = Some(collapse(content)),
            "keywords" if self.metadata.tags.is_empty() => {
                self.metadata.tags = content
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "language" | "dc.language" | "content-language" if self.metadata.language.is_none() => {
                self.metadata.language = Some(content.to_string());
            }
            _ => self.dates.meta(&key, content),
        }
    }

    /// The title `<h1>`: the longest `<h1>` whose text the page's
    /// `og:title` or `<title>` repeats (they often add the site's name: "Story
    /// | Site"), inside the main content first; else the first inside the
    /// main content; else the first on the page when there is no `og:title`
    /// (an `<h1>` outside the main content is often the site's name).
    pub(super) fn title_h1(&self, roots: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
        let in_roots = |h1: &&ElementRef<'a>| {
            roots
                .iter()
                .any(|root| h1.ancestors().any(|a| a == **root) || *h1 == root)
        };
        let names: Vec<String> = [&self.og_title, &self.title]
            .into_iter()
            .flatten()
            .map(|t| t.to_lowercase())
            .collect();
        let title_words: Vec<&str> = names.iter().flat_map(|n| words(n)).collect();
        // How many of the title's words an `<h1>` repeats: a section `<h1>`
        // whose one word the title also holds ("Reviews") loses to the
        // story's `<h1>` that words the title a little differently.
        let shared = |h1: &ElementRef<'a>| {
            let text = heading_text(*h1).to_lowercase();
            let own: Vec<&str> = words(&text).collect();
            let shared = own.iter().filter(|w| title_words.contains(w)).count();
            (shared, own.len())
        };
        let repeated = |h1: &ElementRef<'a>| {
            let text = heading_text(*h1).to_lowercase();
            names.iter().any(|n| n.contains(&text))
        };
        let named = |h1: &&ElementRef<'a>| {
            let (shared, own) = shared(h1);
            repeated(h1) || (own >= 3 && shared * 3 >= own * 2)
        };
        // Most title words first, then the `<h1>` the title repeats as it
        // is, then the longest.
        let longest = |h1s: Vec<&ElementRef<'a>>| {
            h1s.into_iter()
                .max_by_key(|h1| {
                    let len = heading_text(**h1).chars().count();
                    (shared(h1).0, repeated(h1), len)
                })
                .copied()
        };
        longest(self.h1s.iter().filter(in_roots).filter(named).collect())
            .or_else(|| longest(self.h1s.iter().filter(named).collect()))
            .or_else(|| self.h1s.iter().find(in_roots).copied())
            .or(self.first_h1.filter(|_| self.og_title.is_none()))
    }
}

/// The words of a lowercased title or heading (runs of letters and digits).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A heading element's text, as [`clean_heading`] leaves it.
pub(super) fn heading_text(el: ElementRef<'_>) -> String {
    clean_heading(&el.text().collect::<String>())
}

/// A heading's raw text with whitespace collapsed and permalink marks (`¶`,
/// `#`, `§`, `🔗`) trimmed: one rule for the title and for the headings the
/// walk reads.
pub(super) fn clean_heading(raw: &str) -> String {
    let text = collapse(raw);
    text.trim_matches(|c: char| matches!(c, '¶' | '§' | '#' | '🔗') || c.is_whitespace())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{outline, page};
    use super::*;

    #[test]
    fn og_title_wins_over_an_h1_outside_the_main_content() {
        let src = r#"<head><meta property="og:title" content="The Story"></head>
            <body><header><h1>My Blog</h1></header><article><h2>Part</h2><p>x</p></article></body>"#;
        assert_eq!(page(src).title, "The Story");
        assert_eq!(
            page("<h1>Site</h1><article><p>x</p></article>").title,
            "Site"
        );
    }

    #[test]
    fn the_h1_that_the_title_tag_repeats_is_the_title_and_a_masthead_h1_is_dropped() {
        let src = r#"<head><title>Big News - My Blog</title></head><body><div>
            <h1>My Blog</h1><h1>Big News</h1><p>Story.</p><h2>More</h2><p>x</p></div></body>"#;
        let a = page(src);
        assert_eq!(a.title, "Big News");
        assert_eq!(outline(&a), ["1|||", "2|more||More"]);
        let src = r#"<head><meta property="og:title" content="Big News | Site"></head>
            <body><header><h1>Big News</h1></header><article><p>Story.</p></article></body>"#;
        assert_eq!(page(src).title, "Big News");
    }

    #[test]
    fn in_body_h1s_stay_when_a_later_h1_shares_only_one_word_with_the_title() {
        let src = r#"<head><title>Atkins Diet (14 days) - lose up to 10 kg. Reviews</title></head>
            <body><article><h1>Atkins Diet - lose up to 10 kilograms in 14 days</h1><p>Intro.</p>
            <h1>Second phase</h1><p>Carbs.</p><h1>Reviews</h1><p>Good.</p></article></body>"#;
        let a = page(src);
        assert_eq!(a.title, "Atkins Diet - lose up to 10 kilograms in 14 days");
        assert_eq!(
            outline(&a),
            ["1|||", "1|second-phase||Second phase", "1|reviews||Reviews"]
        );
    }

    #[test]
    fn title_is_the_main_h1_then_og_title_then_title() {
        let a = page("<h1>Site</h1><main><h1>Story</h1><p>x</p></main>");
        assert_eq!(a.title, "Story");
        assert_eq!(a.sections.len(), 1, "the title h1 is not a section");
        let a = page(
            r#"<head><title>T | Site</title><meta property="og:title" content="OG"></head><p>x</p>"#,
        );
        assert_eq!(a.title, "OG");
        assert_eq!(page("<title> Plain </title><p>x</p>").title, "Plain");
        assert_eq!(page("<p>x</p>").title, "P");
    }

    #[test]
    fn metadata_and_canonical() {
        let src = r#"<html lang="en"><head><meta name="keywords" content="gut, skin">
            <meta property="article:published_time" content="2020-01-02T03:04:05Z">
            <link rel="canonical" href="https://e.org/a"></head><body><p>x</p></body></html>"#;
        let a = page(src);
        assert_eq!(a.metadata.tags, ["gut", "skin"]);
        assert_eq!(a.metadata.date.as_deref(), Some("2020-01-02T03:04:05Z"));
        assert_eq!(a.metadata.language.as_deref(), Some("en"));
        assert_eq!(a.url, None);
        assert_eq!(canonical_url(src).as_deref(), Some("https://e.org/a"));
        assert_eq!(canonical_url("<p>x"), None);
    }

    #[test]
    fn content_language_metas_say_the_language_when_html_lang_does_not() {
        let meta = r#"<meta http-equiv="Content-Language" content="de-DE"><p>x</p>"#;
        assert_eq!(page(meta).metadata.language.as_deref(), Some("de-DE"));
        let named = r#"<meta name="language" content="fr"><p>x</p>"#;
        assert_eq!(page(named).metadata.language.as_deref(), Some("fr"));
        let both = format!(r#"<html lang="es">{meta}</html>"#);
        assert_eq!(page(&both).metadata.language.as_deref(), Some("es"));
    }
}
