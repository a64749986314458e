//! Section vectors: what an index that holds them records about the model
//! ([`VectorModel`], committed with the index), what a vector stands for
//! ([`passage`]: title, heading trail and text) and the key that lets an
//! unchanged passage keep its vector ([`passage_key`]), how a vector is
//! stored in the section's document (int8 in the `vector` bytes fast field,
//! see [`VectorModel::encode`]) and how stored vectors are read back
//! and scored against a query's vector: one hit at a time for reranking
//! ([`SegmentVectors`]) or by a scan over a whole index ([`DenseTop`]).
//!
//! The vectors live in the Tantivy documents, so adding, replacing,
//! deleting and committing a section does the same to its vector, with no
//! second store. This module runs no model (the `ingest` and `search`
//! binaries embed text with `rubric-embed`) and does not fuse scores (see
//! `hybrid`).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::path::Path;

use rubric_core::{Article, Section};
use rubric_embed::quant;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::BytesColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The version of [`passage`]: bump it when what a vector is made from
/// changes, so that vectors made the old way are not kept.
pub const PASSAGE_VERSION: u32 = 1;

/// How vectors are stored in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VectorEncoding {
    /// One signed byte per dimension (384 bytes for 384 dimensions), scaled
    /// so the vector's largest value is ±127. The scale is not stored: a
    /// cosine does not depend on it. Scored against the query's f32 vector.
    Int8,
}

/// The model that made an index's vectors, recorded with each commit. Two
/// runs may share vectors only when their records are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorModel {
    /// The model's name (e.g. `all-MiniLM-L6-v2`).
    pub name: String,
    /// Length of its vectors.
    pub dimensions: usize,
    /// The token window passages were cut to.
    pub max_tokens: usize,
    /// Fingerprint of the model files in the index folder (see
    /// `rubric_embed::ModelInfo::fingerprint`): what a query must be
    /// embedded with.
    pub fingerprint: String,
    /// Fingerprint of the folder the model was copied from (the copy is f16:
    /// its own fingerprint differs, its vectors do not).
    pub source_fingerprint: String,
    /// The folder, inside the index folder, that holds the model.
    pub folder: String,
    /// How vectors are stored.
    pub encoding: VectorEncoding,
    /// [`PASSAGE_VERSION`] when the vectors were made.
    pub passage: u32,
}

impl VectorModel {
    /// True when a query embedded by a model with `fingerprint` can be
    /// compared with these vectors: the copy in the index or the folder it
    /// was copied from.
    pub fn accepts(&self, fingerprint: &str) -> bool {
        fingerprint == self.fingerprint || fingerprint == self.source_fingerprint
    }

    /// True when vectors made under `other` are as good as this record's:
    /// the same model, window, encoding and passages (the folder may differ).
    pub fn same_vectors(&self, other: &VectorModel) -> bool {
        self.fingerprint == other.fingerprint
            && self.dimensions == other.dimensions
            && self.max_tokens == other.max_tokens
            && self.encoding == other.encoding
            && self.passage == other.passage
    }

    /// The stored form of `vector` (its length must be `dimensions`).
    pub fn encode(&self, vector: &[f32]) -> Vec<u8> {
        match self.encoding {
            VectorEncoding::Int8 => quant::int8_to_bytes(&int8(vector)),
        }
    }

    /// Bytes a stored vector takes.
    pub fn encoded_len(&self) -> usize {
        match self.encoding {
            VectorEncoding::Int8 => self.dimensions,
        }
    }

    /// A scorer of stored vectors against `query` (which must have
    /// `dimensions` values).
    pub(crate) fn scorer(&self, query: &[f32]) -> Scorer {
        match self.encoding {
            VectorEncoding::Int8 => Scorer::Int8(Int8Query::new(query)),
        }
    }
}

/// Folders inside an index folder that hold a model are named this, then
/// the first characters of the fingerprint of the folder it was copied from.
const MODEL_FOLDER_PREFIX: &str = "model-";

/// How many characters of the fingerprint a model folder's name keeps.
const MODEL_FOLDER_HASH: usize = 12;

/// The name of the folder, inside an index folder, for a copy of the model
/// whose source folder has `source_fingerprint`.
pub fn model_folder(source_fingerprint: &str) -> String {
    let hash: String = source_fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(MODEL_FOLDER_HASH)
        .collect();
    format!("{MODEL_FOLDER_PREFIX}{hash:0<MODEL_FOLDER_HASH$}")
}

