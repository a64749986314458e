//! Which elements are the article: the containers the walk reads.
//!
//! A `<main>` (or `role=main`) wins, then an `<article>`, each by its text,
//! unless a denser run of paragraphs beside it holds far more text; with
//! neither, the densest run of paragraphs (readability-style scores), else
//! `<body>`. This module does not say what inside the chosen containers is
//! dropped (`boilerplate`) or how they become sections (`walk`).

use std::collections::HashMap;

use scraper::ElementRef;

use super::boilerplate::{in_furniture, is_furniture};
use super::density::Sizes;
use super::page::Page;
use super::tree::visit;

/// The containers of the main content, in document order: the `<main>`
/// (or `role=main`) with the most text, else the `<article>` with the
/// most text (the one holding the title `<h1>` when it has a fair share),
/// else the densest run of paragraphs ([`densest`]), else `<body>`.
/// Candidates inside furniture (a comment `<article>`, an `<aside>`) do not count.
pub(super) fn roots<'a>(page: &Page<'a>) -> Vec<ElementRef<'a>> {
    let body = page.body.unwrap_or(page.html);
    let sizes = page.sizes;
    let text_len = |el: ElementRef<'a>| sizes.text(el);
    let body_len = text_len(body);
    let dense = densest(sizes, body, body_len);
    let live = |els: &[ElementRef<'a>]| -> Vec<ElementRef<'a>> {
        els.iter()
            .copied()
            .filter(|el| !in_furniture(sizes, *el, body_len))
            .collect()
    };
    let holds_title = |el: ElementRef<'a>| {
        page.first_h1
            .is_some_and(|h1| h1.ancestors().any(|a| a == *el))
    };
    let articles = live(&page.articles);
    let candidate = most_text(sizes, &live(&page.mains)).or_else(|| {
        let best = most_text(sizes, &articles)?;
        let with_title = articles
            .iter()
            .copied()
            .find(|a| holds_title(*a) && text_len(*a) >= 200.min(text_len(best)));
        Some(with_title.unwrap_or(best))
    });
    match (candidate, dense.first()) {
        (Some(c), Some(&top)) => {
            // A container that holds the title, or holds (or sits in)
            // the densest text, is trusted; one beside it that holds far
            // less text than the dense part is a teaser or a widget.
            let related =
                top.ancestors().any(|a| a == *c) || c.ancestors().any(|a| a == *top) || c == top;
            let dense_len: usize = dense.iter().map(|d| text_len(*d)).sum();
            if holds_title(c) || related || dense_len <= 2 * text_len(c) {
                vec![c]
            } else {
                dense
            }
        }
        (Some(c), None) => vec![c],
        (None, Some(_)) => dense,
        (None, None) => vec![body],
    }
}

/// Readability-style choice for the main content: each paragraph (`p`,
/// `pre`, `blockquote` with 25+ characters of mostly unlinked text, outside
/// furniture) gives points to its parent and half to its grandparent; the
/// best-scoring container wins, with its siblings that score at least a
/// fifth as well (article bodies split by ad slots). Empty when no element
/// scores.
fn densest<'a>(sizes: &Sizes, body: ElementRef<'a>, body_len: usize) -> Vec<ElementRef<'a>> {
    let mut scores = HashMap::new();
    visit(body, &mut |el: ElementRef<'a>| {
        if is_furniture(sizes, el, body_len) {
            return false;
        }
        if !matches!(el.value().name(), "p" | "pre" | "blockquote") {
            return true;
        }
        let len = sizes.text(el);
        if len < 25 || sizes.link_density(el) > 0.5 {
            return false;
        }
        let commas = el
            .text()
            .map(|t| t.matches([',', '\u{3001}', '\u{ff0c}']).count())
            .sum::<usize>();
        let points = 1.0 + commas as f64 + (len as f64 / 100.0).min(3.0);
        let mut up = el.ancestors().filter_map(ElementRef::wrap);
        if let Some(parent) = up.next() {
            scores.entry(parent.id()).or_insert((parent, 0.0)).1 += points;
            if let Some(grand) = up.next() {
                scores.entry(grand.id()).or_insert((grand, 0.0)).1 += points / 2.0;
            }
        }
        false
    });
    let scored: Vec<(ElementRef<'_>, f64)> = scores
        .into_values()
        .map(|(el, s)| (el, s * (1.0 - sizes.link_density(el))))
        .collect();
    let Some(&(top, top_score)) = scored.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
        return Vec::new();
    };
    let Some(parent) = top.parent() else {
        return vec![top];
    };
    let threshold = (top_score * 0.2).max(10.0);
    if let Some(common) = split_article(sizes, top, &scored, threshold) {
        return vec![common];
    }
    parent
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|sib| {
            *sib == top
                || scored.iter().any(|(el, s)| el == sib && *s >= threshold)
                || (sib.value().name() == "p"
                    && sizes.text(*sib) >= 80
                    && sizes.link_density(*sib) < 0.25)
        })
        .collect()
}

