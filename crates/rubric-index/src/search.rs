//! [`IndexReader::search`]: answers a user's query with ranked sections, each a
//! [`Hit`] with its heading trail, link and snippet; optionally grouped by
//! article ([`Group`]) and with the parts of its score ([`Explained`]).
//!
//! The query language is `query`'s, the scoring `rank`'s ([`Ranking`]), the
//! snippets `snippet`'s and the fields `schema`'s. Equal scores are ordered
//! by article id then section order, so two builds of the same corpus answer
//! in the same order. A malformed query is answered with its words and a
//! note in [`SearchResponse::notes`]; a query with no searchable word is an
//! [`IndexError::Query`].

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::Count;
use tantivy::postings::Postings;
use tantivy::query::{BooleanQuery, Occur as TOccur, Query as TQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument, Term};

use crate::analysis::Analysis;
use crate::collect::TopSections;
use crate::hybrid::{Dense, Fused};
use crate::query::{self, Node};
use crate::rank::{self, Highlight, Plan, Ranking};
use crate::snippet::{self, DEFAULT_SNIPPET_CHARS, Excerpt};
use crate::{IndexError, IndexReader};

/// Queries longer than this many characters are cut (at a word).
pub const MAX_QUERY_CHARS: usize = 10_000;

/// At most this many sections are gathered per article in a [`Group`].
const MAX_GROUP_SECTIONS: usize = 1_000;

/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;

/// What to search for and how to answer: the query, paging, filters,
/// snippets, grouping and ranking, in one place. [`SearchRequest::new`]
/// gives the defaults `search` uses.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The user's query text: words, `"phrases"`, `+required`,
    /// `-excluded`, `AND`/`OR`/`NOT`, `( … )`, `title:`/`heading:`/`path:`/
    /// `text:` fields, `tag:`/`source:` filters (see `query`).
    pub query: String,
    /// How many hits (with `group`: articles) to return (0: only count).
    pub limit: usize,
    /// How many of the best hits (articles) to skip first, for paging.
    pub offset: usize,
    /// Answer by article: each matching article with its matching sections.
    pub group: bool,
    /// Filters every hit must pass, in the query language (`tag:skin`,
    /// `source:corpus/`, `heading:acne`); they do not change scores.
    pub filters: Vec<String>,
    /// Roughly how long a snippet may be, in characters.
    pub snippet_chars: usize,
    /// Fill [`Hit::explain`] with the parts of each hit's score.
    pub explain: bool,
    /// Offer a corrected query ([`SearchResponse::suggestion`]) when this
    /// one finds nothing, or only close spellings.
    pub suggest: bool,
    /// The query's language (a tag such as `de`): it is analysed the way
    /// that language's articles are, and finds only sections analysed so.
    /// `None`: analysed for every language the index holds.
    pub language: Option<String>,
    /// How scores are made.
    pub ranking: Ranking,
    /// The query's vector, for hybrid ranking in an index that holds
    /// vectors (`None`: lexical ranking).
    pub dense: Option<Dense>,
}

impl SearchRequest {
    /// A request for `query` with the defaults: [`DEFAULT_LIMIT`] hits from
    /// the first, not grouped, no filter, [`DEFAULT_SNIPPET_CHARS`],
    /// suggestions on, the default [`Ranking`].
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            group: false,
            filters: Vec::new(),
            snippet_chars: DEFAULT_SNIPPET_CHARS,
            explain: false,
            suggest: true,
            language: None,
            ranking: Ranking::default(),
            dense: None,
        }
    }
}

