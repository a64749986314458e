//! Hybrid ranking: a request with the query's vector ([`Dense`]) in an
//! index that holds vectors is answered by fusing word matching with
//! meaning.
//!
//! The candidates are the best lexical hits ([`Dense::candidates`], 100 by
//! default) and, for a query of plain words, the sections nearest to the
//! query by vector ([`Dense::recall`], 100 by default; a scan over every
//! stored vector that passes the filters). Each candidate's lexical score and cosine are
//! min-max normalised over the candidates of this query and mixed
//! ([`Dense::lexical_weight`], half and half by default); a section found by
//! its vector alone counts as the lowest lexical score. Grouped answers
//! rank articles by their best candidate and score every matching section
//! of each the same way.
//!
//! Which model made the query's vector is checked against the model the
//! index records: another one is an error, never a silent mix. Storing and
//! reading vectors is `vectors`'s; making hits is `search`'s.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::query::{AllQuery, Query as TQuery};
use tantivy::{DocAddress, Searcher};

use crate::rank::Plan;
use crate::search::{Group, Hit, SearchRequest, SearchResponse};
use crate::vectors::{DenseTop, Scorer, SegmentVectors};
use crate::{IndexError, IndexReader};

/// How many of the best lexical hits are reranked by default.
pub const DEFAULT_CANDIDATES: usize = 100;

/// How many sections nearest by vector join the candidates by default
/// ([`Dense::recall`]): on SciFact, 100 leaves nDCG@10 where reranking
/// alone puts it (0.7295 vs 0.7300) and raises recall@100 from 0.931 to
/// 0.955, and it is what lets a query that shares no word with the index
/// ("my tummy hurts after milk") find anything. The cost is one scan over
/// the stored vectors per query (see the README for figures).
pub const DEFAULT_RECALL: usize = 100;

/// The lexical score's share of the fused score by default (the cosine has
/// the rest): equal weights measured best on SciFact (0.3–0.6 was flat).
pub const DEFAULT_LEXICAL_WEIGHT: f32 = 0.5;

/// At most this many sections are gathered per article in a group.
const MAX_GROUP_SECTIONS: usize = 1_000;

/// The query's vector and how to fuse it ([`SearchRequest::dense`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// The query's vector, as the model made it.
    pub vector: Vec<f32>,
    /// Fingerprint of the model that made it: it must be the one that made
    /// the index's vectors (or the folder that one was copied from).
    pub fingerprint: String,
    /// How many of the best lexical hits are reranked (at least as many as
    /// the page asks for).
    pub candidates: usize,
    /// How many sections nearest to the query by vector join the
    /// candidates (0: none). Only for queries of plain words.
    pub recall: usize,
    /// The lexical score's share of the fused score, 0 to 1.
    pub lexical_weight: f32,
}

impl Dense {
    /// Hybrid ranking with `vector`, made by the model with `fingerprint`:
    /// [`DEFAULT_CANDIDATES`] lexical hits, [`DEFAULT_RECALL`] nearest
    /// sections, [`DEFAULT_LEXICAL_WEIGHT`].
    pub fn new(vector: Vec<f32>, fingerprint: impl Into<String>) -> Dense {
        Dense {
            vector,
            fingerprint: fingerprint.into(),
            candidates: DEFAULT_CANDIDATES,
            recall: DEFAULT_RECALL,
            lexical_weight: DEFAULT_LEXICAL_WEIGHT,
        }
    }
}

/// A hit's score under hybrid ranking (shown with `--explain`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fused {
    /// The lexical score (`None`: found by its vector alone).
    pub lexical: Option<f32>,
    /// Cosine of the query's vector with the section's.
    pub cosine: f32,
    /// The fused score (also the hit's `score`).
    pub fused: f32,
}

/// What a hybrid answer is made from.
pub(crate) struct Input<'a> {
    pub searcher: &'a Searcher,
    pub plan: &'a Plan,
    pub request: &'a SearchRequest,
    pub scorer: &'a Scorer,
}

/// One candidate section.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    address: DocAddress,
    lexical: Option<f32>,
    cosine: f32,
    fused: f32,
}

/// The candidates of one query and the ranges their scores are
/// normalised over.
struct Pool {
    candidates: Vec<Candidate>,
    lexical: Range,
    cosine: Range,
    weight: f32,
    /// Lexical matches in all (not only among the candidates).
    lexical_total: usize,
    /// Candidates found by their vector alone.
    dense_only: usize,
}

/// The smallest and largest of some scores.
#[derive(Debug, Clone, Copy)]
struct Range {
    min: f32,
    max: f32,
}

impl Range {
    fn of(values: impl Iterator<Item = f32>) -> Range {
        values.fold(
            Range {
                min: f32::INFINITY,
                max: f32::NEG_INFINITY,
            },
            |r, x| Range {
                min: r.min.min(x),
                max: r.max.max(x),
            },
        )
    }

