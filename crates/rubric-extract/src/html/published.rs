//! Which of a page's dates is its publication date.
//!
//! `Page::read` offers every date it meets on its one pass; each goes to a
//! slot by how surely it names the publication of this article, and the
//! first readable date ([`crate::date::normalize`]) in the surest slot wins:
//!
//! 1. `datePublished` of the page's JSON-LD article (as `json_ld` finds
//!    things and tells the article);
//! 2. a published-time meta (`article:published_time`, `itemprop=
//!    datePublished`, `parsely-pub-date`, `dc.date.issued`,
//!    `citation_publication_date`, `pubdate`, …);
//! 3. other elements marked `itemprop=datePublished` (or with an RDFa
//!    `property` of the published-time metas), and `<time pubdate>`;
//! 4. `datePublished` of any other JSON-LD thing (the `WebPage`);
//! 5. the looser metas (`date`, `dc.date`, `dcterms.created`, …), also as
//!    RDFa properties (`property="dc:date" content=…`);
//! 6. the first `<time>` inside an `<article>` or `<main>`;
//! 7. the first short element whose class or id names a date (`post-date`,
//!    `entry-date`, `publishingdate`, `datum`) and whose text is one;
//! 8. the first `<time>` on the page.
//!
//! A `<time>` or date-named element in the page's chrome (`<nav>`,
//! `<footer>`, `<aside>` outside the article) is passed over: that is
//! today's date in a menu bar or another story's.
//!
//! Modified dates (`dateModified`, `article:modified_time`) and a sitemap's
//! `<lastmod>` say when a page last changed, not when it was published, and
//! are not read here (the caller falls back to `<lastmod>`). Dates in the
//! text ("Posted on …") are left to the walk, which drops them as
//! datelines.

use scraper::ElementRef;
use serde_json::Value;

use super::json_ld::Thing;

use super::density::Sizes;
use crate::date::normalize;

/// How surely a date names the article's publication, surest first.
#[derive(Debug, Clone, Copy)]
enum Slot {
    JsonLdArticle,
    PublishedMeta,
    Microdata,
    JsonLdOther,
    DateMeta,
    TimeInArticle,
    DateClass,
    FirstTime,
}

/// Class or id words (or parts of them between `-` and `_`) that mark an
/// element holding a date, lower-case.
const DATE_CLASS_WORDS: &[&str] = &[
    "date",
    "datum",
    "fecha",
    "dateline",
    "pubdate",
    "postdate",
    "entrydate",
    "publishdate",
    "publishingdate",
    "published",
    "timestamp",
];

/// Most visible characters of an element read for a date by its class: a
/// date with a weekday and a time, not a paragraph.
const MAX_DATE_TEXT: usize = 40;

/// Metas whose content is the publication time (keys lower-case, from
/// `property`, `name` or `itemprop`).
const PUBLISHED_METAS: &[&str] = &[
    "article:published_time",
    "article:published",
    "og:article:published_time",
    "og:published_time",
    "article.published",
    "datepublished",
    "published_time",
    "published-date",
    "publish-date",
    "publish_date",
    "publishdate",
    "publication_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "citation_publication_date",
    "citation_date",
    "originalpublicationdate",
    "rnews:datepublished",
];

/// Metas that name a date of the page, less surely its publication.
const DATE_METAS: &[&str] = &[
    "date",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
];

/// The dates offered so far, one per slot.
#[derive(Debug, Default)]
pub(super) struct PublishedDate {
    slots: [Option<String>; 8],
}

impl PublishedDate {
    /// The publication date: the surest one offered.
    pub(super) fn best(self) -> Option<String> {
        self.slots.into_iter().flatten().next()
    }

    fn offer(&mut self, slot: Slot, raw: &str) {
        let slot = &mut self.slots[slot as usize];
        if slot.is_none() {
            *slot = normalize(raw);
        }
    }

    /// A `<meta>` with its key (lower-case) and content.
    pub(super) fn meta(&mut self, key: &str, content: &str) {
        if PUBLISHED_METAS.contains(&key) {
            self.offer(Slot::PublishedMeta, content);
        } else if DATE_METAS.contains(&key) {
            self.offer(Slot::DateMeta, content);
        }
    }

