//! The readable view of an article at `/articles/{id}?format=html`, for
//! articles with no web page of their own (read from files): the search
//! page links their hits here, `#anchor` landing on the section. Owns the
//! page's HTML and its inline CSS (light and dark, readable on a phone).
//!
//! It does not read the index or build the response (status, headers and
//! Content-Security-Policy are [`super::http`]'s); it turns an [`Outline`]
//! into a page, escaping all text from the index.

use rubric_core::text::{escape_html, escape_html_into};
use rubric_index::Outline;

use super::public::is_web;

/// The article: its title, where it came from, and each section's
/// heading (`id` = its anchor) with its paragraphs and list items. All
/// text from the index is escaped.
pub fn article(outline: &Outline) -> String {
    let title = if outline.title.trim().is_empty() {
        outline.article.as_str()
    } else {
        outline.title.as_str()
    };
    let mut body = String::with_capacity(4096);
    body.push_str("<article>\n<header><h1>");
    escape_html_into(&mut body, title);
    body.push_str("</h1>\n<p class=\"source\">");
    match outline.url.as_deref() {
        Some(url) if is_web(url) => {
            body.push_str("Original: <a href=\"");
            escape_html_into(&mut body, url);
            body.push_str("\" rel=\"noreferrer\">");
            escape_html_into(&mut body, url);
            body.push_str("</a>");
        }
        _ => {
            body.push_str("Source: <code>");
            escape_html_into(&mut body, &outline.source);
            body.push_str("</code>");
        }
    }
    body.push_str("</p>\n</header>\n");
    for section in &outline.sections {
        body.push_str("<section>\n");
        if let Some(heading) = &section.heading {
            let level = section.level.clamp(2, 6);
            body.push_str(&format!("<h{level}"));
            if !section.anchor.is_empty() {
                body.push_str(" id=\"");
                escape_html_into(&mut body, &section.anchor);
                body.push('"');
            }
            body.push('>');
            escape_html_into(&mut body, heading);
            body.push_str(&format!("</h{level}>\n"));
        }
        blocks(&mut body, section.text.as_deref().unwrap_or(""));
        body.push_str("</section>\n");
    }
    body.push_str("</article>\n");
    if outline.truncated {
        // Too many sections, or too much text: the last section shown may
        // end early.
        body.push_str(
            "<p class=\"note\">This article is too long to show whole: \
             only its beginning is shown.</p>\n",
        );
    }
    page(title, &body)
}

/// The page for an article the index does not have.
pub fn not_found(id: &str) -> String {
    let shown: String = id.chars().take(200).collect();
    let body = format!(
        "<h1>No such article</h1>\n<p>The index has no article <code>{}</code>. \
         It may have been removed since the search was made.</p>\n",
        escape_html(&shown)
    );
    page("No such article", &body)
}

/// A section's text (one paragraph or list item a line, list items
/// starting `- ` or `1. `) as `<p>`, `<ul>` and `<ol>`.
fn blocks(out: &mut String, text: &str) {
    #[derive(PartialEq)]
    enum List {
        None,
        Bullets,
        Numbers,
    }
    let mut open = List::None;
    let close = |out: &mut String, open: &List| match open {
        List::Bullets => out.push_str("</ul>\n"),
        List::Numbers => out.push_str("</ol>\n"),
        List::None => {}
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (kind, item, number) = if let Some(rest) = line.strip_prefix("- ") {
            (List::Bullets, rest, None)
        } else if let Some((n, rest)) = numbered(line) {
            (List::Numbers, rest, Some(n))
        } else {
            (List::None, line, None)
        };
        if kind != open {
            close(out, &open);
            match kind {
                List::Bullets => out.push_str("<ul>\n"),
                List::Numbers => out.push_str("<ol>\n"),
                List::None => {}
            }
            open = kind;
        }
        match (&open, number) {
            (List::None, _) => {
                out.push_str("<p>");
                escape_html_into(out, item);
                out.push_str("</p>\n");
            }
            (_, Some(n)) => {
                out.push_str(&format!("<li value=\"{n}\">"));
                escape_html_into(out, item);
                out.push_str("</li>\n");
            }
            (_, None) => {
                out.push_str("<li>");
                escape_html_into(out, item);
                out.push_str("</li>\n");
            }
        }
    }
    close(out, &open);
}

/// `12. rest` → (12, "rest").
fn numbered(line: &str) -> Option<(u32, &str)> {
    let (n, rest) = line.split_once(". ")?;
    if n.is_empty() || n.len() > 4 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((n.parse().ok()?, rest))
}

/// The whole page around `body`, in the search page's colours (light
/// and dark), readable on a phone.
fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title} · Rubric</title>
<link rel="icon" href="data:,">
<style>
  :root {{ --bg: #fff; --fg: #1b1b1f; --muted: #5f6270; --line: #e2e3e8; --accent: #2457c5; --sel: #eef3ff; }}
  @media (prefers-color-scheme: dark) {{
    :root {{ --bg: #121316; --fg: #e6e6ea; --muted: #9da0ad; --line: #2b2d33; --accent: #8cb1ff; --sel: #1d2433; }}
  }}
  * {{ box-sizing: border-box; }}
  html {{ -webkit-text-size-adjust: 100%; }}
  body {{ margin: 0; background: var(--bg); color: var(--fg);
         font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
  main {{ max-width: 42rem; margin: 0 auto; padding: 1rem 1rem 4rem; overflow-wrap: anywhere; }}
  nav a, .source a {{ color: var(--accent); }}
  nav {{ font-size: .9rem; margin-bottom: 1rem; }}
  h1 {{ font-size: 1.6rem; line-height: 1.25; margin: 0 0 .25rem; }}
  h2, h3, h4, h5, h6 {{ line-height: 1.3; margin: 1.6rem -.5rem .5rem; padding: .15rem .5rem;
                        border-radius: .35rem; scroll-margin-top: 1rem; }}
  h2 {{ font-size: 1.3rem; }} h3 {{ font-size: 1.12rem; }} h4, h5, h6 {{ font-size: 1rem; }}
  :target {{ background: var(--sel); box-shadow: inset 3px 0 0 var(--accent); }}
  .source, .note {{ color: var(--muted); font-size: .9rem; margin: 0 0 1.5rem; }}
  code {{ font-size: .9em; }}
  p {{ margin: .5rem 0; }}
  ul, ol {{ padding-left: 1.4rem; margin: .5rem 0; }}
  li {{ margin: .25rem 0; }}
  header {{ border-bottom: 1px solid var(--line); margin-bottom: 1rem; }}
</style>
</head>
<body>
<main>
<nav><a href="/">← Search</a></nav>
{body}</main>
</body>
</html>
"#,
        title = escape_html(title),
    )
}
