//! Plain-text extraction: headings are inferred from the shape of bare lines.
//!
//! This module owns the rules that turn a text file into an outline:
//!
//! - **Paragraphs** are lines. Blank lines separate blocks, but a single
//!   newline also ends a paragraph (many files have no blank lines at all),
//!   except where a line is hard-wrapped prose: a line that does not end a
//!   clause followed by one that starts lower-case is joined to it, and so is
//!   an indented line under a list item.
//! - **List items** (`- x`, `* x`, `• x`) are text lines with a leading `- `;
//!   runs of numbered lines with no paragraph between them (`1. x`, `2) y`)
//!   are a numbered list and stay text as written.
//! - **Headings** are lines of heading shape (see [`shape::heading_style`]:
//!   short, no sentence end, capitalised, Title Case or a short phrase, or a
//!   question) that follow a finished sentence or start a block, and are
//!   followed by a paragraph or by one more heading. Before a list only a
//!   Title Case line or a question is a heading; "Common symptoms include" is
//!   a lead-in and stays text. A line underlined with `===`, `---` or `~~~`
//!   is a heading of level 2, 3 or 4.
//! - **Levels**: headings of one look (numbered; sentence-case question;
//!   Title Case; other short phrase; ALL CAPS) are siblings. A new look nests
//!   under the heading before it when that heading has no text yet or its
//!   text ends with a colon ("Skin conditions" then "1. Acne"); Title Case
//!   headings nest under the current sentence-case question ("What are the
//!   treatments for X ?" then "Medical Treatment"). Otherwise a heading is
//!   top-level: 2. Numbering adds depth ("2.1" is one below "2.").
//! - **Title**: a first line of heading shape followed by more text is the
//!   title and not a section; otherwise the title comes from the file name.
//! - **Boilerplate**: short capitalised lines with no sentence end in the
//!   last block after a blank line ("Leave a comment", "Share this") are
//!   dropped when the article before them ends with a finished sentence.
//!
//! It does not own the outline bookkeeping (paths, unique anchors: see
//! [`rubric_core::SectionBuilder`]), decoding ([`crate::decode_text`]) or the
//! article id (the caller's).

mod shape;

use rubric_core::{Format, SectionBuilder};

use crate::{Draft, ErrorKind, ExtractError, Input, decode_text, title_from_source};
use shape::{Style, heading_style, list_item, numbering};

/// Most lines a trailing block of calls to action may have.
const MAX_BOILERPLATE_LINES: usize = 3;
/// How many lines at each end of a text may be page furniture.
const EDGE_LINES: usize = 3;
/// Deepest level a heading gets.
const MAX_LEVEL: u8 = 6;

/// Extracts one article from plain text. Errors when the bytes are not text
/// (binary, broken UTF-8) or hold no text at all; every error names the source.
pub(crate) fn extract(input: &Input<'_>) -> Result<Draft, ExtractError> {
    let text = decode_text(input.source, input.bytes)?;
    let mut lines = read_lines(text);
    drop_page_furniture(&mut lines);
    drop_trailing_boilerplate(&mut lines);
    let mut lines = join_wrapped(lines);
    if lines.is_empty() {
        return Err(input.error(ErrorKind::Empty));
    }
    let title = take_title(&mut lines).unwrap_or_else(|| title_from_source(input.source));
    let sections = outline(&classify(&lines));
    Ok(Draft::new(
        input.id,
        input.source,
        Format::Text,
        title,
        sections,
    ))
}

/// One non-blank line of the source.
#[derive(Debug, Clone)]
struct Line {
    /// The trimmed text, list markers normalised to `- `.
    text: String,
    /// The source line started with white space.
    indented: bool,
    /// A blank line (or a rule, or the start of the file) comes before it.
    after_blank: bool,
    /// The level its underline gives it (`===` 2, `---` 3, `~~~` 4).
    underline: Option<u8>,
}

impl Line {
    fn is_list_item(&self) -> bool {
        list_item(&self.text).is_some()
    }
}

/// Splits the text into non-blank lines, noting blank lines before them and
/// folding underlines (`===`, `---`) into the line above. Other rules
/// (`***`, `___`, a `---` after a blank line) separate blocks and are dropped.
fn read_lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut after_blank = true;
    for raw in text.lines().flat_map(|l| l.split('\r')) {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            after_blank = true;
            continue;
        }
        if let Some(ch) = rule_char(trimmed) {
            if let Some(prev) = out.last_mut().filter(|_| !after_blank)
                && can_be_underlined(prev)
            {
                prev.underline = underline_level(ch);
            }
            after_blank = true;
            continue;
        }
        out.push(Line {
            text: normalise_list_marker(trimmed),
            indented: raw.starts_with(char::is_whitespace),
            after_blank,
            underline: None,
        });
        after_blank = false;
    }
    out
}

/// The character a rule line (`=====`, `- - -`, `***`) repeats, if it is one.
fn rule_char(line: &str) -> Option<char> {
    let mut chars = line.chars().filter(|c| !c.is_whitespace());
    let first = chars.next()?;
    let mut count = 1;
    for c in chars {
        if c != first {
            return None;
        }
        count += 1;
    }
    (count >= 3 && matches!(first, '=' | '-' | '~' | '^' | '*' | '_' | '#')).then_some(first)
}