    /// An element other than `<meta>`: an `itemprop=datePublished` or a
    /// `<time>`, read from its `datetime` or `content`, else its text; or
    /// a short element whose class or id names a date, read from its text.
    pub(super) fn element(&mut self, el: ElementRef<'_>, sizes: &Sizes) {
        let v = el.value();
        let is_time = v.name() == "time";
        // One scan of the attributes: `Element::attr` interns the name it
        // looks for, which costs more than the scan on every element.
        let (mut marked, mut rdfa, mut pubdate, mut date_named) = (false, None, false, false);
        let (mut datetime, mut content) = (None, None);
        for (name, value) in v.attrs() {
            match name {
                "itemprop" => {
                    marked = value
                        .split_ascii_whitespace()
                        .any(|p| p.eq_ignore_ascii_case("datepublished"));
                }
                "property" => rdfa = rdfa_slot(value),
                "pubdate" => pubdate = true,
                "class" | "id" => date_named |= names_a_date(value),
                "datetime" => datetime = Some(value),
                "content" => content = Some(value),
                _ => {}
            }
        }
        let slot = if marked || is_time && pubdate {
            Slot::Microdata
        } else if let Some(slot) = rdfa {
            slot
        } else {
            let date_class = !is_time
                && date_named
                && self.slots[Slot::DateClass as usize].is_none()
                && (1..=MAX_DATE_TEXT).contains(&sizes.text(el));
            if !is_time && !date_class {
                return;
            }
            match (place(el), is_time) {
                (Place::Chrome, _) => return,
                (Place::Article, true) => Slot::TimeInArticle,
                (_, true) => Slot::FirstTime,
                (_, false) => Slot::DateClass,
            }
        };
        if self.slots[slot as usize].is_some() {
            return;
        }
        match datetime.or(content) {
            Some(value) => self.offer(slot, value),
            None => self.offer(slot, &el.text().collect::<String>()),
        }
    }

    /// A JSON-LD thing (`json_ld`): its `datePublished`.
    pub(super) fn json_ld(&mut self, thing: &Thing, article: bool) {
        if let Some(Value::String(date)) = thing.get("datePublished") {
            let slot = if article {
                Slot::JsonLdArticle
            } else {
                Slot::JsonLdOther
            };
            self.offer(slot, date);
        }
    }
}

/// Where an element sits: inside the article (under an `<article>` or
/// `<main>`, its own `<footer>` and `<aside>` included), in the page's
/// chrome (under a `<nav>`, `<footer>` or `<aside>` of the page: today's
/// date in a menu bar, dates of other stories), or elsewhere. A `<header>`
/// is neither: a post's own header holds its date as often as a masthead
/// holds today's.
enum Place {
    Article,
    Chrome,
    Elsewhere,
}

fn place(el: ElementRef<'_>) -> Place {
    let mut place = Place::Elsewhere;
    for a in el.ancestors().filter_map(ElementRef::wrap) {
        match a.value().name() {
            "article" | "main" => return Place::Article,
            "nav" | "footer" | "aside" => place = Place::Chrome,
            _ => {}
        }
    }
    place
}

/// The slot of an RDFa `property` that names a date as a meta would:
/// `dc:date` as `dc.date`, `schema:datePublished` as `datepublished`.
fn rdfa_slot(property: &str) -> Option<Slot> {
    let key = property.trim().to_ascii_lowercase();
    let key = key.strip_prefix("schema:").unwrap_or(&key);
    let key = match key.split_once(':') {
        Some((prefix @ ("dc" | "dcterms"), name)) => format!("{prefix}.{name}"),
        _ => key.to_string(),
    };
    if PUBLISHED_METAS.contains(&key.as_str()) {
        Some(Slot::Microdata)
    } else if DATE_METAS.contains(&key.as_str()) {
        Some(Slot::DateMeta)
    } else {
        None
    }
}

/// Whether a class or id attribute says its element holds a date.
fn names_a_date(names: &str) -> bool {
    names
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .any(|word| {
            DATE_CLASS_WORDS
                .iter()
                .any(|d| word.eq_ignore_ascii_case(d))
        })
}

#[cfg(test)]
mod tests {
    use super::super::testing::page;

    fn date(html: &str) -> Option<String> {
        page(html).metadata.date
    }

