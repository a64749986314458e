//! Which elements are the article: the containers the walk reads.
//!
//! A `<main>` (or `role=main`) wins, then an `<article>`, each by its text,
//! when it holds the densest run of paragraphs or a fair share of its text;
//! otherwise (a teaser, a headline card, a near-empty `<main>`) and with
//! neither, the densest run of paragraphs (readability-style scores, where
//! a `<div>` of text and `<br>`s counts as a paragraph), else `<body>`
//! (also when that run is a small share of a page of scattered blocks).
//! A short lead between the title `<h1>` and a root that does not hold it
//! (an intro beside the body's container) is read first ([`with_lead`]).
//! This module does not say what inside the chosen containers is dropped
//! (`boilerplate`) or how they become sections (`walk`).

use std::collections::HashMap;

use scraper::ElementRef;

use super::boilerplate::{in_furniture, is_furniture};
use super::density::{Size, Sizes, is_inline};
use super::page::Page;
use super::tree::visit;

/// The containers of the main content, in document order: the `<main>`
/// (or `role=main`) with the most text, else the `<article>` with the
/// most text (the one holding the title `<h1>` when it has a fair share),
/// when it holds the densest text ([`densest`]) or at least half as much
/// (a quarter when it holds the title); else the densest run of
/// paragraphs, else `<body>`; `<body>` too when that run is a small share
/// of the page ([`SCATTERED`]). Candidates inside furniture (a comment
/// `<article>`, an `<aside>`) do not count.
pub(super) fn roots<'a>(page: &Page<'a>) -> Vec<ElementRef<'a>> {
    let body = page.body.unwrap_or(page.html);
    let sizes = page.sizes;
    let text_len = |el: ElementRef<'a>| sizes.text(el);
    let body_len = text_len(body);
    let (dense, prose) = densest(sizes, body, body_len);
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
    // Of several `<main>`s, the one holding the densest text (not a
    // comment thread with more text beside it), else the one with the most
    // text.
    let holds_top = |el: ElementRef<'a>| {
        dense
            .first()
            .is_some_and(|top| *top == el || top.ancestors().any(|a| a == *el))
    };
    let pick = |els: &[ElementRef<'a>]| {
        els.iter()
            .copied()
            .find(|el| holds_top(*el))
            .or_else(|| most_text(sizes, els))
    };
    let articles = live(&page.articles);
    let candidate = pick(&live(&page.mains)).or_else(|| {
        let best = most_text(sizes, &articles)?;
        let with_title = articles
            .iter()
            .copied()
            .find(|a| holds_title(*a) && text_len(*a) >= 200.min(text_len(best)));
        Some(with_title.unwrap_or(best))
    });
    match (candidate, dense.first()) {
        (Some(c), Some(&top)) => {
            // A container that holds the densest text is trusted, and so is
            // one inside it or beside it with a fair share of that text (a
            // quarter when it holds the title); a smaller one is a teaser,
            // a headline card or a widget.
            let dense_len: usize = dense.iter().map(|d| text_len(*d)).sum();
            let c_len = text_len(c);
            let holds_dense = top.ancestors().any(|a| a == *c) || c == top;
            if holds_dense || dense_len <= 2 * c_len || (holds_title(c) && dense_len <= 4 * c_len) {
                vec![c]
            } else {
                dense
            }
        }
        (Some(c), None) => vec![c],
        (None, Some(_)) => {
            let dense_len: usize = dense.iter().map(|d| text_len(*d)).sum();
            if dense_len * SCATTERED < body_len && prose >= 2 * dense_len {
                vec![body]
            } else {
                dense
            }
        }
        (None, None) => vec![body],
    }
}

/// With no `<main>` or `<article>`, the densest run of paragraphs holding
/// less than this fraction (1/`SCATTERED`) of the body's text, and less
/// than half of the text of the page's paragraphs, is only the best of many
/// small blocks (a landing, product or recipe page whose text is spread
/// over cards and tabs); the body is read instead, minus its furniture. (A
/// short story beside a big table of data keeps its run: the table's cells
/// are not paragraphs.) On traf-dev 1/6 and 1/8 change the same six pages;
/// without the paragraph condition 1/6 also took two news pages' sidebars.
const SCATTERED: usize = 8;

/// Fewest words per comma for the commas to count as clauses (with one
/// more for the last clause): a list of keywords or tags (`a, b c, d`) has
/// a comma every word or two; prose has several words between them.
const MIN_WORDS_PER_COMMA: f64 = 2.5;

/// The commas of a paragraph that separate clauses: all of them, unless
/// they come so often that the text is a comma-separated list.
fn clause_commas(size: Size) -> usize {
    if (size.words as f64) < MIN_WORDS_PER_COMMA * (size.commas + 1) as f64 {
        0
    } else {
        size.commas
    }
}