/// The heading level an underline character gives.
fn underline_level(ch: char) -> Option<u8> {
    match ch {
        '=' => Some(2),
        '-' => Some(3),
        '~' => Some(4),
        '^' => Some(5),
        _ => None,
    }
}

/// A line directly above an underline is a heading when it is short and
/// not a list item.
fn can_be_underlined(line: &Line) -> bool {
    line.underline.is_none()
        && !line.is_list_item()
        && line.text.chars().count() <= 120
        && !line.text.ends_with(['.', ','])
}

/// `* x`, `• x` and friends become `- x`.
fn normalise_list_marker(line: &str) -> String {
    match list_item(line) {
        Some(item) => format!("- {item}"),
        None => line.to_string(),
    }
}

/// Lines at the edges of a page saved as text that are not the article:
/// skip links among the first lines, cookie notices among the first and
/// last lines.
fn drop_page_furniture(lines: &mut Vec<Line>) {
    let n = lines.len();
    let mut i = 0;
    lines.retain(|line| {
        let edge = i < EDGE_LINES || i + EDGE_LINES >= n;
        let drop = (i < EDGE_LINES && shape::is_skip_link(&line.text))
            || (edge && shape::is_cookie_notice(&line.text));
        i += 1;
        !drop
    });
    if let Some(first) = lines.first_mut() {
        first.after_blank = true;
    }
}

/// Drops a last block of short calls to action ("Leave a comment") that
/// follows the finished closing sentence of the article after a blank line.
fn drop_trailing_boilerplate(lines: &mut Vec<Line>) {
    while let Some(start) = lines.iter().rposition(|l| l.after_blank) {
        let tail = &lines[start..];
        let is_boilerplate = start > 0
            && tail.len() <= MAX_BOILERPLATE_LINES
            && tail
                .iter()
                .all(|l| l.underline.is_none() && shape::looks_like_call_to_action(&l.text))
            && shape::ends_clause(&lines[start - 1].text);
        if !is_boilerplate {
            return;
        }
        lines.truncate(start);
    }
}

/// Joins hard-wrapped lines: prose that continues lower-case after a line
/// that did not end a clause, and indented continuations of list items.
fn join_wrapped(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        match out.last_mut() {
            Some(prev) if continues(prev, &line) => {
                prev.text.push(' ');
                prev.text.push_str(&line.text);
            }
            _ => out.push(line),
        }
    }
    out
}

/// True when `next` is the wrapped continuation of `prev`.
fn continues(prev: &Line, next: &Line) -> bool {
    if next.after_blank
        || prev.underline.is_some()
        || next.underline.is_some()
        || next.is_list_item()
        || numbering(&next.text).is_some()
    {
        return false;
    }
    if prev.is_list_item() && next.indented {
        return true;
    }
    !shape::ends_clause(&prev.text) && shape::starts_lowercase(&next.text)
}

/// Takes the first line as the title when it has heading shape (or an
/// underline), is not numbered, and more text follows.
fn take_title(lines: &mut Vec<Line>) -> Option<String> {
    let first = lines.first()?;
    let is_title = lines.len() > 1
        && (first.underline.is_some()
            || (heading_style(&first.text).is_some() && numbering(&first.text).is_none()));
    is_title.then(|| lines.remove(0).text)
}

/// A line of the article once headings are known.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    /// A heading, with the look that ranks it and its numbering depth.
    Heading { text: String, key: Key, depth: u8 },
    /// A paragraph or list item.
    Text(String),
}

/// What makes headings siblings: the same look. Numbered headings of any
/// depth share one key; questions in sentence case ("What causes it ?") are
/// one, Title Case lines (questions included) another, other short phrases
/// ("Getting started") a third, ALL CAPS lines a fourth; underlines one each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Numbered,
    Question,
    Title,
    Plain,
    Caps,
    Underline(u8),
}

/// A heading-shaped line: its style key and numbering depth.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    key: Key,
    depth: u8,
    /// Title Case or a question: may stand right above a list.
    may_head_list: bool,
}

/// Decides which lines are headings. A candidate is a heading when what
/// follows it suits a heading: a paragraph, a list (for Title Case lines and
/// questions), or a heading that itself has text under it.
fn classify(lines: &[Line]) -> Vec<Block> {
    let candidates: Vec<Option<Candidate>> =
        (0..lines.len()).map(|i| candidate(lines, i)).collect();
    let mut is_heading = vec![false; lines.len()];
    for i in (0..lines.len()).rev() {
        let Some(cand) = candidates[i] else { continue };
        is_heading[i] = match cand.key {
            Key::Underline(_) => true,
            _ => i + 1 < lines.len() && followed_well(lines, &is_heading, cand, i + 1),
        };
    }
    lines
        .iter()
        .zip(candidates)
        .zip(is_heading)
        .map(|((line, cand), heading)| match cand {
            Some(c) if heading => Block::Heading {
                text: line.text.clone(),
                key: c.key,
                depth: c.depth,
            },
            _ => Block::Text(line.text.clone()),
        })
        .collect()
}

