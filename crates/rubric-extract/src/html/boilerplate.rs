//! Which elements are page furniture rather than article.
//!
//! An element alone ([`verdict`]) is furniture by tag, by ARIA role, by
//! hidden-ness, or marked so by whole tokens of its `class` or `id` (a
//! `teaser` only when it links elsewhere: news systems call an article's own
//! lead a teaser too). With the text sizes of the `density` index,
//! [`is_furniture`] keeps a marked element or a `<form>` that holds most of
//! the text around it (a wrapper like `post-body has-comments`, a shop's
//! product form), a `<header>` that does (left open, it swallows the page) or
//! that is an article's own (its standfirst; the walk keeps only that),
//! sibling sections marked only by a modifier of their class that together
//! hold most of the text (`Section--Ads`), a media object marked as a gallery
//! that holds prose, [`is_link_block`] drops blocks that are mostly links
//! (related stories, tags, pagers) and promo lines ("Also: <a>Another
//! story</a>"), and [`is_lone_link`] a short block that is one link after the
//! text ("zurück", "Back to top").
//!
//! Tokens are the runs of letters and digits of a class or id, with
//! camelCase split (`post-sidebar_left` → `post`, `sidebar`, `left`;
//! `relatedLinks` → `related`, `links`), so `nav` matches `site-nav` but not
//! `canvas`, and `ad` matches `ad-slot` but not `header` or `shadow`; an
//! ASCII class or id is checked without allocating. This module only
//! answers "is this element boilerplate?"; it does not pick the main
//! container (`main_content`), drop bylines and datelines (line by line, in
//! `walk`), or walk the tree.

use rubric_core::text::collapse;
use scraper::node::Element;
use scraper::{ElementRef, Node};

use super::density::Sizes;

/// Tags whose content is never article text.
const DROP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "footer",
    "aside",
    "iframe",
    "svg",
    "button",
    "figcaption",
    "select",
    "option",
    "textarea",
    "input",
    "label",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "dialog",
    "menu",
    "head",
    "title",
    "meta",
    "link",
];

/// ARIA roles of landmarks and widgets that are not the article.
const DROP_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "toolbar",
    "button",
];

/// Class or id tokens that mark boilerplate.
const DROP_TOKENS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "sidebar",
    "footer",
    "share",
    "sharing",
    "sharebar",
    "social",
    "comment",
    "comments",
    "related",
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "gprd",
    "newsletter",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "promo",
    "subscribe",
    "subscription",
    "signup",
    "popup",
    "modal",
    "outbrain",
    "taboola",
    "recirc",
    "trending",
    "byline",
    "caption",
    "credit",
    "credits",
    "gallery",
    "slideshow",
    "carousel",
    "lightbox",
    "disclaimer",
    "author",
    "bio",
    "dateline",
    "timestamp",
    "meta",
    "tags",
    "pagination",
    "pager",
    "recommended",
    "newsletters",
    "promotion",
    "sponsored",
    "ratings",
    "paywall",
    "donation",
    "donate",
    "kommentar",
    "kommentare",
    "teilen",
];

/// Whole class names of text meant for screen readers or kept hidden.
const HIDDEN_CLASSES: &[&str] = &[
    "hidden",
    "sr-only",
    "screen-reader-text",
    "visually-hidden",
    "visuallyhidden",
    "visuallyHidden",
    "element-invisible",
    "offscreen",
];

/// Why an element is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Article content (as far as this element alone tells).
    Keep,
    /// Furniture by its tag, role or hidden-ness: always dropped.
    Furniture,
    /// Furniture by a class or id token, or a `<form>`: dropped unless it
    /// holds most of the main content (a wrapper like `post-body
    /// has-comments`, a shop page's product form).
    Marked,
    /// Marked as a teaser by class or id: dropped like [`Verdict::Marked`]
    /// when it links elsewhere (a teaser of another page), kept when it
    /// does not (an article's lead, which news systems call a teaser too).
    Teaser,
    /// A `<header>`: the site's banner, dropped unless it holds most of the
    /// main content (left open, it swallows the page); an article's own
    /// header (inside an `<article>`, or holding the title `<h1>` in a
    /// `<main>` without one) holds its standfirst and is kept.
    Header,
}

