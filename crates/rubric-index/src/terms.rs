//! [`Analysis`]: Rubric's English analysis of a text outside the index, for
//! an engine that cannot analyse text as Rubric does (`rubric-remote`).
//! The analyzers themselves are `analysis`'s; this is the public face of
//! its English one.

use tantivy::tokenizer::TextAnalyzer;

/// Rubric's analysis of a text outside the index: the terms the
/// `rubric_en` analyzer makes (folded, Greek letters spelt out, American
/// spelling, stemmed). An engine that cannot analyse text as Rubric does is
/// given these terms instead, one space between them (`rubric-remote`'s
/// normalised copies), and the words of a query are analysed the same way.
/// (English only: the index's other languages' analyses are not offered to
/// remote engines.)
///
/// ```
/// let mut analysis = rubric_index::Analysis::new();
/// assert_eq!(analysis.normalise("Tumours, β-carotene & Probiotics"), "tumor beta caroten probiot");
/// ```
#[derive(Clone)]
pub struct Analysis {
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analysis(rubric_en)")
    }
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis::new()
    }
}

impl Analysis {
    /// The `rubric_en` analysis.
    pub fn new() -> Analysis {
        Analysis {
            analyzer: crate::analysis::Analysis::English.analyzer(),
        }
    }

    /// The terms of `text`, in order.
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut stream = self.analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    /// The terms of `text` joined by single spaces: what a whitespace
    /// tokenizer splits back into the same terms, in the same order.
    pub fn normalise(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut stream = self.analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&token.text);
        }
        out
    }
}
