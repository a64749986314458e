//! Which elements are page furniture rather than article: by tag, by ARIA
//! role, by hidden-ness, and by whole tokens of `class` and `id`.
//!
//! Tokens are the runs of letters and digits of a class or id, with
//! camelCase split (`post-sidebar_left` → `post`, `sidebar`, `left`;
//! `relatedLinks` → `related`, `links`), so `nav` matches `site-nav` but not
//! `canvas`, and `ad` matches `ad-slot` but not `header` or `shadow`. This
//! module only answers "is this element boilerplate?"; it does not pick the
//! main container or walk the tree (see the parent module).

use scraper::node::Element;

/// Tags whose content is never article text.
const DROP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
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
pub(super) enum Verdict {
    /// Article content (as far as this element alone tells).
    Keep,
    /// Furniture by its tag, role or hidden-ness: always dropped.
    Furniture,
    /// Furniture by a class or id token: dropped unless it holds most of the
    /// main content (a wrapper like `post-body has-comments`).
    Marked,
}

/// The verdict for one element.
pub(super) fn verdict(el: &Element) -> Verdict {
    if DROP_TAGS.contains(&el.name()) {
        return Verdict::Furniture;
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
    let marked = classes(el).chain(id(el)).any(has_drop_token);
    if marked {
        Verdict::Marked
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

/// True when one of the [`tokens`] of `name` is in [`DROP_TOKENS`]; for an
/// ASCII name, without allocating.
fn has_drop_token(name: &str) -> bool {
    if !name.is_ascii() {
        return tokens(name).any(|t| DROP_TOKENS.contains(&t.as_str()));
    }
    let is_drop = |t: &str| {
        // Lower-case into a stack buffer, then a binary search; no drop
        // token is longer than the buffer.
        let mut buf = [0u8; 16];
        let Some(lower) = buf.get_mut(..t.len()) else {
            return false;
        };
        lower.copy_from_slice(t.as_bytes());
        lower.make_ascii_lowercase();
        drop_tokens_sorted().binary_search(&&*lower).is_ok()
    };
    let bytes = name.as_bytes();
    let mut start: Option<usize> = None;
    let mut prev_lower = false;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if let Some(s) = start.take()
                && is_drop(&name[s..i])
            {
                return true;
            }
            continue;
        }
        match start {
            None => start = Some(i),
            Some(s) if b.is_ascii_uppercase() && prev_lower => {
                if is_drop(&name[s..i]) {
                    return true;
                }
                start = Some(i);
            }
            Some(_) => {}
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
    }
    start.is_some_and(|s| is_drop(&name[s..]))
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
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        tokens(s).collect()
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
}