/// The verdict for one element.
fn verdict(el: &Element) -> Verdict {
    match el.name() {
        "header" => return Verdict::Header,
        "form" => return Verdict::Marked,
        name if DROP_TAGS.contains(&name) => return Verdict::Furniture,
        _ => {}
    }
    if let Some(role) = attr(el, "role") {
        let role = role.trim();
        if DROP_ROLES.iter().any(|r| r.eq_ignore_ascii_case(role)) {
            return Verdict::Furniture;
        }
    }
    if is_hidden(el) {
        return Verdict::Furniture;
    }
    let mut strongest = Mark::None;
    let names = classes(el)
        .map(|c| (c, true))
        .chain(id(el).map(|i| (i, false)));
    for (name, class) in names {
        strongest = strongest.max(mark(name, class));
        if strongest == Mark::Drop {
            return Verdict::Marked;
        }
    }
    if strongest == Mark::Teaser {
        Verdict::Teaser
    } else {
        Verdict::Keep
    }
}

fn is_hidden(el: &Element) -> bool {
    if attr(el, "hidden").is_some() {
        return true;
    }
    if attr(el, "aria-hidden").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return true;
    }
    if let Some(style) = attr(el, "style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    classes(el).any(|c| HIDDEN_CLASSES.contains(&c))
}

/// True when an ancestor of `el` (below `<body>`) is furniture; one marked
/// only by class or id counts when it holds at most half of the page's text.
pub(super) fn in_furniture(sizes: &Sizes, el: ElementRef<'_>, body_len: usize) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .filter(|a| !matches!(a.value().name(), "body" | "html"))
        .any(|a| is_furniture(sizes, a, body_len))
}

/// The walker's rule for one element, with `total` the text around it: an
/// element marked only by class or id is furniture unless it holds most of
/// that text, or a `<main>`, an `<h1>` or an `<article>` of [`MIN_STORY`]
/// characters or more (a layout wrapper such as `theiaStickySidebar` around
/// the story column; not a related-posts box of teaser `<article>`s).
pub(super) fn is_furniture(sizes: &Sizes, el: ElementRef<'_>, total: usize) -> bool {
    match verdict(el.value()) {
        Verdict::Keep => false,
        Verdict::Furniture => true,
        Verdict::Teaser if sizes.get(el).links == 0 => false,
        Verdict::Marked | Verdict::Teaser => {
            sizes.text(el) * 2 <= total
                && !is_repeated_part(sizes, el, total)
                && !is_media_with_prose(sizes, el)
                && !el
                    .descendent_elements()
                    .skip(1)
                    .any(|d| match d.value().name() {
                        "main" | "h1" => true,
                        "article" => sizes.text(d) >= MIN_STORY,
                        _ => false,
                    })
        }
        Verdict::Header => {
            // The header of an article, not of a teaser card nested in it;
            // with no `<article>`, a header holding the title in `<main>`.
            let mut articles = el
                .ancestors()
                .filter_map(ElementRef::wrap)
                .filter(|a| a.value().name() == "article");
            let own = match (articles.next(), articles.next()) {
                (Some(_), None) => true,
                (None, _) => is_main_header(el),
                _ => false,
            };
            sizes.text(el) * 2 <= total && !own
        }
    }
}

/// One of sibling blocks named by the same unmarked first class that
/// together hold most of the text, marked only by a modifier of that class
/// (`TestReport__Section TestReport__Section--Ads`: a section with room for
/// ads): the sections of an article, not furniture.
fn is_repeated_part(sizes: &Sizes, el: ElementRef<'_>, total: usize) -> bool {
    let Some(first) = classes(el.value()).next() else {
        return false;
    };
    let Some(parent) = el.parent().and_then(ElementRef::wrap) else {
        return false;
    };
    let modifier = |c: &str| {
        c.strip_prefix(first)
            .is_some_and(|rest| rest.starts_with(['-', '_']))
    };
    // Marked only by modifiers of the first class, not by its id.
    if mark(first, true) != Mark::None
        || id(el.value()).is_some_and(|i| mark(i, false) != Mark::None)
        || classes(el.value()).any(|c| mark(c, true) != Mark::None && !modifier(c))
    {
        return false;
    }
    let together: usize = parent
        .child_elements()
        .filter(|s| classes(s.value()).next() == Some(first))
        .map(|s| sizes.text(s))
        .sum();
    together * 2 > total
}