/// An article body split into chunks made by one component (the same tag
/// and `class`) at different depths, with figures, quotes or subheads
/// between them: the nearest element holding the best chunk and every other
/// chunk that scores at least `threshold`, when it is not `<body>` and the
/// chunks hold at least half of its text.
fn split_article<'a>(
    sizes: &Sizes,
    top: ElementRef<'a>,
    scored: &[(ElementRef<'a>, f64)],
    threshold: f64,
) -> Option<ElementRef<'a>> {
    let class = top
        .value()
        .attr("class")
        .map(str::trim)
        .filter(|c| !c.is_empty())?;
    let name = top.value().name();
    let chunks: Vec<ElementRef<'a>> = scored
        .iter()
        .filter(|(el, score)| {
            *el != top
                && *score >= threshold
                && el.value().name() == name
                && el.value().attr("class").map(str::trim) == Some(class)
        })
        .map(|(el, _)| *el)
        .collect();
    if chunks.is_empty() {
        return None;
    }
    let chain: Vec<ElementRef<'a>> = top.ancestors().filter_map(ElementRef::wrap).collect();
    let mut depth = 0;
    for chunk in &chunks {
        let meet = chunk
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find_map(|a| chain.iter().position(|c| *c == a))?;
        depth = depth.max(meet);
    }
    let common = *chain.get(depth)?;
    let held: usize = chunks.iter().chain([&top]).map(|c| sizes.text(*c)).sum();
    (!matches!(common.value().name(), "body" | "html") && held * 2 >= sizes.text(common))
        .then_some(common)
}

/// The element with the most text, if any has text.
fn most_text<'a>(sizes: &Sizes, els: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
    els.iter()
        .map(|&el| (sizes.text(el), el))
        .filter(|(len, _)| *len > 0)
        .max_by_key(|(len, _)| *len)
        .map(|(_, el)| el)
}

#[cfg(test)]
mod tests {
    use super::super::testing::page;

    #[test]
    fn an_article_split_across_depths_is_read_whole() {
        let para =
            "<p>A sentence of the story, with commas, clauses, and enough words to count.</p>";
        let chunk = format!(r#"<div class="story-body">{}</div>"#, para.repeat(4));
        let src = format!(
            r#"<body><div class="page"><div class="intro"><div>{chunk}</div></div>
            <section><h2>Part two</h2><div>{chunk}</div></section></div><div>{para}</div></body>"#
        );
        let a = page(&src);
        assert_eq!(a.sections.len(), 2);
        assert_eq!(a.sections[0].text.lines().count(), 4);
        assert_eq!(a.sections[1].heading.as_deref(), Some("Part two"));
    }

    #[test]
    fn main_wins_over_article_and_the_longest_article_wins() {
        let a = page("<article><p>short</p></article><main><p>in main</p></main>");
        assert_eq!(a.sections[0].text, "in main");
        let a = page(
            "<article><p>teaser</p></article><article><p>the real story here</p></article><p>outside</p>",
        );
        assert_eq!(a.sections[0].text, "the real story here");
    }
}
