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
    if let Some(role) = el.attr("role") {
        let role = role.trim().to_ascii_lowercase();
        if DROP_ROLES.contains(&role.as_str()) {
            return Verdict::Furniture;
        }
    }
    if is_hidden(el) {
        return Verdict::Furniture;
    }
    let marked = el
        .classes()
        .chain(el.id())
        .any(|name| tokens(name).any(|t| DROP_TOKENS.contains(&t.as_str())));
    if marked {
        Verdict::Marked
    } else {
        Verdict::Keep
    }
}

fn is_hidden(el: &Element) -> bool {
    if el.attr("hidden").is_some() {
        return true;
    }
    if el
        .attr("aria-hidden")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    el.classes().any(|c| HIDDEN_CLASSES.contains(&c))
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
    fn tokens_are_whole_words() {
        assert_eq!(toks("post-sidebar_left"), ["post", "sidebar", "left"]);
        assert_eq!(toks("relatedLinks"), ["related", "links"]);
        assert_eq!(toks("HTMLContent"), ["htmlcontent"]);
        assert!(!toks("header-image").iter().any(|t| t == "ad"));
        assert!(!toks("masthead").iter().any(|t| t == "ad"));
    }
}
