//! Section anchors: GitHub-style heading slugs made unique within an article.
//!
//! GitHub's rule (as github-slugger implements it): lower-case, drop every
//! character that is not a letter, digit, space, `-` or `_`, then turn each
//! space into `-`. Repeats get `-1`, `-2`, ... The rule is a dozen lines and the
//! crates that offer "slugs" implement a different one (they collapse
//! punctuation into dashes), so it lives here.

use std::collections::HashSet;

/// GitHub-style slug of a heading: `"2. Eczema (Atopic Dermatitis)"` becomes
/// `"2-eczema-atopic-dermatitis"`.
pub fn slug(heading: &str) -> String {
    let mut out = String::with_capacity(heading.len());
    for ch in heading.trim().chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == '-' {
            out.extend(ch.to_lowercase());
        } else if ch.is_whitespace() {
            out.push('-');
        }
    }
    out
}

/// Hands out anchors unique within one article. Ids taken from the source
/// (HTML `id`, Markdown `{#id}`) are reserved as given; slugs that collide get
/// `-1`, `-2`, ...
#[derive(Debug, Default)]
pub struct Anchors {
    used: HashSet<String>,
}

impl Anchors {
    /// An empty set.
    pub fn new() -> Anchors {
        Anchors::default()
    }

    /// The anchor for a heading: `explicit` when given and not yet used,
    /// else a unique slug of `heading`.
    pub fn anchor(&mut self, heading: &str, explicit: Option<&str>) -> String {
        if let Some(id) = explicit.map(str::trim).filter(|id| !id.is_empty())
            && self.used.insert(id.to_string())
        {
            return id.to_string();
        }
        let base = match slug(heading) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| self.used.insert(candidate.clone()))
            .unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_style() {
        assert_eq!(
            slug("2. Eczema (Atopic Dermatitis)"),
            "2-eczema-atopic-dermatitis"
        );
        assert_eq!(
            slug("What Is the Gut Microbiome?"),
            "what-is-the-gut-microbiome"
        );
        assert_eq!(
            slug("The Gut-Skin Axis: A Two-Way Street"),
            "the-gut-skin-axis-a-two-way-street"
        );
        assert_eq!(
            slug("How to Support Your Gut\u{2014}and Your Skin"),
            "how-to-support-your-gutand-your-skin"
        );
        assert_eq!(slug("Café au lait"), "café-au-lait");
    }

    #[test]
    fn repeats_are_numbered() {
        let mut a = Anchors::new();
        assert_eq!(a.anchor("Causes", None), "causes");
        assert_eq!(a.anchor("Causes", None), "causes-1");
        assert_eq!(a.anchor("Causes", None), "causes-2");
        assert_eq!(a.anchor("Intro", Some("top")), "top");
        assert_eq!(a.anchor("Top", None), "top-1");
        assert_eq!(a.anchor("???", None), "section");
    }
}
