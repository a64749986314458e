//! [`Bm25fQuery`]: one term scored over several text fields at once (BM25F).
//!
//! Tantivy scores each field with its own BM25 and a multi-field query sums
//! them, so a word found in the title and the text counts twice, each time
//! near its full weight. BM25F instead adds the field frequencies first,
//! each weighted and normalised by its field's length, and saturates once:
//! a section is scored as one document whose title and heading count extra.
//! This module owns that scorer only; which fields and weights is `rank`'s.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// One term in several fields, each with a weight.
#[derive(Debug, Clone)]
pub(crate) struct Bm25fQuery {
    /// (the term in a field, the field's weight).
    terms: Vec<(Term, Score)>,
    /// Term-frequency saturation.
    k1: Score,
    /// Length normalisation.
    b: Score,
    /// How many documents the fields are drawn from, when not all the
    /// index's (the sections of one language): the IDF's document count
    /// and the divisor of the average field lengths.
    docs: Option<u64>,
}

impl Bm25fQuery {
    /// The indexed `text` in each of `fields`, with their weights, over
    /// `docs` documents (`None`: the whole index).
    pub(crate) fn new(
        text: &str,
        fields: &[(Field, Score)],
        k1: Score,
        b: Score,
        docs: Option<u64>,
    ) -> Bm25fQuery {
        Bm25fQuery {
            terms: fields
                .iter()
                .map(|&(field, weight)| (Term::from_field_text(field, text), weight))
                .collect(),
            k1,
            b,
            docs,
        }
    }
}

impl Bm25fQuery {
    /// The score of the document at `address` split over the fields, in
    /// proportion to their weighted frequencies (for `--explain`); `None`
    /// when it does not match.
    pub(crate) fn shares(
        &self,
        searcher: &tantivy::Searcher,
        address: tantivy::DocAddress,
    ) -> Option<Vec<Score>> {
        let weight = self
            .bm25f_weight(EnableScoring::enabled_from_searcher(searcher))
            .ok()?;
        let reader = searcher.segment_reader(address.segment_ord);
        let mut scorer = weight.bm25f_scorer(reader, 1.0).ok()??;
        if scorer.seek(address.doc_id) != address.doc_id {
            return None;
        }
        let total = scorer.score();
        let sum = scorer.weighted_tf();
        let mut shares = vec![0.0; self.terms.len()];
        for child in &scorer.children {
            if sum > 0.0 {
                shares[child.index] = total * scorer.part(child) / sum;
            }
        }
        Some(shares)
    }
}

impl Query for Bm25fQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.bm25f_weight(enable_scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
    }
}

impl Bm25fQuery {
    fn bm25f_weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Bm25fWeight> {
        let Some(searcher) = enable_scoring.searcher() else {
            return Ok(Bm25fWeight {
                fields: self
                    .terms
                    .iter()
                    .map(|(t, w)| (t.clone(), *w, 1.0))
                    .collect(),
                idf: 1.0,
                k1: self.k1,
                b: self.b,
            });
        };
        let docs = match self.docs {
            Some(docs) => docs,
            None => searcher.total_num_docs()?,
        }
        .max(1);
        let mut df = 0;
        let mut fields = Vec::with_capacity(self.terms.len());
        for (term, weight) in &self.terms {
            df = df.max(searcher.doc_freq(term)?);
            let tokens = searcher.total_num_tokens(term.field())?;
            let average = (tokens as Score / docs as Score).max(1.0);
            fields.push((term.clone(), *weight, average));
        }
        let df = df.min(docs);
        let idf = (1.0 + ((docs - df) as Score + 0.5) / (df as Score + 0.5)).ln();
        Ok(Bm25fWeight {
            fields,
            idf,
            k1: self.k1,
            b: self.b,
        })
    }
}

struct Bm25fWeight {
    /// (term, weight, average field length).
    fields: Vec<(Term, Score, Score)>,
    idf: Score,
    k1: Score,
    b: Score,
}

impl Bm25fWeight {
    fn bm25f_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Bm25fScorer>> {
        let mut children = Vec::new();
        for (index, (term, weight, average)) in self.fields.iter().enumerate() {
            let inverted = reader.inverted_index(term.field())?;
            let Some(postings) = inverted.read_postings(term, IndexRecordOption::WithFreqs)? else {
                continue;
            };
            let norms = reader.get_fieldnorms_reader(term.field())?;
            children.push(Child {
                index,
                postings,
                norms,
                weight: *weight,
                average: *average,
            });
        }
        if children.is_empty() {
            return Ok(None);
        }
        let mut scorer = Bm25fScorer {
            children,
            doc: 0,
            idf: self.idf * boost,
            k1: self.k1,
            b: self.b,
        };
        scorer.doc = scorer.min_doc();
        Ok(Some(scorer))
    }
}

impl Weight for Bm25fWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.bm25f_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_matching =
            || TantivyError::InvalidArgument(format!("document #{doc} does not match"));
        let mut scorer = self.bm25f_scorer(reader, 1.0)?.ok_or_else(not_matching)?;
        if scorer.seek(doc) != doc {
            return Err(not_matching());
        }
        let mut explanation = Explanation::new("BM25F", scorer.score());
        explanation.add_const("idf", self.idf);
        explanation.add_const("weighted, normalised term frequency", scorer.weighted_tf());
        Ok(explanation)
    }
}

struct Child {
    /// Which of the query's fields.
    index: usize,
    postings: SegmentPostings,
    norms: FieldNormReader,
    weight: Score,
    average: Score,
}

struct Bm25fScorer {
    children: Vec<Child>,
    doc: DocId,
    idf: Score,
    k1: Score,
    b: Score,
}

impl Bm25fScorer {
    fn min_doc(&self) -> DocId {
        self.children
            .iter()
            .map(|c| c.postings.doc())
            .min()
            .unwrap_or(TERMINATED)
    }

    /// One field's weighted, length-normalised frequency at the current doc
    /// (0 where the field does not hold the term).
    fn part(&self, c: &Child) -> Score {
        if c.postings.doc() != self.doc {
            return 0.0;
        }
        let length = c.norms.fieldnorm(self.doc) as Score;
        let tf = c.postings.term_freq() as Score;
        c.weight * tf / (1.0 - self.b + self.b * length / c.average)
    }

    /// The fields' parts summed in field order: what `score` saturates.
    /// Called once per candidate document, so it allocates nothing.
    fn weighted_tf(&self) -> Score {
        self.children.iter().map(|c| self.part(c)).sum()
    }
}

impl DocSet for Bm25fScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for c in &mut self.children {
            if c.postings.doc() == current {
                c.postings.advance();
            }
        }
        self.doc = self.min_doc();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for c in &mut self.children {
            if c.postings.doc() < target {
                c.postings.seek(target);
            }
        }
        self.doc = self.min_doc();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children.iter().map(|c| c.postings.size_hint()).sum()
    }
}

impl Scorer for Bm25fScorer {
    fn score(&mut self) -> Score {
        let tf = self.weighted_tf();
        self.idf * tf * (self.k1 + 1.0) / (self.k1 + tf)
    }
}