/// The line at `i` as a heading candidate: heading-shaped, and not the
/// continuation of an unfinished sentence or a lead-in ending with a colon,
/// and not one of a run of numbered lines (a numbered list).
fn candidate(lines: &[Line], i: usize) -> Option<Candidate> {
    let line = &lines[i];
    if let Some(level) = line.underline {
        return Some(Candidate {
            key: Key::Underline(level),
            depth: 1,
            may_head_list: true,
        });
    }
    let style = heading_style(&line.text)?;
    let prev = i.checked_sub(1).map(|p| &lines[p]);
    if prev.is_some_and(|p| !line.after_blank && leads_into_next(p)) {
        return None;
    }
    let title_case = is_title_body(&line.text);
    let (key, depth) = match style {
        Style::Numbered(depth) => {
            if prev.is_some_and(|p| same_numbering(p, depth)) {
                return None;
            }
            (Key::Numbered, depth)
        }
        Style::Question if !title_case => (Key::Question, 1),
        _ if shape::is_all_caps(&line.text) => (Key::Caps, 1),
        _ if title_case => (Key::Title, 1),
        _ => (Key::Plain, 1),
    };
    Some(Candidate {
        key,
        depth,
        may_head_list: style == Style::Question || title_case,
    })
}

/// True when the line is Title Case once its numbering is set aside.
fn is_title_body(text: &str) -> bool {
    let body = numbering(text).map_or(text, |(_, rest)| rest);
    shape::is_title_case(body)
}

/// True when `prev`, directly above another line, carries on into it: a
/// paragraph that did not finish its sentence, or a lead-in ending in a colon.
fn leads_into_next(prev: &Line) -> bool {
    if prev.is_list_item() || prev.underline.is_some() {
        return false;
    }
    let prev_is_heading_shaped = heading_style(&prev.text).is_some();
    if shape::ends_with_colon(&prev.text) {
        return !(prev_is_heading_shaped && is_title_body(&prev.text));
    }
    !prev_is_heading_shaped && !shape::ends_clause(&prev.text)
}

/// True when the line is numbered at `depth`.
fn same_numbering(line: &Line, depth: u8) -> bool {
    numbering(&line.text).is_some_and(|(d, _)| d == depth)
}

/// True when the line at `next` suits being under the candidate heading.
fn followed_well(lines: &[Line], is_heading: &[bool], cand: Candidate, next: usize) -> bool {
    let line = &lines[next];
    if cand.key == Key::Numbered && same_numbering(line, cand.depth) {
        return false;
    }
    if is_heading[next] {
        // One empty heading above another, not a run of them (a menu).
        return line.underline.is_some() || is_heading.get(next + 1) == Some(&false);
    }
    if line.is_list_item() {
        return cand.may_head_list;
    }
    true
}

/// Assigns levels and builds the sections.
fn outline(blocks: &[Block]) -> Vec<rubric_core::Section> {
    let mut builder = SectionBuilder::new();
    let mut levels = Levels::default();
    for block in blocks {
        match block {
            Block::Text(text) => {
                levels.text(text);
                builder.push_text(text);
            }
            Block::Heading { text, key, depth } => {
                builder.push_heading(levels.heading(*key, *depth), text, None);
            }
        }
    }
    builder.finish()
}

/// The level of each heading style in the current context.
#[derive(Debug, Default)]
struct Levels {
    /// Styles in use, outermost first, with the level of their (depth-1) headings.
    context: Vec<(Key, u8)>,
    /// The level of the last heading while it waits for children: no text
    /// yet, or text ending with a colon.
    parent: Option<u8>,
    /// The level of the last heading.
    last: Option<u8>,
}

impl Levels {
    /// Notes text under the current heading.
    fn text(&mut self, text: &str) {
        self.parent = self.last.filter(|_| shape::ends_with_colon(text));
    }

    /// The level of the next heading, and it becomes the current one.
    fn heading(&mut self, key: Key, depth: u8) -> u8 {
        let base = match self.context.iter().position(|&(k, _)| k == key) {
            Some(pos) => {
                self.context.truncate(pos + 1);
                self.context[pos].1
            }
            None => {
                let base = self.new_base(key);
                self.context.retain(|&(_, level)| level < base);
                self.context.push((key, base));
                base
            }
        };
        let level = base.saturating_add(depth.saturating_sub(1)).min(MAX_LEVEL);
        self.last = Some(level);
        self.parent = Some(level);
        level
    }

    /// The level of a style not in the current context: under the last
    /// heading when it waits for children; Title Case lines under a
    /// sentence-case question (a different look, so a lower rank); else 2.
    fn new_base(&self, key: Key) -> u8 {
        if let Key::Underline(level) = key {
            return level;
        }
        if let Some(parent) = self.parent {
            return (parent + 1).min(MAX_LEVEL);
        }
        if key == Key::Title
            && let Some(&(_, level)) = self.context.iter().find(|(k, _)| *k == Key::Question)
        {
            return (level + 1).min(MAX_LEVEL);
        }
        2
    }
}

#[cfg(test)]
mod tests;