/// Most characters of the lead read with the main content ([`with_lead`]).
const MAX_LEAD: usize = 800;

/// Fewest characters of a block of the lead: a sentence, not a kicker, a
/// photo credit or a reading time.
const MIN_LEAD_BLOCK: usize = 50;

/// The roots with the article's lead (standfirst, intro) in front: what
/// sits between the title `<h1>` and the first root when the root does not
/// hold the title, found by going up from the root and taking the elements
/// before it, up to the one holding the title. Taken when it is short
/// ([`MAX_LEAD`] characters), and only its blocks that are not furniture
/// or mostly links (share bars, breadcrumbs) and that read as a sentence
/// ([`MIN_LEAD_BLOCK`]).
pub(super) fn with_lead<'a>(
    sizes: &Sizes,
    roots: Vec<ElementRef<'a>>,
    title_h1: Option<ElementRef<'a>>,
    body_len: usize,
) -> Vec<ElementRef<'a>> {
    let (Some(h1), Some(&first)) = (title_h1, roots.first()) else {
        return roots;
    };
    if h1.ancestors().any(|a| a == *first) || first.ancestors().any(|a| a == *h1) {
        return roots;
    }
    let mut leads = Vec::new();
    let mut node = first;
    'up: loop {
        for sib in node.prev_siblings().filter_map(ElementRef::wrap) {
            if sib == h1 || h1.ancestors().any(|a| a == *sib) {
                break 'up;
            }
            leads.push(sib);
        }
        match node.parent().and_then(ElementRef::wrap) {
            Some(parent) if !matches!(parent.value().name(), "body" | "html") => node = parent,
            _ => return roots,
        }
    }
    let len: usize = leads.iter().map(|l| sizes.text(*l)).sum();
    if len == 0 || len > MAX_LEAD {
        return roots;
    }
    let mut out: Vec<ElementRef<'a>> = leads
        .into_iter()
        .rev()
        .filter(|l| {
            sizes.text(*l) >= MIN_LEAD_BLOCK
                && sizes.link_density(*l) < 0.5
                && !in_furniture(sizes, *l, body_len)
                && !is_furniture(sizes, *l, body_len)
        })
        .collect();
    out.extend(roots);
    out
}

/// Readability-style choice for the main content: each paragraph with 25+
/// characters of mostly unlinked text, outside furniture, scores 1, plus
/// its commas (when they separate clauses, not the items of a keyword
/// list), plus a point per 100 characters (at most 3). A paragraph
/// element (`p`, `pre`, `blockquote`) gives its points to its parent and
/// half to its grandparent; the own text of any other block (a `div` of
/// text and `<br>`s, a table cell) is a paragraph inside it, so its points
/// go to that block and half to its parent. The best-scoring container
/// (scaled by its unlinked share) wins, with its siblings that score at
/// least a fifth as well (article bodies split by ad slots). Empty when no
/// element scores. Also says how many characters all the paragraphs that
/// scored hold.
fn densest<'a>(
    sizes: &Sizes,
    body: ElementRef<'a>,
    body_len: usize,
) -> (Vec<ElementRef<'a>>, usize) {
    let mut scores = HashMap::new();
    let mut prose = 0;
    let mut add = |el: ElementRef<'a>, points: f64| {
        scores.entry(el.id()).or_insert((el, 0.0)).1 += points;
    };
    visit(body, &mut |el: ElementRef<'a>| {
        if is_furniture(sizes, el, body_len) {
            return false;
        }
        let name = el.value().name();
        let size = sizes.get(el);
        let scores_text =
            !is_inline(name) && !is_heading(name) && !matches!(name, "li" | "dt" | "dd" | "tr");
        if scores_text && size.inline >= 25 && size.inline_linked * 2 <= size.inline {
            let points = 1.0 + clause_commas(size) as f64 + (size.inline as f64 / 100.0).min(3.0);
            prose += size.inline;
            let mut up = el.ancestors().filter_map(ElementRef::wrap);
            // A block of text alone is a paragraph; the text between the
            // blocks of a container is a paragraph inside it.
            // A table cell is always a container: a table of short rows is
            // data, not a run of paragraphs.
            let paragraph = matches!(name, "p" | "pre" | "blockquote")
                || (size.inline == size.text && !matches!(name, "td" | "th"));
            let first = if paragraph { up.next() } else { Some(el) };
            if let Some(first) = first {
                add(first, points);
            }
            if let Some(second) = up.next() {
                add(second, points / 2.0);
            }
        }
        // Only blocks hold more paragraphs.
        size.inline < size.text
    });
    let scored: Vec<(ElementRef<'_>, f64)> = scores
        .into_values()
        .map(|(el, s)| (el, s * (1.0 - sizes.link_density(el))))
        .collect();
    let Some(&(top, top_score)) = scored.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
        return (Vec::new(), prose);
    };
    if tracing::enabled!(tracing::Level::TRACE) {
        let mut best: Vec<_> = scored.iter().collect();
        best.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (el, score) in best.iter().take(8) {
            tracing::trace!(score, text = sizes.text(*el), "candidate {}", describe(*el));
        }
    }
    let Some(parent) = top.parent() else {
        return (vec![top], prose);
    };
    let threshold = (top_score * 0.2).max(10.0);
    if let Some(common) = split_article(sizes, top, &scored, threshold) {
        return (vec![common], prose);
    }
    let run = parent
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|sib| {
            *sib == top
                || scored.iter().any(|(el, s)| el == sib && *s >= threshold)
                || (sib.value().name() == "p"
                    && sizes.text(*sib) >= 80
                    && sizes.link_density(*sib) < 0.25)
        })
        .collect();
    (run, prose)
}