/// Tokens of a picture gallery or slider, which a media object (a picture
/// beside its text) also carries.
const MEDIA_TOKENS: &[&str] = &["gallery", "slideshow", "carousel", "lightbox"];

/// Fewest characters of a paragraph of running prose in a media object.
const MIN_PROSE: usize = 150;

/// An element marked only by names holding a [`MEDIA_TOKENS`] word that
/// holds two or more paragraphs of running prose ([`MIN_PROSE`] characters
/// each, under a fifth linked): a media object with the story's text
/// beside its picture (`o-media js-lightbox-gallery`), not a gallery of
/// short captions.
fn is_media_with_prose(sizes: &Sizes, el: ElementRef<'_>) -> bool {
    let v = el.value();
    let names = classes(v)
        .map(|c| (c, true))
        .chain(id(v).map(|i| (i, false)));
    let mut media = false;
    for (name, class) in names {
        if mark(name, class) == Mark::None {
            continue;
        }
        if !tokens(name).any(|t| MEDIA_TOKENS.contains(&t.as_str())) {
            return false;
        }
        media = true;
    }
    media
        && el
            .descendent_elements()
            .filter(|d| {
                let size = sizes.get(*d);
                d.value().name() == "p" && size.text >= MIN_PROSE && size.linked * 5 < size.text
            })
            .nth(1)
            .is_some()
}

/// A `<header>` inside `<main>` (or `role=main`) that holds an `<h1>`: the
/// page's own header, with its title and standfirst, not the site's banner.
fn is_main_header(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().name() == "main" || attr(a.value(), "role") == Some("main"))
        && el.descendent_elements().any(|d| d.value().name() == "h1")
}

/// The obvious chrome, for the last fallback over the whole `<body>`:
/// furniture by tag, role or hidden-ness, and the site's `<header>` (as in
/// [`is_furniture`]); an element marked only by class or id is kept.
pub(super) fn is_chrome(sizes: &Sizes, el: ElementRef<'_>, total: usize) -> bool {
    match verdict(el.value()) {
        Verdict::Keep | Verdict::Marked | Verdict::Teaser => false,
        Verdict::Furniture => true,
        Verdict::Header => is_furniture(sizes, el, total),
    }
}

/// Fewest characters of an `<article>` that is a story rather than a
/// teaser card.
const MIN_STORY: usize = 500;

/// A block that is mostly links to elsewhere: a list or panel of related
/// stories, tags, a pager, or a lone "Also: <a>Another story</a>" line.
/// Kept when it holds the title or most of the main content (`root_len`).
pub(super) fn is_link_block(sizes: &Sizes, el: ElementRef<'_>, root_len: usize) -> bool {
    let name = el.value().name();
    if !matches!(
        name,
        "p" | "div" | "section" | "ul" | "ol" | "dl" | "li" | "table" | "span"
    ) {
        return false;
    }
    let size = sizes.get(el);
    if size.links == 0 || size.text * 2 > root_len {
        return false;
    }
    let density = size.linked as f64 / size.text.max(1) as f64;
    let list_of_links = size.links >= 2 && density > 0.5;
    (list_of_links || (size.links == 1 && density > 0.6 && is_promo_line(el))) && !holds_story(el)
}

/// True when `el` holds the title `<h1>`, an `<article>` or a `<main>`.
fn holds_story(el: ElementRef<'_>) -> bool {
    el.descendent_elements()
        .any(|d| matches!(d.value().name(), "h1" | "article" | "main"))
}