    /// `x` scaled to 0..=1 over the range (1 when the range is one value).
    fn normalise(self, x: f32) -> f32 {
        if self.max > self.min {
            ((x - self.min) / (self.max - self.min)).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }
}

impl Pool {
    fn fuse(&self, lexical: Option<f32>, cosine: f32) -> f32 {
        let lexical = lexical.map_or(0.0, |s| self.lexical.normalise(s));
        self.weight * lexical + (1.0 - self.weight) * self.cosine.normalise(cosine)
    }

    /// Fuses every candidate's scores and sorts them best first (equal
    /// scores keep the lexical order, then the vector order).
    fn rank(&mut self) {
        self.lexical = Range::of(self.candidates.iter().filter_map(|c| c.lexical));
        self.cosine = Range::of(self.candidates.iter().map(|c| c.cosine));
        for i in 0..self.candidates.len() {
            let c = self.candidates[i];
            self.candidates[i].fused = self.fuse(c.lexical, c.cosine);
        }
        self.candidates.sort_by(|a, b| b.fused.total_cmp(&a.fused));
    }
}

impl IndexReader {
    /// The scorer of `dense`'s vector against the index's vectors; none
    /// (with a note) when the index holds none. A vector made by another
    /// model than the index's is an error.
    pub(crate) fn dense_scorer(
        &self,
        dense: &Dense,
        notes: &mut Vec<String>,
    ) -> Result<Option<Scorer>, IndexError> {
        let Some(model) = self.vector_model() else {
            notes.push("the index holds no vectors: ranked by its words alone".to_string());
            return Ok(None);
        };
        let refuse = |reason: String| IndexError::Vectors {
            path: self.path.clone(),
            reason,
        };
        if !model.accepts(&dense.fingerprint) {
            return Err(refuse(format!(
                "its vectors were made by {} (fingerprint {}), but the query was embedded by another model (fingerprint {}); search with the model kept in the index ({}) or rebuild the index with this one",
                model.name,
                short(&model.fingerprint),
                short(&dense.fingerprint),
                model.folder
            )));
        }
        if dense.vector.len() != model.dimensions {
            return Err(refuse(format!(
                "its vectors have {} dimensions, the query's {}",
                model.dimensions,
                dense.vector.len()
            )));
        }
        Ok(Some(model.scorer(&dense.vector)))
    }

    /// Answers `input.request` by hybrid ranking, flat or grouped; returns
    /// how many sections the words alone match (for "did you mean").
    pub(crate) fn answer_hybrid(
        &self,
        input: &Input<'_>,
        response: &mut SearchResponse,
    ) -> Result<usize, IndexError> {
        let request = input.request;
        let Some(dense) = &request.dense else {
            return Ok(0);
        };
        let wanted = request.offset.saturating_add(request.limit);
        let lexical = if request.group {
            wanted.saturating_mul(10).max(dense.candidates)
        } else {
            wanted.max(dense.candidates)
        };
        let pool = self.pool(input, dense, lexical)?;
        response.total = pool.lexical_total + pool.dense_only;
        if request.group {
            self.hybrid_groups(input, &pool, response)?;
        } else {
            response.hits = pool
                .candidates
                .iter()
                .skip(request.offset)
                .take(request.limit)
                .map(|c| self.fused_hit(input, c))
                .collect::<Result<_, _>>()?;
        }
        Ok(pool.lexical_total)
    }

    /// The candidates: the best `lexical` hits by words, and the sections
    /// nearest by vector when the query is plain words; fused and sorted.
    fn pool(&self, input: &Input<'_>, dense: &Dense, lexical: usize) -> Result<Pool, IndexError> {
        let err = |e| IndexError::tantivy(&self.path, e);
        let (lexical_total, top) = self.top(input.searcher, &*input.plan.query, 0, lexical)?;
        let mut vectors = SegmentVectors::new(input.searcher);
        let mut candidates = Vec::with_capacity(top.len() + dense.recall);
        let mut seen = HashSet::with_capacity(top.len());
        for (score, address) in top {
            let cosine = vectors.cosine(input.scorer, address).map_err(err)?;
            seen.insert(address);
            candidates.push(Candidate {
                address,
                lexical: Some(score),
                cosine: cosine.unwrap_or(-1.0),
                fused: 0.0,
            });
        }
        let mut dense_only = 0;
        if dense.recall > 0 && input.plan.plain {
            let collector = DenseTop {
                scorer: input.scorer,
                limit: dense.recall,
            };
            let everything: Box<dyn TQuery> = Box::new(AllQuery);
            let filter = input.plan.filter.as_ref().unwrap_or(&everything);
            let near = input.searcher.search(&**filter, &collector).map_err(err)?;
            for (cosine, address) in near {
                if seen.insert(address) {
                    dense_only += 1;
                    candidates.push(Candidate {
                        address,
                        lexical: None,
                        cosine,
                        fused: 0.0,
                    });
                }
            }
        }
        let mut pool = Pool {
            candidates,
            lexical: Range { min: 0.0, max: 0.0 },
            cosine: Range { min: 0.0, max: 0.0 },
            weight: dense.lexical_weight.clamp(0.0, 1.0),
            lexical_total,
            dense_only,
        };
        pool.rank();
        Ok(pool)
    }