/// `tag#id.class`, for traces.
pub(super) fn describe(el: ElementRef<'_>) -> String {
    let v = el.value();
    let mut s = v.name().to_string();
    if let Some(id) = v.id() {
        s.push('#');
        s.push_str(id);
    }
    for class in v.classes() {
        s.push('.');
        s.push_str(class);
    }
    s
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Score of a chunk of a split article that counts whatever the best one
/// scores: about one paragraph of a sentence or two ([`split_article`]).
const MIN_CHUNK_SCORE: f64 = 3.0;

/// An article body split into chunks made by one component (the same tag
/// and `class`) at different depths, with figures, quotes or subheads
/// between them: the nearest element holding the best chunk and every other
/// chunk that scores at least `threshold` or [`MIN_CHUNK_SCORE`] (a text
/// module of one paragraph between subheads, a forum post), when it is not
/// `<body>` and the chunks hold at least half of its text.
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
                && *score >= threshold.min(MIN_CHUNK_SCORE)
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
    use super::super::testing::{body, page};

    #[test]
    fn a_landing_page_of_small_blocks_is_read_whole_not_from_its_best_card() {
        let card = |n: u32| {
            format!(
                r#"<section class="s{n}"><div class="w"><h2>Feature {n}</h2>
                <div class="c"><span>Our app shows feature {n} to every visitor of the site</span></div>
                </div></section>"#
            )
        };
        let cards: String = (1..=14).map(card).collect();
        let src = format!(
            r#"<body><div class="hero"><div class="quote"><p>The campaign, which ran for a month,
            reached many young people, and it did so at a low cost.</p></div></div>{cards}</body>"#
        );
        let a = page(&src);
        let text: Vec<&str> = a.sections.iter().map(|s| s.text.as_str()).collect();
        let text = text.join("\n");
        assert!(text.contains("The campaign"), "{text}");
        assert!(
            text.contains("feature 1 to") && text.contains("feature 14 to"),
            "{text}"
        );
    }

    #[test]
    fn a_lead_between_the_title_and_the_body_container_is_read_first() {
        let para =
            "<p>A sentence of the story, with commas, clauses, and enough words to count.</p>";
        let story = para.repeat(6);
        let lead = "<p class=intro>The city has launched a five-year project to mark its colonial past.</p>";
        let share = r#"<div class="sharing-bar"><a href="/fb">Share on Facebook, now</a></div>"#;
        let a = body(&format!(
            r#"<body><div class="col"><h1>Berlin confronts its past</h1>{lead}{share}
            <div class="group"><div class="longText">{story}</div></div></div>
            <div class="more"><p>Other things entirely, a paragraph of it.</p></div></body>"#
        ));
        assert!(a.starts_with("The city has launched"), "{a}");
        assert!(!a.contains("Share"), "{a}");
        // Too much between the title and the body: not a lead.
        let long =
            "<p>A long block of other text that goes on and on, far beyond a lead.</p>".repeat(16);
        let a = body(&format!(
            r#"<body><div class="col"><h1>Berlin confronts its past</h1><div>{long}</div>
            <article>{story}{story}{story}</article></div></body>"#
        ));
        assert!(a.starts_with("A sentence of the story"), "{a}");
    }

    #[test]
    fn an_article_of_one_paragraph_modules_between_subheads_is_read_whole() {
        let module = |t: &str| {
            format!(
                r#"<div class="text-wrapper"><div class="text-element"><p>{t}, and then, some more words, of the story to read.</p></div></div>"#
            )
        };
        let head = |t: &str| format!(r#"<div class="headline"><h2>{t}</h2></div>"#);
        let src = format!(
            r#"<body><div class="col-9">{}{}{}{}{}</div>
            <div class="col-3"><p>Contact us by mail or phone on any day of the week.</p></div></body>"#,
            module("The cup quarter final is a family affair"),
            head("Brothers"),
            module("One plays for the hosts, one for the guests"),
            head("Form"),
            module("Both teams won their last three games, at home")
        );
        let a = page(&src);
        let text: Vec<&str> = a.sections.iter().map(|s| s.text.as_str()).collect();
        let text = text.join("\n");
        assert!(text.starts_with("The cup quarter final"), "{text}");
        assert!(text.contains("Both teams won"), "{text}");
        assert!(!text.contains("Contact us"), "{text}");
    }

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

    const SENTENCE: &str =
        "A sentence of the story, with commas, clauses, and enough words to count. ";

    #[test]
    fn text_in_divs_and_br_lines_is_scored_like_paragraphs() {
        // The story is one div of text and <br>s; a widget beside it has
        // short paragraphs.
        let story = format!("<div class=x>{}</div>", [SENTENCE; 4].join("<br>"));
        let widget = "<div><p>Sign up for our list, it is free, and fun.</p><p>Follow us, like us, share us, now.</p></div>";
        let a = page(&format!(
            "<body><div>{widget}</div><div>{story}</div></body>"
        ));
        assert_eq!(
            a.sections[0].text.lines().count(),
            4,
            "{}",
            a.sections[0].text
        );
        // Paragraphs made of divs are read from their container.
        let dig = format!(
            r#"<div class="text">{}</div>"#,
            format!("<div>{SENTENCE}</div>").repeat(3)
        );
        let a = page(&format!("<body>{widget}{dig}</body>"));
        assert_eq!(a.sections[0].text.lines().count(), 3);
    }

    #[test]
    fn a_comma_separated_keyword_list_does_not_outscore_the_post() {
        // Readability counts a point per comma; a block of search keywords
        // has one every word or two.
        let keywords = "update, fehler, code 801812dd, zune, windows phone, htc, mozart, \
                        fehlercode 801811a5, zune updates, o2, vodafone, telekom, nokia, lumia";
        let post = "Hm, I am patient, but there is still nothing on my phone. The update \
                    should show up when I connect it to my computer, if I understood right.";
        let a = page(&format!(
            r#"<body><div class="posts"><div class="message">{post}</div></div>
            <div class="seo"><div class="cell">{keywords}</div></div></body>"#
        ));
        assert_eq!(a.sections[0].text, post);
    }

    #[test]
    fn a_table_of_short_rows_is_not_the_article() {
        let rows =
            "<tr><td>Aberconwy constituency</td><td>someone.mp@example.org</td></tr>".repeat(40);
        let story = format!("<div>{}</div>", format!("<p>{SENTENCE}</p>").repeat(3));
        let a = page(&format!(
            "<body>{story}<div><table>{rows}</table></div></body>"
        ));
        assert!(a.sections[0].text.starts_with("A sentence"));
        assert!(!a.sections[0].text.contains("Aberconwy"));
    }

    #[test]
    fn an_article_with_the_title_but_little_text_does_not_hide_the_body_beside_it() {
        let body = format!("<p>{SENTENCE}</p>").repeat(5);
        let src = format!(
            "<body><article><h1>Headline</h1><p>Deck.</p></article><section>{body}</section></body>"
        );
        let a = page(&src);
        assert_eq!(a.title, "Headline");
        assert_eq!(a.sections[0].text.lines().count(), 5);
        // A near-empty <main> is not trusted either.
        let a = page(&format!(
            "<body><main><p>Tags</p></main><div>{body}</div></body>"
        ));
        assert_eq!(a.sections[0].text.lines().count(), 5);
    }

    #[test]
    fn of_several_mains_the_one_with_the_densest_text_wins_over_a_longer_thread() {
        // The story, then a comment thread marked as main too, with more
        // text in many short, linked comments.
        let story = format!("<p>{SENTENCE}</p>").repeat(4);
        let comment =
            r#"<li><a href="/u/1">Reader</a> wrote: <a href="/c/1">I disagree with this entirely, as usual</a></li>"#
                .repeat(20);
        let a = page(&format!(
            r#"<body><span role="main">{story}</span><span role="main"><ul>{comment}</ul></span></body>"#
        ));
        assert_eq!(
            a.sections[0].text.lines().count(),
            4,
            "{}",
            a.sections[0].text
        );
        assert!(a.sections[0].text.starts_with("A sentence"));
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