/// A short block that is all one link to elsewhere, after other content of
/// its parent: "zurück", "Back to top", "Print recipe", "All press
/// releases". The limits are trafilatura's (`link_density_test`): a `<div>`,
/// `<section>` or list under [`MAX_LONE_LINK`] characters, or
/// [`MAX_LONE_LINK_LAST`] when it ends its parent; a `<p>` only when it ends
/// its parent and is under [`MAX_LONE_LINK_P`] (one with more after it names
/// a product or a source in the text). Not one: the first content of its
/// parent (the value of a field, an indented reference), a link whose text
/// is an address (a cited URL or e-mail), a block holding a heading, the
/// title, or most of the main content (`root_len`). The walk also keeps one
/// that is the first text under a heading of reference docs ("See <a>The
/// Devpts Filesystem</a>.").
pub(super) fn is_lone_link(sizes: &Sizes, el: ElementRef<'_>, root_len: usize) -> bool {
    let name = el.value().name();
    let block = match name {
        "p" => false,
        "div" | "section" | "ul" | "ol" | "dl" => true,
        _ => return false,
    };
    let size = sizes.get(el);
    if size.links != 1 || size.linked * 5 <= size.text * 4 || size.text * 2 > root_len {
        return false;
    }
    let first = el.prev_siblings().all(|n| is_blank(n.value()));
    let last = el.next_siblings().all(|n| is_blank(n.value()));
    let limit = match (block, last) {
        (false, false) => 0,
        (false, true) => MAX_LONE_LINK_P,
        (true, false) => MAX_LONE_LINK,
        (true, true) => MAX_LONE_LINK_LAST,
    };
    !first
        && size.text < limit
        && !names_address(el)
        && !el.descendent_elements().any(|d| {
            matches!(
                d.value().name(),
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "article" | "main"
            )
        })
}

/// A node that is no content: white space, a comment.
fn is_blank(node: &Node) -> bool {
    match node {
        Node::Element(_) => false,
        Node::Text(t) => t.trim().is_empty(),
        _ => true,
    }
}

/// True when the text of a block is an address (a URL or an e-mail address):
/// a reference the text cites.
fn names_address(el: ElementRef<'_>) -> bool {
    let text = el.text().collect::<String>();
    let text = text.trim();
    text.contains("://") || text.starts_with("www.") || text.contains('@')
}

/// Characters under which a `<p>` that is one link and ends its parent is a
/// lone link.
const MAX_LONE_LINK_P: usize = 60;
/// Characters under which another block that is one link is a lone link.
const MAX_LONE_LINK: usize = 100;
/// The same, for a block that ends its parent.
const MAX_LONE_LINK_LAST: usize = 300;

/// Most words of the label of a promo line ("See also:").
const MAX_PROMO_LABEL_WORDS: usize = 3;

/// A promo line for another story: a short label ending with a colon and a
/// headline that is all one link and ends the line without a sentence end
/// ("Also: <a>Our guide to X</a>", "Related: <a>Ten facts about Y</a>").
/// A sentence that carries a link ("Tip: <a>read more here</a>!") is not one.
fn is_promo_line(el: ElementRef<'_>) -> bool {
    let text = collapse(&el.text().collect::<String>());
    let Some(link) = el
        .descendent_elements()
        .find(|d| d.value().name() == "a" && d.value().attr("href").is_some())
    else {
        return false;
    };
    let link_text = collapse(&link.text().collect::<String>());
    let Some(label) = text.strip_suffix(link_text.as_str()) else {
        return false;
    };
    let label = label.trim();
    label.ends_with(':')
        && label.split_whitespace().count() <= MAX_PROMO_LABEL_WORDS
        && link_text.split_whitespace().count() >= 3
        && !link_text.ends_with(['.', '!', '?'])
}

// The attribute look-ups below scan the element's few attributes in place:
// `Element::attr` interns the name first, which cost more than the scan.

/// The value of the plain (no namespace) attribute `name`, as
/// [`Element::attr`] gives it.
fn attr<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(q, _)| q.prefix.is_none() && q.ns.is_empty() && &*q.local == name)
        .map(|(_, value)| &**value)
}

/// The element's id, as [`Element::id`] gives it.
fn id(el: &Element) -> Option<&str> {
    el.attrs
        .iter()
        .find(|(q, _)| &*q.local == "id")
        .map(|(_, value)| &**value)
}

/// The element's class names, as [`Element::classes`] gives them (perhaps
/// with repeats, which no caller minds).
fn classes(el: &Element) -> impl Iterator<Item = &str> {
    el.attrs
        .iter()
        .filter(|(q, _)| &*q.local == "class")
        .flat_map(|(_, value)| value.split_ascii_whitespace())
}

/// [`DROP_TOKENS`] as sorted bytes, for binary search.
fn drop_tokens_sorted() -> &'static [&'static [u8]] {
    static SORTED: std::sync::OnceLock<Vec<&'static [u8]>> = std::sync::OnceLock::new();
    SORTED.get_or_init(|| {
        let mut sorted: Vec<&'static [u8]> = DROP_TOKENS.iter().map(|t| t.as_bytes()).collect();
        sorted.sort_unstable();
        sorted
    })
}

