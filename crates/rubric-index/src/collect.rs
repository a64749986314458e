//! Tantivy collectors of Rubric's own: [`TopSections`], the best sections
//! in Rubric's order (score, then article id, then section order) without
//! turning a single article id into text unless two segments tie; and
//! [`DistinctArticles`], the articles of the matching sections, read from
//! the `article` fast field. Which query they run is `search`'s.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The best `offset + limit` sections, best first: higher score, then
/// lower article id, then earlier in the article; the first `offset` are
/// dropped. Within a segment, article ids compare by their term ordinal
/// (the dictionary is sorted); across segments, equal scores compare the ids
/// themselves, looked up only then.
pub(crate) struct TopSections {
    pub offset: usize,
    pub limit: usize,
}

/// One candidate: its score, article ordinal (in its segment), section
/// ordinal and address.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: Score,
    article: u64,
    ordinal: u64,
    address: DocAddress,
}

impl Candidate {
    /// The order within one segment: best first.
    fn rank(&self, other: &Candidate) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.article.cmp(&other.article))
            .then(self.ordinal.cmp(&other.ordinal))
            .then(self.address.doc_id.cmp(&other.address.doc_id))
    }
}

/// A candidate in the heap of the best: the worst on top.
struct Worst(Candidate);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank(&other.0)
    }
}

/// One segment's part of [`TopSections`].
pub(crate) struct TopSectionsInSegment {
    segment: SegmentOrdinal,
    keep: usize,
    articles: Option<StrColumn>,
    ordinals: Option<Column<u64>>,
    best: BinaryHeap<Worst>,
}

/// The best candidates of one segment, best first, and its article column.
pub(crate) struct SegmentTop {
    candidates: Vec<Candidate>,
    articles: Option<StrColumn>,
}

impl Collector for TopSections {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = TopSectionsInSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopSectionsInSegment> {
        let fast = reader.fast_fields();
        Ok(TopSectionsInSegment {
            segment,
            keep: self.offset.saturating_add(self.limit),
            articles: fast.str("article")?,
            ordinals: fast.u64("ordinal").ok(),
            best: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<SegmentTop>) -> tantivy::Result<Self::Fruit> {
        let columns: HashMap<SegmentOrdinal, StrColumn> = segments
            .iter()
            .filter_map(|s| {
                let segment = s.candidates.first()?.address.segment_ord;
                Some((segment, s.articles.clone()?))
            })
            .collect();
        let mut all: Vec<Candidate> = segments.into_iter().flat_map(|s| s.candidates).collect();
        // Article ids as text, looked up only for equal scores across segments.
        let mut names: HashMap<(SegmentOrdinal, u64), Vec<u8>> = HashMap::new();
        let mut failed: Option<std::io::Error> = None;
        let mut name = |c: &Candidate, names: &mut HashMap<(SegmentOrdinal, u64), Vec<u8>>| {
            let key = (c.address.segment_ord, c.article);
            names.entry(key).or_insert_with(|| {
                let mut bytes = Vec::new();
                if let Some(column) = columns.get(&key.0)
                    && let Err(e) = column.ord_to_bytes(key.1, &mut bytes)
                {
                    failed.get_or_insert(e);
                }
                bytes
            });
        };
        all.sort_by(|a, b| {
            if a.address.segment_ord == b.address.segment_ord || a.score != b.score {
                return a.rank(b);
            }
            name(a, &mut names);
            name(b, &mut names);
            let text = |c: &Candidate| names.get(&(c.address.segment_ord, c.article));
            b.score
                .total_cmp(&a.score)
                .then(text(a).cmp(&text(b)))
                .then(a.ordinal.cmp(&b.ordinal))
                .then(a.address.cmp(&b.address))
        });
        if let Some(e) = failed {
            return Err(e.into());
        }
        Ok(all
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|c| (c.score, c.address))
            .collect())
    }
}

impl SegmentCollector for TopSectionsInSegment {
    type Fruit = SegmentTop;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.keep == 0 {
            return;
        }
        // A full heap whose worst scores higher: the ties' columns need not
        // be read (most documents of a long posting list end here).
        if self.best.len() >= self.keep
            && let Some(worst) = self.best.peek()
            && score.total_cmp(&worst.0.score) == Ordering::Less
        {
            return;
        }
        let candidate = Candidate {
            score,
            article: self
                .articles
                .as_ref()
                .and_then(|c| c.term_ords(doc).next())
                .unwrap_or(u64::MAX),
            ordinal: self
                .ordinals
                .as_ref()
                .and_then(|c| c.first(doc))
                .unwrap_or(u64::MAX),
            address: DocAddress::new(self.segment, doc),
        };
        if self.best.len() < self.keep {
            self.best.push(Worst(candidate));
        } else if let Some(mut worst) = self.best.peek_mut()
            && candidate.rank(&worst.0) == Ordering::Less
        {
            *worst = Worst(candidate);
        }
    }

    fn harvest(self) -> SegmentTop {
        let mut candidates: Vec<Candidate> = self.best.into_iter().map(|w| w.0).collect();
        candidates.sort_by(Candidate::rank);
        SegmentTop {
            candidates,
            articles: self.articles,
        }
    }
}

/// Collects the distinct `article` values of the matching sections.
pub(crate) struct DistinctArticles;

/// One segment's part of [`DistinctArticles`]: the article column's term
/// ordinals seen, turned into names in one ordered pass over the column's
/// dictionary at the end (looking each up alone costs a block decode).
pub(crate) struct DistinctArticlesInSegment {
    column: Option<StrColumn>,
    ords: Vec<u64>,
}

impl Collector for DistinctArticles {
    type Fruit = HashSet<String>;
    type Child = DistinctArticlesInSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<DistinctArticlesInSegment> {
        Ok(DistinctArticlesInSegment {
            column: reader.fast_fields().str("article")?,
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<std::io::Result<HashSet<String>>>,
    ) -> tantivy::Result<HashSet<String>> {
        let mut all = HashSet::new();
        for names in segments {
            all.extend(names?);
        }
        Ok(all)
    }
}

impl SegmentCollector for DistinctArticlesInSegment {
    type Fruit = std::io::Result<HashSet<String>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(column) = &self.column {
            self.ords.extend(column.term_ords(doc));
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        let mut names = HashSet::new();
        if let Some(column) = &self.column {
            self.ords.sort_unstable();
            self.ords.dedup();
            column
                .dictionary()
                .sorted_ords_to_term_cb(&self.ords, |name| {
                    names.insert(String::from_utf8_lossy(name).into_owned());
                })?;
        }
        Ok(names)
    }
}