    #[test]
    fn the_json_ld_article_date_wins_over_metas_and_time_elements() {
        let html = r#"<html><head>
            <meta name="date" content="2001-01-01">
            <meta property="article:published_time" content="2002-02-02">
            <script type="application/ld+json">
              {"@context": "https://schema.org", "@graph": [
                {"@type": "WebPage", "datePublished": "2003-03-03"},
                {"@type": "NewsArticle", "datePublished": "2020-05-06T07:08:09+02:00",
                 "dateModified": "2021-01-01"}]}
            </script></head>
            <body><article><time datetime="2004-04-04">4 April</time><p>Text.</p></article></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2020-05-06T07:08:09+02:00"));
    }

    #[test]
    fn a_published_meta_wins_over_a_date_meta_in_any_order() {
        let html = r#"<html><head><meta name="date" content="2001-01-01">
            <meta property="article:published_time" content="2002-02-02T10:00:00Z">
            </head><body><p>Text.</p></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2002-02-02T10:00:00Z"));
    }

    #[test]
    fn a_time_element_gives_the_date_when_nothing_else_does() {
        let html = r#"<html><body>
            <aside><time datetime="2001-01-01">Other story</time></aside>
            <article><h1>Title</h1><time>November 20, 2019</time><p>Text.</p></article>
            </body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2019-11-20"));
        let html = r#"<html><body><p>Posted <time datetime="2019-11-20T08:00:00-05:00">
            yesterday</time></p></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2019-11-20T08:00:00-05:00"));
        let html = r#"<html><body><aside><time datetime="2001-01-01">Other</time></aside>
            <article><p>Text.</p><footer>Posted <time datetime="2019-11-20T08:00:00-05:00">
            yesterday</time></footer></article></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2019-11-20T08:00:00-05:00"));
    }

    #[test]
    fn an_element_whose_class_names_a_date_gives_it_before_a_stray_time() {
        let html = r#"<html><body><nav><span id="date-widget">1 January 2001</span>
            <time datetime="2001-01-01">Today</time></nav>
            <aside><span class="post-date">2 February 2002</span></aside>
            <div class="post"><p>The story, as any article tells one.</p>
            <div class="entry-meta"><span class="post-date">9. Dezember 2013</span></div>
            <div class="date-outer">A block that says more than a date: 1 January 2002.</div>
            </div></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2013-12-09"));
    }

    #[test]
    fn an_rdfa_date_property_is_read() {
        let html = r#"<html><body><div class="node"><span class="date-display-single"
            property="dc:date" content="2019-02-08T00:00:00+01:00">8 février 2019</span>
            <p>The story, as any article tells one.</p></div></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2019-02-08T00:00:00+01:00"));
    }

    #[test]
    fn microdata_and_pubdate_come_before_a_webpage_date() {
        let html = r#"<html><head><script type="application/ld+json">
            {"@type": "WebPage", "datePublished": "2001-01-01"}</script></head>
            <body><p>The story, as any article tells one.</p>
            <p><span itemprop="datePublished" content="2019-11-20">Nov 20</span></p></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2019-11-20"));
    }

    #[test]
    fn unreadable_dates_fall_through_to_the_next_source() {
        let html = r#"<html><head>
            <meta property="article:published_time" content="{{ page.date }}">
            <meta name="pubdate" content="10/05/2022">
            <meta name="date" content="5. Mai 2022">
            <script type="application/ld+json">{"@type": "Article", "datePublished": </script>
            </head><body><p>Text.</p></body></html>"#;
        assert_eq!(date(html).as_deref(), Some("2022-05-05"));
    }

    #[test]
    fn a_list_page_does_not_take_the_date_of_an_item() {
        let html = r#"<html><head><script type="application/ld+json">
            {"@type": "CollectionPage", "mainEntity": {"@type": "ItemList", "itemListElement": [
              {"@type": "ListItem", "item": {"@type": "NewsArticle", "datePublished": "2019-11-20"}}]}}
            </script></head><body><p>Text.</p></body></html>"#;
        assert_eq!(date(html), None);
    }

    #[test]
    fn modified_dates_are_not_publication_dates() {
        let html = r#"<html><head>
            <meta property="article:modified_time" content="2021-01-01">
            <script type="application/ld+json">{"@type": "Article", "dateModified": "2021-01-01"}</script>
            </head><body><p>Text.</p></body></html>"#;
        assert_eq!(date(html), None);
    }
}