/// The answer to one query: the JSON object of design.md (`query`, `total`,
/// `took_ms`, `hits`), with `offset` and `limit`, and, when they apply,
/// `articles` and `groups` (grouped), `suggestion` and `notes`. `search
/// --json`, `search --queries` and `search --serve`'s `/search` all print
/// this type.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResponse {
    /// The query as given.
    pub query: String,
    /// The caller's id for the query (`search --queries`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qid: Option<String>,
    /// Number of matching sections.
    pub total: usize,
    /// Number of matching articles (grouped answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub articles: Option<usize>,
    /// Hits (articles) skipped.
    pub offset: usize,
    /// Hits (articles) asked for.
    pub limit: usize,
    /// Time taken, in milliseconds (three decimals).
    pub took_ms: f64,
    /// Best hits first; grouped, the groups' sections in order.
    pub hits: Vec<Hit>,
    /// Best article first (grouped answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Group>>,
    /// A corrected query that has hits ("did you mean …?").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// What was done to understand a malformed query.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SearchResponse {
    /// An empty answer to `request` (what a batch prints for a query that
    /// failed, so query ids stay aligned).
    pub fn empty(request: &SearchRequest) -> SearchResponse {
        SearchResponse {
            query: request.query.clone(),
            offset: request.offset,
            limit: request.limit,
            groups: request.group.then(Vec::new),
            articles: request.group.then_some(0),
            ..SearchResponse::default()
        }
    }

    /// True when nothing matched (no hit, and no group).
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }
}

/// One matching section.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// `article#anchor` (just `article` for the lead), the article id
    /// escaped so the first `#` ends it (`rubric_core::section_id`).
    pub id: String,
    /// Article id, as it is.
    pub article: String,
    /// Article title.
    pub title: String,
    /// Section heading (`None` for the lead).
    pub heading: Option<String>,
    /// Section level.
    pub level: u8,
    /// Ancestor headings, outermost first.
    pub path: Vec<String>,
    /// `url#anchor` when the article has a URL, else `source#anchor` with
    /// the source escaped as ids are; the bare location for the lead
    /// (`rubric_core::section_link`).
    pub url: String,
    /// Relevance score.
    pub score: f32,
    /// The article's language (a tag such as `de`), `null` when unknown.
    pub language: Option<String>,
    /// HTML-escaped snippet with `<mark>` around matched terms
    /// ([`Excerpt::to_html`] of [`Hit::excerpt`]).
    pub snippet: String,
    /// The same snippet as plain text and highlight ranges, for renderers
    /// that are not HTML (see [`Excerpt::pieces`]). Not serialized.
    #[serde(skip)]
    pub excerpt: Excerpt,
    /// The section's position in its article, from 0. Not serialized.
    #[serde(skip)]
    pub ordinal: u32,
    /// Why it scored (with [`SearchRequest::explain`]): one entry per
    /// matching clause, largest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<Explained>>,
    /// With hybrid ranking and [`SearchRequest::explain`]: the lexical
    /// score, the cosine and the fused score ([`Hit::score`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid: Option<Fused>,
}

/// One part of a hit's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explained {
    /// `term`, `fuzzy`, `phrase`, `near` (neighbouring query words) or
    /// `all-terms` (every word of a short query present).
    pub kind: &'static str,
    /// The field (`title`, `heading`, `path`, `text`; `*` for all-terms).
    pub field: &'static str,
    /// The indexed term(s).
    pub terms: String,
    /// What it added to the score.
    pub score: f32,
}

/// One article and its matching sections, best first ([`SearchRequest::group`]).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Article id.
    pub article: String,
    /// Article title.
    pub title: String,
    /// Where the article opens (its lead's link).
    pub url: String,
    /// The best section's score.
    pub score: f32,
    /// Every matching section of the article, best first.
    pub sections: Vec<Hit>,
}

impl Group {
    /// The group of an article's sections, best first; `None` when there
    /// are none. Its title, link and score are the best section's.
    pub(crate) fn of(sections: Vec<Hit>) -> Option<Group> {
        let best = sections.first()?;
        Some(Group {
            article: best.article.clone(),
            title: best.title.clone(),
            url: best.url.split('#').next().unwrap_or_default().to_string(),
            score: best.score,
            sections,
        })
    }
}

