//! What the server shows of where an article came from. The index keeps
//! each file article's source as it was given to `ingest` (often an
//! absolute path on the machine that built the index); over HTTP a file
//! article's source is shown relative to the folder it was ingested from
//! (its id, which is that relative path), or, when the id is not a path
//! (a JSON Lines record), by the file's name alone, and the links of its
//! sections and hits are built from that. Web articles are shown as they
//! are: their source is their URL.
//!
//! It changes answers after the index made them; it does not read the
//! index, and the command line (`search` on the machine itself) keeps
//! showing full paths.

use std::path::Path;

use rubric_index::{Hit, Outline, SearchResponse};

/// `http://` or `https://`, in any case.
pub(super) fn is_web(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The source of `article` as the server shows it: a web source as it
/// is; a file's path relative to the folder it was ingested from when the
/// id is that path, else the file's name.
pub(super) fn shown_source(article: &str, source: &str) -> String {
    if is_web(source) || source == article {
        return source.to_string();
    }
    if source
        .strip_suffix(article)
        .is_some_and(|folder| folder.ends_with('/'))
    {
        return article.to_string();
    }
    Path::new(source)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An outline with its source and section links as the server shows them.
pub(super) fn outline(outline: &mut Outline) {
    let source = std::mem::take(&mut outline.source);
    let url = outline.url.take().filter(|url| !url.is_empty());
    for section in &mut outline.sections {
        let link = rubric_core::section_link(url.as_deref(), &source, &section.anchor);
        section.url = match &url {
            Some(url) if is_web(url) => link,
            _ => shown_link(&outline.article, &link, &section.anchor),
        };
    }
    // A URL that is a file location (a JSON Lines record with no URL of its
    // own opens at `FILE.jsonl#id`) is shown as a hit's link is.
    outline.url = url.map(|url| match is_web(&url) {
        true => url,
        false => shown_link(&outline.article, &url, ""),
    });
    outline.source = shown_source(&outline.article, &source);
}

/// A search answer with the links of file articles' hits as the server
/// shows them.
pub(super) fn response(response: &mut SearchResponse) {
    response.hits.iter_mut().for_each(hit);
    for group in response.groups.iter_mut().flatten() {
        group.sections.iter_mut().for_each(hit);
        if !is_web(&group.url) {
            // The article's link is its lead's: the best section's link
            // without its anchor.
            if let Some(best) = group.sections.first() {
                group.url = best.url.split('#').next().unwrap_or_default().to_string();
            }
        }
    }
}

/// A hit whose link is a file's location (`escaped source#anchor`) gets
/// the shown source's instead.
fn hit(hit: &mut Hit) {
    if is_web(&hit.url) {
        return;
    }
    // The article part of a hit id is escaped and holds no `#`: the
    // anchor is what follows the first one.
    let anchor = hit.id.split_once('#').map_or("", |(_, anchor)| anchor);
    hit.url = shown_link(&hit.article, &hit.url, anchor);
}

/// The link `link` of the section at `anchor` of a file article (its
/// escaped location, `#anchor` unless the location has a fragment already)
/// built again from the location as the server shows it.
fn shown_link(article: &str, link: &str, anchor: &str) -> String {
    let escaped = if anchor.is_empty() {
        link
    } else {
        link.strip_suffix(anchor)
            .and_then(|rest| rest.strip_suffix('#'))
            .unwrap_or(link)
    };
    // `escape_id` escaped every `%` it kept, so decoding gives the source.
    let source = percent_encoding::percent_decode_str(escaped).decode_utf8_lossy();
    let shown = shown_source(article, &source);
    rubric_core::section_link(None, &shown, anchor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_shown_relative_to_the_ingest_root() {
        for (article, source, shown) in [
            ("blog/post.md", "/home/me/site/blog/post.md", "blog/post.md"),
            ("post.md", "/home/me/site/blog/post.md", "post.md"),
            ("a.md", "a.md", "a.md"),
            ("faq#1.md", "/srv/d/faq#1.md", "faq#1.md"),
            // A record's id is not a path: the file's name.
            ("rec-7", "/home/me/data/records.jsonl", "records.jsonl"),
            // A suffix that is not a whole path component is no match.
            ("st.md", "/home/me/post.md", "post.md"),
            ("https://e.org/a", "https://e.org/a", "https://e.org/a"),
        ] {
            assert_eq!(shown_source(article, source), shown, "{source}");
        }
    }

    fn a_hit(id: &str, article: &str, url: &str) -> Hit {
        Hit {
            id: id.into(),
            article: article.into(),
            title: String::new(),
            heading: None,
            level: 1,
            path: Vec::new(),
            url: url.into(),
            score: 1.0,
            language: None,
            snippet: String::new(),
            excerpt: rubric_index::Excerpt::default(),
            ordinal: 0,
            explain: None,
            hybrid: None,
        }
    }

    #[test]
    fn hit_links_lose_the_folder_and_keep_their_escapes() {
        let mut h = a_hit(
            "faq%231%3F.md#setup",
            "faq#1?.md",
            "/tmp/build/d/faq%231%3F.md#setup",
        );
        hit(&mut h);
        assert_eq!(h.url, "faq%231%3F.md#setup");
        let mut lead = a_hit("100%25.md", "100%.md", "/tmp/build/100%25.md");
        hit(&mut lead);
        assert_eq!(lead.url, "100%25.md");
        let mut web = a_hit(
            "https://e.org/a%23b#x",
            "https://e.org/a#b",
            "https://e.org/a#x",
        );
        hit(&mut web);
        assert_eq!(web.url, "https://e.org/a#x");
    }
}