fn is_model_folder(name: &str) -> bool {
    name.strip_prefix(MODEL_FOLDER_PREFIX).is_some_and(|hash| {
        hash.len() == MODEL_FOLDER_HASH && hash.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// Removes the model folders in `dir` other than `keep`'s (a model the last
/// commit no longer names, or a copy a killed run left). Failures only cost
/// disk space, so they are logged.
pub(crate) fn remove_other_models(dir: &Path, keep: Option<&VectorModel>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_model_folder(&name)
            && keep.is_none_or(|m| m.folder != name)
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && let Err(e) = std::fs::remove_dir_all(entry.path())
        {
            tracing::debug!("cannot remove the old model folder {name}: {e}");
        }
    }
}

/// The text a section's vector is made from: the article title, the
/// section's heading trail (ancestors, then its own heading) and its text,
/// one per line. The model cuts it to its window, so the title and headings
/// always count.
pub fn passage(article: &Article, section: &Section) -> String {
    let mut out = String::with_capacity(article.title().len() + section.text.len() + 64);
    out.push_str(article.title());
    for heading in section.path.iter().chain(section.heading.iter()) {
        out.push('\n');
        out.push_str(heading);
    }
    out.push('\n');
    out.push_str(&section.text);
    out
}

/// The key of a passage: a hash of its text (128 bits of blake3, hex), so a
/// section whose passage did not change keeps its vector, whichever article
/// it is in now.
pub fn passage_key(passage: &str) -> String {
    blake3::hash(passage.as_bytes()).to_hex()[..32].to_string()
}

/// `vector` scaled so its largest absolute value is 127, rounded to
/// signed bytes (all zeros stay zeros).
fn int8(vector: &[f32]) -> Vec<i8> {
    let max = vector.iter().fold(0f32, |m, x| m.max(x.abs()));
    if !(max > 0.0 && max.is_finite()) {
        return vec![0; vector.len()];
    }
    let scale = 127.0 / max;
    vector
        .iter()
        // In -127..=127 by construction, so the cast cannot wrap.
        .map(|x| (x * scale).round().clamp(-127.0, 127.0) as i8)
        .collect()
}

/// A query's f32 vector made ready to score stored int8 vectors.
pub(crate) struct Int8Query {
    query: Vec<f32>,
    norm: f32,
}

impl Int8Query {
    fn new(query: &[f32]) -> Int8Query {
        Int8Query {
            query: query.to_vec(),
            norm: query.iter().map(|q| q * q).sum::<f32>().sqrt(),
        }
    }

    /// Cosine with a stored vector; `None` when it has another length.
    fn cosine(&self, stored: &[u8]) -> Option<f32> {
        if stored.len() != self.query.len() {
            return None;
        }
        // Eight running sums each, so the loop runs in SIMD lanes (one sum
        // would chain every addition on the last: a scan over every
        // vector, `--dense-recall`, was bound by that latency).
        const LANES: usize = 8;
        let (mut dot, mut norm) = ([0f32; LANES], [0f32; LANES]);
        let mut queries = self.query.chunks_exact(LANES);
        let mut bytes = stored.chunks_exact(LANES);
        for (q, b) in (&mut queries).zip(&mut bytes) {
            for lane in 0..LANES {
                let s = f32::from(b[lane] as i8);
                dot[lane] += q[lane] * s;
                norm[lane] += s * s;
            }
        }
        for (q, &b) in queries.remainder().iter().zip(bytes.remainder()) {
            let s = f32::from(b as i8);
            dot[0] += q * s;
            norm[0] += s * s;
        }
        let dot: f32 = dot.iter().sum();
        let norm: f32 = norm.iter().sum();
        let denominator = self.norm * norm.sqrt();
        Some(if denominator > 0.0 {
            dot / denominator
        } else {
            0.0
        })
    }
}

/// Scores stored vectors against one query's f32 vector (cosine).
pub(crate) enum Scorer {
    Int8(Int8Query),
}

impl Scorer {
    /// Cosine of the query with a stored vector; `None` when the bytes are
    /// not a vector of this index's form.
    pub(crate) fn cosine(&self, stored: &[u8]) -> Option<f32> {
        match self {
            Scorer::Int8(query) => query.cosine(stored),
        }
    }
}

/// The `vector` column of each segment of a searcher, opened once per
/// query: a hit's stored vector by its address.
pub(crate) struct SegmentVectors<'a> {
    searcher: &'a tantivy::Searcher,
    columns: HashMap<SegmentOrdinal, Option<BytesColumn>>,
    buffer: Vec<u8>,
}

impl<'a> SegmentVectors<'a> {
    pub(crate) fn new(searcher: &'a tantivy::Searcher) -> SegmentVectors<'a> {
        SegmentVectors {
            searcher,
            columns: HashMap::new(),
            buffer: Vec::new(),
        }
    }

    /// The cosine of `scorer`'s query with the stored vector of the section
    /// at `address`; `None` when it has none.
    pub(crate) fn cosine(
        &mut self,
        scorer: &Scorer,
        address: DocAddress,
    ) -> tantivy::Result<Option<f32>> {
        let column = match self.columns.get(&address.segment_ord) {
            Some(column) => column,
            None => {
                let column = self
                    .searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .bytes("vector")?;
                self.columns.entry(address.segment_ord).or_insert(column)
            }
        };
        let Some(column) = column else {
            return Ok(None);
        };
        let Some(ord) = column.ords().first(address.doc_id) else {
            return Ok(None);
        };
        self.buffer.clear();
        if !column.ord_to_bytes(ord, &mut self.buffer)? {
            return Ok(None);
        }
        Ok(scorer.cosine(&self.buffer))
    }
}

/// The `limit` sections whose vectors are closest to the query (highest
/// cosine first), among those the query it runs with matches (all
/// sections, or those passing the filters). Each segment scores every
/// distinct stored vector once, streaming its dictionary, then looks each
/// matching section's vector up by its ordinal.
pub(crate) struct DenseTop<'a> {
    pub scorer: &'a Scorer,
    pub limit: usize,
}

/// One segment's part of [`DenseTop`].
pub(crate) struct DenseTopInSegment {
    segment: SegmentOrdinal,
    limit: usize,
    /// The ordinal column and the cosine of each ordinal's vector.
    ords: Option<(tantivy::columnar::Column<u64>, Vec<f32>)>,
    best: BinaryHeap<Nearest>,
}

/// A candidate in the heap of the best: the worst on top.
#[derive(Debug, Clone, Copy)]
struct Nearest(f32, DocAddress);

impl PartialEq for Nearest {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Nearest {}

impl PartialOrd for Nearest {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Nearest {
    /// Better is less: higher cosine, then lower address.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then(self.1.segment_ord.cmp(&other.1.segment_ord))
            .then(self.1.doc_id.cmp(&other.1.doc_id))
    }
}

impl Collector for DenseTop<'_> {
    type Fruit = Vec<(f32, DocAddress)>;
    type Child = DenseTopInSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<DenseTopInSegment> {
        let ords = match reader.fast_fields().bytes("vector")? {
            Some(column) => {
                let mut cosines = Vec::with_capacity(column.num_terms());
                let mut stream = column.dictionary().stream()?;
                while stream.advance() {
                    cosines.push(self.scorer.cosine(stream.key()).unwrap_or(f32::MIN));
                }
                Some((column.ords().clone(), cosines))
            }
            None => None,
        };
        Ok(DenseTopInSegment {
            segment,
            limit: self.limit,
            ords,
            best: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<(f32, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<Nearest> = segments
            .into_iter()
            .flatten()
            .map(|(cosine, address)| Nearest(cosine, address))
            .collect();
        all.sort();
        all.truncate(self.limit);
        Ok(all.into_iter().map(|n| (n.0, n.1)).collect())
    }
}

impl SegmentCollector for DenseTopInSegment {
    type Fruit = Vec<(f32, DocAddress)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some((ords, cosines)) = &self.ords else {
            return;
        };
        let Some(cosine) = ords
            .first(doc)
            .and_then(|ord| usize::try_from(ord).ok())
            .and_then(|ord| cosines.get(ord).copied())
        else {
            return;
        };
        if cosine == f32::MIN || self.limit == 0 {
            return;
        }
        let candidate = Nearest(cosine, DocAddress::new(self.segment, doc));
        if self.best.len() < self.limit {
            self.best.push(candidate);
        } else if let Some(worst) = self.best.peek()
            && candidate < *worst
        {
            self.best.pop();
            self.best.push(candidate);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut best = self.best.into_vec();
        best.sort();
        best.into_iter().map(|n| (n.0, n.1)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rubric_core::{Format, SectionBuilder};

    #[test]
    fn the_passage_is_title_trail_and_text() {
        let mut b = SectionBuilder::new();
        b.push_text("Lead text.");
        b.push_heading(2, "Causes", None);
        b.push_heading(3, "Milk", None);
        b.push_text("Lactose is a sugar.");
        let article = Article::new("a.md", "a.md", Format::Markdown, "Lactose", b.finish());
        let passages: Vec<String> = article
            .sections()
            .iter()
            .map(|s| passage(&article, s))
            .collect();
        assert_eq!(
            passages,
            [
                "Lactose\nLead text.",
                "Lactose\nCauses\n",
                "Lactose\nCauses\nMilk\nLactose is a sugar."
            ]
        );
        assert_eq!(passage_key(&passages[2]), passage_key(&passages[2].clone()));
        assert_ne!(passage_key(&passages[0]), passage_key(&passages[2]));
        assert_eq!(passage_key(&passages[0]).len(), 32);
    }

    #[test]
    fn int8_vectors_score_the_cosine_of_the_f32_vectors() {
        let model = VectorModel {
            dimensions: 6,
            ..sample_model("m")
        };
        let stored = [0.30f32, -0.12, 0.05, 0.0, -0.61, 0.2];
        let query = [0.1f32, -0.4, 0.33, 0.9, -0.2, 0.05];
        let bytes = model.encode(&stored);
        assert_eq!(bytes.len(), model.encoded_len());
        let got = model.scorer(&query).cosine(&bytes).unwrap();
        let want = quant::cosine(&query, &stored);
        assert!((got - want).abs() < 0.01, "{got} vs {want}");
        assert_eq!(
            model.scorer(&query).cosine(&bytes[1..]),
            None,
            "wrong length"
        );
        assert_eq!(model.encode(&[0.0; 6]), vec![0u8; 6]);
        assert_eq!(model.scorer(&query).cosine(&[0u8; 6]), Some(0.0));
    }

    #[test]
    fn int8_cosine_adds_up_every_dimension_past_the_lanes() {
        // 21 dimensions: two runs of eight lanes and a rest of five, each
        // dimension of the rest the only one that differs in turn.
        for odd in 0..21 {
            let stored: Vec<f32> = (0..21)
                .map(|i| {
                    if i == odd {
                        0.9
                    } else {
                        0.05 * (i as f32 - 10.0)
                    }
                })
                .collect();
            let query: Vec<f32> = (0..21).map(|i| if i == odd { 1.0 } else { 0.01 }).collect();
            let model = VectorModel {
                dimensions: 21,
                ..sample_model("m")
            };
            let got = model.scorer(&query).cosine(&model.encode(&stored)).unwrap();
            let want = quant::cosine(&query, &stored);
            assert!(
                (got - want).abs() < 0.01,
                "dimension {odd}: {got} vs {want}"
            );
        }
    }

    fn sample_model(source: &str) -> VectorModel {
        VectorModel {
            name: "m".into(),
            dimensions: 8,
            max_tokens: 16,
            fingerprint: "f".into(),
            source_fingerprint: source.into(),
            folder: model_folder(source),
            encoding: VectorEncoding::Int8,
            passage: PASSAGE_VERSION,
        }
    }

    #[test]
    fn only_model_folders_are_removed_and_the_kept_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let keep = model_folder("0123456789abcdef");
        let other = model_folder("fedcba9876543210");
        assert_eq!(keep, "model-0123456789ab");
        for name in [&keep, &other, "model-notes", "models"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let model = VectorModel {
            name: "m".into(),
            dimensions: 8,
            max_tokens: 16,
            fingerprint: "f".into(),
            source_fingerprint: "0123456789abcdef".into(),
            folder: keep.clone(),
            encoding: VectorEncoding::Int8,
            passage: PASSAGE_VERSION,
        };
        remove_other_models(dir.path(), Some(&model));
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [keep.as_str(), "model-notes", "models"]);
    }
}