    fn fused_hit(&self, input: &Input<'_>, c: &Candidate) -> Result<Hit, IndexError> {
        let mut hit = self.hit(
            input.searcher,
            c.address,
            c.fused,
            input.plan,
            input.request,
        )?;
        if input.request.explain {
            hit.hybrid = Some(Fused {
                lexical: c.lexical,
                cosine: c.cosine,
                fused: c.fused,
            });
        }
        Ok(hit)
    }

    /// The grouped answer: articles in the order of their best candidate,
    /// each with every section the words match plus its candidates found by
    /// vector, fused over the same ranges as the pool.
    fn hybrid_groups(
        &self,
        input: &Input<'_>,
        pool: &Pool,
        response: &mut SearchResponse,
    ) -> Result<(), IndexError> {
        let request = input.request;
        let err = |e| IndexError::tantivy(&self.path, e);
        let mut order: Vec<String> = Vec::new();
        let mut by_vector: HashMap<String, Vec<Candidate>> = HashMap::new();
        for c in &pool.candidates {
            let article = self.article_of(input.searcher, c.address)?;
            if c.lexical.is_none() {
                by_vector.entry(article.clone()).or_default().push(*c);
            }
            if !order.contains(&article) {
                order.push(article);
            }
        }
        let mut vectors = SegmentVectors::new(input.searcher);
        let mut groups = Vec::new();
        for article in order.iter().skip(request.offset).take(request.limit) {
            let only = self.article_query(&*input.plan.query, article);
            let (_, top) = self.top(input.searcher, &*only, 0, MAX_GROUP_SECTIONS)?;
            let mut sections: Vec<Candidate> = Vec::with_capacity(top.len());
            for (score, address) in top {
                let cosine = vectors
                    .cosine(input.scorer, address)
                    .map_err(err)?
                    .unwrap_or(-1.0);
                sections.push(Candidate {
                    address,
                    lexical: Some(score),
                    cosine,
                    fused: pool.fuse(Some(score), cosine),
                });
            }
            sections.extend(by_vector.remove(article).unwrap_or_default());
            sections.sort_by(|a, b| b.fused.total_cmp(&a.fused));
            let hits = sections
                .iter()
                .map(|c| self.fused_hit(input, c))
                .collect::<Result<Vec<_>, _>>()?;
            groups.extend(Group::of(hits));
        }
        let mut articles = self.matching_articles(input.searcher, &*input.plan.query)?;
        for c in pool.candidates.iter().filter(|c| c.lexical.is_none()) {
            articles.insert(self.article_of(input.searcher, c.address)?);
        }
        response.articles = Some(articles.len());
        response.hits = groups.iter().flat_map(|g| g.sections.clone()).collect();
        response.groups = Some(groups);
        Ok(())
    }
}

/// The first characters of a fingerprint, for messages.
fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(candidates: &[(Option<f32>, f32)]) -> Pool {
        let mut pool = Pool {
            candidates: candidates
                .iter()
                .enumerate()
                .map(|(i, &(lexical, cosine))| Candidate {
                    address: DocAddress::new(0, i as u32),
                    lexical,
                    cosine,
                    fused: 0.0,
                })
                .collect(),
            lexical: Range { min: 0.0, max: 0.0 },
            cosine: Range { min: 0.0, max: 0.0 },
            weight: 0.5,
            lexical_total: 0,
            dense_only: 0,
        };
        pool.rank();
        pool
    }

    fn order(pool: &Pool) -> Vec<u32> {
        pool.candidates.iter().map(|c| c.address.doc_id).collect()
    }

    #[test]
    fn scores_are_min_max_normalised_per_query_and_mixed_half_and_half() {
        // Lexical 10, 6, 2 -> 1, 0.5, 0; cosines 0.2, 0.6, 0.4 -> 0, 1, 0.5.
        let p = pool(&[(Some(10.0), 0.2), (Some(6.0), 0.6), (Some(2.0), 0.4)]);
        let fused: Vec<f32> = p.candidates.iter().map(|c| c.fused).collect();
        assert_eq!(order(&p), [1, 0, 2]);
        for (got, want) in fused.iter().zip([0.75, 0.5, 0.25]) {
            assert!((got - want).abs() < 1e-6, "{fused:?}");
        }
    }

    #[test]
    fn a_section_found_by_its_vector_alone_counts_as_the_lowest_lexical_score() {
        let p = pool(&[(Some(8.0), 0.1), (Some(4.0), 0.3), (None, 0.9)]);
        // Lexical 1, 0, 0 and cosines 0, 0.25, 1: 0.5, 0.125, 0.5.
        assert_eq!(order(&p), [0, 2, 1], "ties keep the lexical order first");
        assert!((p.candidates[1].fused - 0.5).abs() < 1e-6);
    }

    #[test]
    fn one_candidate_or_equal_scores_do_not_divide_by_zero() {
        let p = pool(&[(Some(3.0), 0.5)]);
        assert_eq!(p.candidates[0].fused, 1.0);
        let p = pool(&[(Some(3.0), 0.5), (Some(3.0), 0.5)]);
        assert_eq!(order(&p), [0, 1]);
        assert!(p.candidates.iter().all(|c| c.fused == 1.0));
    }
}