/// What the [`tokens`] of a class or id say of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    /// Nothing.
    None,
    /// A [`TEASER_TOKEN`]: a teaser of another page, or an article's own
    /// lead (news systems call both "teaser"); in a class, also a link to
    /// the next or previous story ([`is_pager_token`]).
    Teaser,
    /// A token of [`DROP_TOKENS`].
    Drop,
}

/// The token of a teaser (see [`Mark::Teaser`]).
const TEASER_TOKEN: &str = "teaser";

/// The strongest [`Mark`] of the [`tokens`] of `name` (a class when
/// `class`, else an id), skipping modifiers:
/// a token after `no`, `has` or `with` (`no-share`, `has-comments`) says
/// what the element has, not what it is. A name with a `/` (an id that is
/// a URL or path) marks nothing. For an ASCII name, without allocating.
fn mark(name: &str, class: bool) -> Mark {
    // A path or URL used as an id names a target, not a part of the page.
    if name.contains('/') {
        return Mark::None;
    }
    let mut found = Mark::None;
    if !name.is_ascii() {
        let mut prev = String::new();
        for t in tokens(name) {
            if !is_modifier(&prev) {
                if DROP_TOKENS.contains(&t.as_str()) {
                    return Mark::Drop;
                }
                if t == TEASER_TOKEN || (class && is_pager_token(t.as_bytes())) {
                    found = Mark::Teaser;
                }
            }
            prev = t;
        }
        return found;
    }
    let mut prev_modifier = false;
    ascii_tokens(name, |t| {
        // Lower-case into a stack buffer, then a binary search; no drop
        // token is longer than the buffer.
        let mut buf = [0u8; 16];
        let Some(lower) = buf.get_mut(..t.len()) else {
            prev_modifier = false;
            return false;
        };
        lower.copy_from_slice(t.as_bytes());
        lower.make_ascii_lowercase();
        let lower = &*lower;
        if !prev_modifier {
            if drop_tokens_sorted().binary_search(&lower).is_ok() {
                found = Mark::Drop;
                return true;
            }
            if lower == TEASER_TOKEN.as_bytes() || (class && is_pager_token(lower)) {
                found = Mark::Teaser;
            }
        }
        prev_modifier = is_modifier(std::str::from_utf8(lower).unwrap_or(""));
        false
    });
    found
}

/// Tokens of a link to the next or previous story ("post-navigation
/// next"), marking like a teaser in a class only: an id is often a slug of
/// a heading's text (Sphinx: `section#bpf-next`).
fn is_pager_token(t: &[u8]) -> bool {
    matches!(t, b"next" | b"prev" | b"previous")
}

/// A token that makes the next one say what an element has, not what it is.
fn is_modifier(token: &str) -> bool {
    matches!(token, "no" | "has" | "with")
}

/// Calls `f` with each token of an ASCII class or id (runs of letters and
/// digits, camelCase humps split) until it returns true.
fn ascii_tokens(name: &str, mut f: impl FnMut(&str) -> bool) {
    let bytes = name.as_bytes();
    let mut start: Option<usize> = None;
    let mut prev_lower = false;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if let Some(s) = start.take()
                && f(&name[s..i])
            {
                return;
            }
            continue;
        }
        match start {
            None => start = Some(i),
            Some(s) if b.is_ascii_uppercase() && prev_lower => {
                if f(&name[s..i]) {
                    return;
                }
                start = Some(i);
            }
            Some(_) => {}
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
    }
    if let Some(s) = start {
        f(&name[s..]);
    }
}

/// The lower-case tokens of a class or id: runs of letters and digits, with
/// camelCase humps split.
pub(super) fn tokens(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(split_camel)
}