impl IndexReader {
    /// Answers one request. An empty query, or one with nothing to search
    /// for, is an [`IndexError::Query`]; a malformed one answers with what
    /// could be understood of it, and says how in
    /// [`SearchResponse::notes`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, IndexError> {
        let started = std::time::Instant::now();
        let searcher = self.reader.searcher();
        let (plan, notes) = self.plan(
            &searcher,
            &request.query,
            &request.filters,
            &request.ranking,
            request.language.as_deref(),
        )?;
        let mut response = SearchResponse {
            query: request.query.clone(),
            offset: request.offset,
            limit: request.limit,
            notes,
            ..SearchResponse::default()
        };
        let dense = match &request.dense {
            Some(dense) => self.dense_scorer(dense, &mut response.notes)?,
            None => None,
        };
        // What "did you mean" goes by: the words' own matches.
        let lexical_total = match &dense {
            Some(scorer) => {
                let input = crate::hybrid::Input {
                    searcher: &searcher,
                    plan: &plan,
                    request,
                    scorer,
                };
                self.answer_hybrid(&input, &mut response)?
            }
            None if request.group => {
                self.answer_grouped(&searcher, &plan, request, &mut response)?;
                response.total
            }
            None => {
                self.answer_flat(&searcher, &plan, request, &mut response)?;
                response.total
            }
        };
        if request.suggest {
            response.suggestion = self
                .suggest(
                    &request.query,
                    &request.filters,
                    &request.ranking,
                    request.language.as_deref(),
                    lexical_total,
                )
                .unwrap_or_else(|err| {
                    tracing::debug!("no suggestion for {:?}: {err}", cut(&request.query, 80));
                    None
                });
        }
        response.took_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        Ok(response)
    }

    /// How many sections match `query` with `filters` (for suggestions).
    pub(crate) fn count(
        &self,
        query: &str,
        filters: &[String],
        ranking: &Ranking,
        language: Option<&str>,
    ) -> Result<usize, IndexError> {
        let searcher = self.reader.searcher();
        let (plan, _) = self.plan(&searcher, query, filters, ranking, language)?;
        searcher
            .search(&*plan.query, &Count)
            .map_err(|e| IndexError::tantivy(&self.path, e))
    }

    /// The best sections after `request.offset`.
    fn answer_flat(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        request: &SearchRequest,
        response: &mut SearchResponse,
    ) -> Result<(), IndexError> {
        if request.limit == 0 {
            response.total = searcher
                .search(&*plan.query, &Count)
                .map_err(|e| IndexError::tantivy(&self.path, e))?;
            return Ok(());
        }
        let (total, top) = self.top(searcher, &*plan.query, request.offset, request.limit)?;
        response.total = total;
        response.hits = top
            .into_iter()
            .map(|(score, address)| self.hit(searcher, address, score, plan, request))
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// The `request.limit` best articles after `request.offset`, ranked by
    /// their best section, each with every matching section, best first.
    fn answer_grouped(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        request: &SearchRequest,
        response: &mut SearchResponse,
    ) -> Result<(), IndexError> {
        let wanted = request.offset.saturating_add(request.limit);
        // Enough sections to find the best `wanted` articles: grow until
        // found or every match was seen.
        let mut fetch = wanted.saturating_mul(10).max(100);
        let (total, order) = loop {
            let (total, top) = self.top(searcher, &*plan.query, 0, fetch)?;
            let mut order: Vec<String> = Vec::new();
            for (_, address) in &top {
                let article = self.article_of(searcher, *address)?;
                if !order.contains(&article) {
                    order.push(article);
                }
                if order.len() == wanted {
                    break;
                }
            }
            if order.len() >= wanted || top.len() >= total {
                break (total, order);
            }
            fetch = fetch.saturating_mul(4);
        };
        let mut groups = Vec::new();
        for article in order.iter().skip(request.offset) {
            let only = self.article_query(&*plan.query, article);
            let (_, top) = self.top(searcher, &*only, 0, MAX_GROUP_SECTIONS)?;
            let sections = top
                .into_iter()
                .map(|(score, address)| self.hit(searcher, address, score, plan, request))
                .collect::<Result<Vec<_>, _>>()?;
            groups.extend(Group::of(sections));
        }
        response.total = total;
        response.articles = Some(self.count_articles(searcher, &*plan.query)?);
        response.hits = groups.iter().flat_map(|g| g.sections.clone()).collect();
        response.groups = Some(groups);
        Ok(())
    }

    /// `query` limited to the sections of `article` (scored as `query`).
    pub(crate) fn article_query(&self, query: &dyn TQuery, article: &str) -> Box<dyn TQuery> {
        Box::new(BooleanQuery::new(vec![
            (TOccur::Must, query.box_clone()),
            (
                TOccur::Must,
                Box::new(tantivy::query::ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.article, article),
                        IndexRecordOption::Basic,
                    )),
                    0.0,
                )),
            ),
        ]))
    }

    /// Parses and compiles the query and the filters, for `language`'s
    /// analysis or every analysis the index holds.
    pub(crate) fn plan(
        &self,
        searcher: &Searcher,
        text: &str,
        filters: &[String],
        ranking: &Ranking,
        language: Option<&str>,
    ) -> Result<(Plan, Vec<String>), IndexError> {
        let bad = |reason: &str| IndexError::Query {
            query: cut(text, 80).to_string(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(bad("the query is empty: give at least one word"));
        }
        let mut notes = Vec::new();
        let trimmed = if trimmed.chars().count() > MAX_QUERY_CHARS {
            notes.push(format!(
                "the query is longer than {MAX_QUERY_CHARS} characters: the rest was left out"
            ));
            cut(trimmed, MAX_QUERY_CHARS)
        } else {
            trimmed
        };
        let parsed = query::parse(trimmed);
        notes.extend(parsed.notes);
        let mut filter_nodes: Vec<Node> = Vec::new();
        for filter in filters {
            let parsed = query::parse(filter);
            notes.extend(
                parsed
                    .notes
                    .into_iter()
                    .map(|n| format!("filter {filter:?}: {n}")),
            );
            filter_nodes.push(parsed.node);
        }
        let (analyses, by_analysis) = self.query_analyses(searcher, language)?;
        let plan = rank::compile(
            searcher,
            self.fields,
            ranking,
            &parsed.node,
            &filter_nodes,
            &analyses,
            by_analysis,
        )
        .map_err(|e| IndexError::tantivy(&self.path, e))?;
        match plan {
            Some(plan) => Ok((plan, notes)),
            None => Err(bad(
                "nothing in it can be searched for: give at least one word",
            )),
        }
    }

    /// Total matches and the best `limit` after `offset`: best score first,
    /// equal scores by article id, then section order.
    pub(crate) fn top(
        &self,
        searcher: &Searcher,
        query: &dyn TQuery,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<(f32, DocAddress)>), IndexError> {
        searcher
            .search(query, &(Count, TopSections { offset, limit }))
            .map_err(|e| IndexError::tantivy(&self.path, e))
    }

    pub(crate) fn article_of(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<String, IndexError> {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        Ok(doc
            .get_first(self.fields.article)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default())
    }

    pub(crate) fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        plan: &Plan,
        request: &SearchRequest,
    ) -> Result<Hit, IndexError> {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        let f = &self.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let language = text_of(f.language);
        let analysis = Analysis::of_language(language.as_deref());
        let t = f.text_fields(analysis);
        let text = text_of(t.text).unwrap_or_default();
        let highlight = plan.highlight(analysis);
        let positions = self.positions(searcher, address, t.text, highlight)?;
        let excerpt = snippet::excerpt_at(&text, highlight, &positions, request.snippet_chars);
        let explain = request.explain.then(|| explain(searcher, address, plan));
        let article = text_of(f.article).unwrap_or_default();
        let anchor = text_of(f.anchor).unwrap_or_default();
        // Made from the article id, anchor, URL and source rather than
        // read back, so every index answers with escaped ids and links.
        let url = rubric_core::section_link(
            text_of(f.url).as_deref(),
            &text_of(f.source).unwrap_or_default(),
            &anchor,
        );
        Ok(Hit {
            id: rubric_core::section_id(&article, &anchor),
            article,
            title: text_of(t.title).unwrap_or_default(),
            heading: text_of(t.heading),
            level: u8::try_from(u64_of(f.level)).unwrap_or(u8::MAX),
            path: doc
                .get_all(t.path)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            url,
            score,
            language,
            snippet: excerpt.to_html(),
            excerpt,
            ordinal: u32::try_from(u64_of(f.ordinal)).unwrap_or(u32::MAX),
            explain,
            hybrid: None,
        })
    }
}

