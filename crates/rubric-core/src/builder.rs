//! [`SectionBuilder`]: turns a stream of headings and text blocks, in document
//! order, into [`Section`]s with levels, ancestor paths, unique anchors and
//! ordinals. Every extractor feeds it, so the outline rules of design.md are
//! written once.

use crate::{Anchors, Section};

/// Builds the sections of one article from headings and text in document order.
///
/// The lead section (text before the first heading) is kept only when it has
/// text. A heading's path is the headings above it with a lower level,
/// outermost first; the article title is never pushed here, so it is in no path.
#[derive(Debug, Default)]
pub struct SectionBuilder {
    sections: Vec<Section>,
    /// Indexes into `sections` of the open headings, outermost first.
    open: Vec<usize>,
    anchors: Anchors,
    lead: Vec<String>,
}

impl SectionBuilder {
    /// An empty outline.
    pub fn new() -> SectionBuilder {
        SectionBuilder::default()
    }

    /// Reserves an anchor so no section takes it (for ids the page uses elsewhere).
    pub fn reserve_anchor(&mut self, id: &str) {
        let id = crate::text::strip_controls(id, false);
        self.anchors.anchor(&id, Some(&id));
    }

    /// Starts a section at `level` (2 for `##`/`<h2>`), with the source's own
    /// id as its anchor when it has one.
    pub fn push_heading(&mut self, level: u8, heading: &str, id: Option<&str>) {
        let heading = heading.split_whitespace().collect::<Vec<_>>().join(" ");
        let level = level.max(1);
        while let Some(&top) = self.open.last() {
            if self.sections[top].level >= level {
                self.open.pop();
            } else {
                break;
            }
        }
        let path = self
            .open
            .iter()
            .filter_map(|&i| self.sections[i].heading.clone())
            .collect();
        // Control characters go before uniqueness is decided (they would
        // go when the article is finished, and two ids could then meet).
        let id = id.map(|id| crate::text::strip_controls(id, false));
        let anchor = self.anchors.anchor(&heading, id.as_deref());
        self.open.push(self.sections.len());
        self.sections.push(Section {
            anchor,
            heading: Some(heading),
            level,
            path,
            text: String::new(),
            ordinal: 0,
        });
    }

    /// Appends one block (a paragraph, a list item, a table row) to the
    /// current section. Blank blocks are ignored; inner runs of whitespace in a
    /// line are kept as the caller gave them, but the block is trimmed.
    pub fn push_text(&mut self, block: &str) {
        let block = block.trim();
        if block.is_empty() {
            return;
        }
        match self.sections.last_mut() {
            Some(section) => {
                if !section.text.is_empty() {
                    section.text.push('\n');
                }
                section.text.push_str(block);
            }
            None => self.lead.push(block.to_string()),
        }
    }

    /// True when nothing has been pushed yet.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty() && self.lead.is_empty()
    }

    /// The level of the innermost open heading, if any.
    pub fn current_level(&self) -> Option<u8> {
        self.open.last().map(|&i| self.sections[i].level)
    }

    /// The finished sections: the lead first (when it has text), ordinals set.
    pub fn finish(self) -> Vec<Section> {
        let mut out = Vec::with_capacity(self.sections.len() + 1);
        if !self.lead.is_empty() {
            out.push(Section {
                anchor: String::new(),
                heading: None,
                level: 1,
                path: Vec::new(),
                text: self.lead.join("\n"),
                ordinal: 0,
            });
        }
        out.extend(self.sections);
        for (i, s) in out.iter_mut().enumerate() {
            s.ordinal = u32::try_from(i).unwrap_or(u32::MAX);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_levels() {
        let mut b = SectionBuilder::new();
        b.push_text("lead");
        b.push_heading(2, "A", None);
        b.push_heading(3, "A.1", None);
        b.push_text("a1 text");
        b.push_heading(4, "A.1.x", None);
        b.push_heading(2, "B", None);
        b.push_heading(4, "B skipped a level", None);
        let s = b.finish();
        let paths: Vec<_> = s.iter().map(|s| s.path.join("/")).collect();
        assert_eq!(paths, ["", "", "A", "A/A.1", "", "B"]);
        assert_eq!(s[0].heading, None);
        assert_eq!(s[2].text, "a1 text");
        assert_eq!(s[1].text, "", "a heading with no text is still a section");
        assert_eq!(s[5].ordinal, 5);
    }

    #[test]
    fn no_lead_without_text() {
        let mut b = SectionBuilder::new();
        b.push_heading(2, "Only", None);
        b.push_text("  body  ");
        let s = b.finish();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "body");
    }

    #[test]
    fn explicit_ids_win_and_repeats_are_unique() {
        let mut b = SectionBuilder::new();
        b.push_heading(2, "Causes", None);
        b.push_heading(2, "Causes", None);
        b.push_heading(2, "Elsewhere", Some("custom-id"));
        let s = b.finish();
        let anchors: Vec<_> = s.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["causes", "causes-1", "custom-id"]);
    }
}