fn split_camel(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in word.chars() {
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{body, page};
    use super::*;

    #[test]
    fn sections_whose_class_modifier_says_ads_are_kept_when_they_are_the_story() {
        let part = |n: u32| {
            format!(
                r#"<section class="Report__Section Report__Section--Ads"><p>Part {n} of the
                test, long enough to count as a paragraph of the story itself.</p></section>"#
            )
        };
        let src = format!(
            r#"<article><p>Lead.</p>{}{}{}<div class="box box--ads"><p>Buy now</p></div>
            </article>"#,
            part(1),
            part(2),
            part(3)
        );
        let text = body(&src);
        assert!(
            text.contains("Part 1 of") && text.contains("Part 3 of"),
            "{text}"
        );
        assert!(!text.contains("Buy now"), "{text}");
    }

    #[test]
    fn a_media_object_marked_as_a_lightbox_gallery_keeps_its_prose() {
        let prose = "The society runs shelters and clinics in the region, and it has done so \
            for years with local volunteers who know the villages, the roads and the people, \
            and this year it opened two more of them near the coast.";
        let src = format!(
            r#"<article><p>{prose}</p><div class="media js-lightbox-gallery"><img src="a.jpg">
            <div class="media-body"><p>First: {prose}</p><p>Second: {prose}</p></div></div>
            <div class="gallery"><p>Photo one of the camp</p><p>Photo two</p></div>
            <p>{prose}</p></article>"#
        );
        let text = body(&src);
        assert!(
            text.contains("First: ") && text.contains("Second: "),
            "{text}"
        );
        assert!(!text.contains("Photo one"), "{text}");
    }

    fn toks(s: &str) -> Vec<String> {
        tokens(s).collect()
    }

    fn has_drop_token(name: &str) -> bool {
        mark(name, false) == Mark::Drop
    }

    #[test]
    fn ascii_token_check_agrees_with_tokens() {
        let names = [
            "post-sidebar_left",
            "relatedLinks",
            "HTMLContent",
            "header-image",
            "masthead",
            "ad",
            "siteNav",
            "navBar",
            "x-AD-slot",
            "shareBAR",
            "aNav",
            "a1Nav",
            "ADS",
            "comments2",
            "nav-",
            "--",
            "",
            "main-content",
            "SocialMedia",
            "sidebarLeft",
        ];
        for name in names {
            let slow = tokens(name).any(|t| DROP_TOKENS.contains(&t.as_str()));
            assert_eq!(has_drop_token(name), slow, "{name}");
        }
    }

    #[test]
    fn a_related_box_of_teaser_articles_is_dropped_but_a_wrapper_of_the_story_kept() {
        let para = "<p>A sentence of the story, with commas, clauses, and enough words.</p>";
        let story = format!("<p>Lead.</p>{}", para.repeat(12));
        let teasers =
            r#"<article><p>Another story, a teaser of a few words here.</p></article>"#.repeat(2);
        let a = page(&format!(
            r#"<body><article class="post">{story}<div class="related-posts">{teasers}</div></article></body>"#
        ));
        assert!(
            !a.sections[0].text.contains("teaser"),
            "{}",
            a.sections[0].text
        );
        // A layout wrapper marked "sidebar" around the story is read.
        let a = page(&format!(
            r#"<body><div class="sticky-sidebar"><article>{story}</article></div><div>{}</div></body>"#,
            para.repeat(13)
        ));
        assert!(
            a.sections[0].text.starts_with("Lead."),
            "{}",
            a.sections[0].text
        );
    }

    #[test]
    fn an_id_that_is_a_url_marks_nothing() {
        // A slide's id is the address of its slide ("…/slideshow/…").
        assert!(!has_drop_token(
            "https://example.com/tech/phones/slideshow/76280131.cms"
        ));
        let slide = "<p>The phone is smaller than the rest, and costs less, by far.</p>";
        let a = page(&format!(
            r#"<body><main><section id="https://example.com/a/slideshow/1.cms">{slide}</section>
            <section id="https://example.com/a/slideshow/2.cms">{slide}</section>
            <section id="https://example.com/a/slideshow/3.cms">{slide}</section></main></body>"#
        ));
        assert_eq!(a.sections[0].text.lines().count(), 3);
    }

    #[test]
    fn a_token_after_no_has_or_with_is_a_modifier() {
        assert!(!has_drop_token("entry-content no-share"));
        assert!(!has_drop_token("post-body has-comments"));
        assert!(!has_drop_token("withSidebar"));
        assert!(!has_drop_token("café-no-share"));
        assert!(has_drop_token("share-no"));
        assert!(has_drop_token("nobody-share"));
        let story = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = page(&format!(
            r#"<body><div class="entry no-share">{story}</div><div class="share">Tweet</div></body>"#
        ));
        assert_eq!(
            a.sections[0].text,
            story.replace("<p>", "").replace("</p>", "")
        );
    }

    #[test]
    fn drop_tokens_fit_the_lookup_buffer() {
        assert!(DROP_TOKENS.iter().all(|t| t.len() <= 16 && t.is_ascii()));
    }

    #[test]
    fn tokens_are_whole_words() {
        assert_eq!(toks("post-sidebar_left"), ["post", "sidebar", "left"]);
        assert_eq!(toks("relatedLinks"), ["related", "links"]);
        assert_eq!(toks("HTMLContent"), ["htmlcontent"]);
        assert!(!toks("header-image").iter().any(|t| t == "ad"));
        assert!(!toks("masthead").iter().any(|t| t == "ad"));
    }

    #[test]
    fn lists_and_panels_of_links_are_dropped() {
        let p = "<p>A long enough paragraph of the story itself, with words.</p>";
        let related = r#"<div><h3>Most read</h3><ul><li><a href="/a">One story</a></li><li><a href="/b">Two</a></li></ul></div>"#;
        assert_eq!(
            body(&format!("<article>{p}{related}{p}</article>"))
                .lines()
                .count(),
            2
        );
        let toc =
            r##"<ul><li><a href="#a">Part A of it</a></li><li><a href="#b">Part B</a></li></ul>"##;
        assert!(body(&format!("<article>{p}{toc}</article>")).contains("- Part B"));
    }

    #[test]
    fn promo_lines_are_dropped_but_linked_sentences_and_products_kept() {
        let p = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = |x: &str| body(&format!("<article>{p}<p>{x}</p></article>"));
        assert_eq!(
            a(r#"<b>Also:</b> <a href="/x">Our guide to the best phones</a>"#)
                .lines()
                .count(),
            1
        );
        assert!(a(r#"Tip: <a href="/x">Get more meal ideas here</a>!"#).ends_with("here!"));
        // A product named by a line of its own, with more text after it.
        let product =
            format!(r#"<article>{p}<p><a href="/shop">Acme Protein Powder</a></p>{p}</article>"#);
        assert!(body(&product).contains("Acme Protein Powder"));
    }

    #[test]
    fn a_short_block_that_is_one_link_after_the_text_is_dropped() {
        let p = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = |x: &str| body(&format!("<article>{p}{p}{x}</article>"));
        // A back link, a link in a div, a list of one link at the end.
        assert_eq!(a(r#"<p><a href="/news">zurück</a></p>"#).lines().count(), 2);
        assert_eq!(
            a(r#"<div class="wrap"><a href="/news">Zurück zur Startseite</a></div>"#)
                .lines()
                .count(),
            2
        );
        assert_eq!(
            a(r#"<ul><li><a href="/press">Alle Pressemitteilungen</a></li></ul>"#)
                .lines()
                .count(),
            2
        );
        // Kept: a cited address, a block that is its parent's only content,
        // a page that is one link.
        assert!(
            a(r#"<p><a href="https://example.org">https://example.org</a></p>"#)
                .ends_with("https://example.org")
        );
        assert!(
            a(r#"<blockquote><div><a href="/doc">The guide</a></div></blockquote>"#)
                .ends_with("The guide")
        );
        assert_eq!(
            body(r#"<div><h2>Index</h2><div><a href="/one">Chapter one</a></div></div>"#),
            "Chapter one"
        );
    }

    #[test]
    fn a_reference_docs_see_also_link_under_an_anchored_heading_is_a_section() {
        // Sphinx (linux-doc admin-guide/sysctl/kernel.html): a section that
        // is one cross-reference.
        let a = page(
            r##"<section id="kernel"><p>Knobs of the kernel, one by one, with what they do.</p>
            <section id="pty"><h2>pty<a class="headerlink" href="#pty">¶</a></h2>
            <p>See <a class="reference internal" href="../devpts.html">The Devpts Filesystem</a>.</p>
            </section></section>"##,
        );
        let s = a
            .sections
            .iter()
            .find(|s| s.heading.as_deref() == Some("pty"));
        assert_eq!(
            s.map(|s| s.text.as_str()),
            Some("See The Devpts Filesystem.")
        );
        // A heading of the site's over a lone link is not a section.
        let a = page(
            r#"<article><p>The story, long enough to be the main content of the page here.</p>
            <h3>Weitere Informationen</h3><p><a href="/info">Mehr zum Thema</a></p></article>"#,
        );
        assert_eq!(a.sections.len(), 1);
    }

    #[test]
    fn a_form_or_an_unclosed_header_around_the_page_is_read() {
        let story = "<p>The product, described at length, with care, and detail.</p>";
        let a = page(&format!(
            "<body><form action=/cart><div>{story}{story}</div><button>Buy</button></form></body>"
        ));
        assert_eq!(a.sections[0].text.lines().count(), 2);
        let a = page(&format!(
            "<body><header id=branding><nav>Home</nav><div>{story}{story}</div></body>"
        ));
        assert_eq!(a.sections[0].text.lines().count(), 2);
        // A small form or site header is still furniture.
        let a = page(&format!(
            "<body><header>Site</header><div>{story}{story}</div><form>Search this site</form></body>"
        ));
        assert!(!a.sections[0].text.contains("Site"));
    }

    #[test]
    fn a_teaser_that_links_elsewhere_is_dropped_but_a_lead_called_teaser_kept() {
        let story = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = body(&format!(
            r#"<article><p class="news-teaser">The lead, which the news system calls a teaser.</p>
            {story}{story}<div class="teaser"><h3><a href="/other">Another story</a></h3>
            <p>What the other story is about, in a sentence or two.</p></div></article>"#
        ));
        assert!(a.starts_with("The lead"), "{a}");
        assert!(!a.contains("other story"), "{a}");
        assert_eq!(mark("teaserList no-share", false), Mark::Teaser);
        assert_eq!(mark("no-teaser", true), Mark::None);
        assert_eq!(mark("teaser related", true), Mark::Drop);
    }

    #[test]
    fn paywall_donation_and_ratings_boxes_are_dropped() {
        let story = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = body(&format!(
            r#"<article>{story}<div class="content-form-account-paywall"><h2>Read on</h2></div>
            <div class="article-donation-CTA">We rely on your support.</div>
            <span class="post-ratings">(No ratings yet)</span>{story}</article>"#
        ));
        assert_eq!(a.lines().count(), 2, "{a}");
    }

    #[test]
    fn links_to_the_next_and_previous_story_are_dropped() {
        let story = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = body(&format!(
            r#"<article>{story}{story}<div class="post-links"><div class="post-previous">- Previous Auto News -
            <p><a href="/a">The most powerful hot hatch</a></p><p>It has a huge rear wing, and more power than any before it.</p></div>
            <div class="post-next">- Next Auto News - <p><a href="/b">The second electric car</a></p><p>It debuts in the spring, with a range of five hundred kilometres.</p></div></div>
            <section id="bpf-next"><p>A section of reference docs, whose id is its heading's slug.</p></section></article>"#
        ));
        assert_eq!(a.lines().count(), 3, "{a}");
        assert!(a.ends_with("heading's slug."), "{a}");
    }

    #[test]
    fn german_comment_and_share_boxes_are_dropped() {
        let story = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = body(&format!(
            r#"<main>{story}{story}<div class="teilen"><span>NEWS TEILEN:</span></div>
            <section id="kommentare"><p>Keine Kommentare</p></section>
            <div id="kommentarModul"><p>Sie sind aktuell nicht eingeloggt.</p></div></main>"#
        ));
        assert_eq!(a.lines().count(), 2, "{a}");
    }

    #[test]
    fn the_header_of_a_main_without_article_keeps_its_standfirst() {
        let story = "<p>The story, long enough to be the main content of the page here.</p>";
        let a = body(&format!(
            r#"<body><header><h1>Site</h1><p>The site of the farmers of the region, since the year 1900.</p></header>
            <main><header><h1>Snow on the panels</h1><p>A blanket of snow on the panels costs yield, and weight can break them.</p></header>
            {story}{story}</main></body>"#
        ));
        assert!(a.starts_with("A blanket of snow"), "{a}");
        assert!(!a.contains("farmers"), "{a}");
    }

    #[test]
    fn furniture_is_dropped() {
        let a = page(
            r#"<body><nav>Home</nav><header>Logo</header><div class="content"><p>Body</p>
            <div class="share-buttons">Tweet</div><aside>Rail</aside><div role="navigation">Menu</div>
            <div id="relatedLinks">More</div><script>var x</script><div class="masthead-image">Kept</div>
            <span class="sr-only">Skip</span></div><footer>(c)</footer></body>"#,
        );
        assert_eq!(a.sections[0].text, "Body\nKept");
    }
}