impl IndexReader {
    /// Where each term to highlight stands in the text of the section at
    /// `address` (in its analysis's `text` field): its token positions,
    /// read from the postings (term → positions, sorted; absent terms have
    /// none).
    fn positions(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        text: Field,
        highlight: &Highlight,
    ) -> Result<BTreeMap<String, Vec<u32>>, IndexError> {
        let err = |e: std::io::Error| IndexError::io(&self.path, e);
        let segment = searcher.segment_reader(address.segment_ord);
        let inverted = segment
            .inverted_index(text)
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let terms = highlight
            .terms
            .keys()
            .chain(highlight.phrases.iter().flatten());
        for term in terms {
            if out.contains_key(term) {
                continue;
            }
            let mut positions = Vec::new();
            let key = Term::from_field_text(text, term);
            if let Some(mut postings) = inverted
                .read_postings(&key, IndexRecordOption::WithFreqsAndPositions)
                .map_err(err)?
            {
                // A posting list starts at its first document, which may be
                // past this one (seeking backwards is not allowed).
                if postings.doc() < address.doc_id {
                    postings.seek(address.doc_id);
                }
                if postings.doc() == address.doc_id {
                    postings.positions(&mut positions);
                }
            }
            out.insert(term.clone(), positions);
        }
        Ok(out)
    }
}

/// The parts of a hit's score: each scoring clause that matches it.
fn explain(searcher: &Searcher, address: DocAddress, plan: &Plan) -> Vec<Explained> {
    let mut out: Vec<Explained> = Vec::new();
    for leaf in &plan.leaves {
        if let Some((query, fields, boost)) = &leaf.bm25f {
            let shares = query.shares(searcher, address).unwrap_or_default();
            for (field, share) in fields.iter().zip(shares) {
                if share > 0.0 {
                    out.push(Explained {
                        kind: leaf.kind.as_str(),
                        field,
                        terms: leaf.terms.clone(),
                        score: share * boost,
                    });
                }
            }
            continue;
        }
        let Some(score) = leaf_score(searcher, &*leaf.query, address) else {
            continue;
        };
        if score > 0.0 {
            out.push(Explained {
                kind: leaf.kind.as_str(),
                field: leaf.field,
                terms: leaf.terms.clone(),
                score,
            });
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// What `query` scores the document at `address`, `None` when it does not
/// match. (Tantivy's own `explain` of a phrase can seek backwards.)
fn leaf_score(searcher: &Searcher, query: &dyn TQuery, address: DocAddress) -> Option<f32> {
    let weight = query
        .weight(tantivy::query::EnableScoring::enabled_from_searcher(
            searcher,
        ))
        .ok()?;
    let reader = searcher.segment_reader(address.segment_ord);
    let mut scorer = weight.scorer(reader, 1.0).ok()?;
    if scorer.doc() < address.doc_id {
        scorer.seek(address.doc_id);
    }
    (scorer.doc() == address.doc_id).then(|| scorer.score())
}

/// The first `max` characters of `text`, cut back to a word when possible.
fn cut(text: &str, max: usize) -> &str {
    let Some((at, _)) = text.char_indices().nth(max) else {
        return text;
    };
    let head = &text[..at];
    match head.rfind(char::is_whitespace) {
        Some(ws) if ws > 0 => &head[..ws],
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rubric_core::{Article, Format, SectionBuilder};

    /// Words that analysis changes in every way it can: stems, case,
    /// accents, Greek letters, British spellings, numbers, overlong tokens.
    const WORDS: &[&str] = &[
        "Probiotics",
        "probiotic",
        "gut",
        "Gut-skin",
        "eczema",
        "ECZEMA",
        "café",
        "naïve",
        "TNF-α",
        "β-carotene",
        "tumour",
        "tumor",
        "colour",
        "haemoglobin",
        "oestrogen",
        "randomised",
        "2.1",
        "x-rays",
        "leaky",
        "leaks",
        "skin,",
        "(acne)",
        "—",
        "…",
        "日本語",
        "a",
        "vitamin",
        "D3",
        "supercalifragilisticexpialidociousandthensomemoreletters",
        "dermatitis",
        "flora.",
        "memory",
        "barrier",
        "barriers",
        "Barrier's",
    ];

    #[test]
    fn snippets_from_the_postings_are_what_analysing_the_text_gives() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize
        };
        let dir = tempfile::tempdir().unwrap();
        let mut writer = crate::IndexWriter::open(dir.path(), 50_000_000).unwrap();
        for a in 0..20 {
            let mut outline = SectionBuilder::new();
            for s in 0..4 {
                outline.push_heading(2, &format!("Part {s}"), None);
                let len = 5 + next() % 150;
                let text: Vec<&str> = (0..len).map(|_| WORDS[next() % WORDS.len()]).collect();
                outline.push_text(&text.join(if next() % 3 == 0 { "\n" } else { " " }));
            }
            let id = format!("a{a}.md");
            let article = Article::new(&id, &id, Format::Markdown, "T", outline.finish());
            writer.upsert(&article).unwrap();
        }
        writer.commit().unwrap();
        let reader = IndexReader::open(dir.path()).unwrap();
        let searcher = reader.reader.searcher();
        let queries = [
            "probiotics gut",
            "\"leaky gut\"",
            "eczema café naive",
            "tnf alpha",
            "\"memory barrier\"",
            "tumor colour hemoglobin estrogen",
            "dermatitus",
            "barrier skin \"gut skin\"",
            "d3 2.1 vitamin a",
        ];
        let mut compared = 0;
        for query in queries {
            let (plan, _) = reader
                .plan(&searcher, query, &[], &Ranking::default(), None)
                .unwrap();
            let (_, top) = reader.top(&searcher, &*plan.query, 0, 200).unwrap();
            for (_, address) in top {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                let text = doc
                    .get_first(reader.fields.text_fields(Analysis::English).text)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                let highlight = plan.highlight(Analysis::English);
                let positions = reader
                    .positions(
                        &searcher,
                        address,
                        reader.fields.text_fields(Analysis::English).text,
                        highlight,
                    )
                    .unwrap();
                for max in [30, 200, 2_000] {
                    assert_eq!(
                        snippet::excerpt_at(&text, highlight, &positions, max),
                        snippet::excerpt(&text, highlight, max),
                        "{query:?} in {text:?}"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 300, "{compared}");
    }

    #[test]
    fn long_queries_are_cut_at_a_word() {
        assert_eq!(cut("gut skin axis", 100), "gut skin axis");
        assert_eq!(cut("gut skin axis", 6), "gut");
        assert_eq!(cut("gutskinaxis", 3), "gut");
    }
}
