//! Vectors for storage and scoring: f32 as the model makes them, int8 with
//! one scale per dimension (a quarter of the bytes), and binary sign bits
//! (a thirty-second), with dot product and cosine between a query's f32
//! vector and each stored form.
//!
//! Queries stay f32: only the stored side is compressed, which keeps the
//! ranking close to f32's. This module knows nothing of models or indexes;
//! the byte layouts are stable so an index can keep them in a bytes field:
//!
//! - int8: one byte per dimension, two's complement ([`int8_to_bytes`]);
//!   the scales are kept once per index ([`Int8Scales::to_bytes`]).
//! - binary: bit `d % 8` of byte `d / 8` is set when dimension `d` is > 0
//!   ([`binarize`]).
//!
//! Scoring functions expect vectors of the same dimensions; a shorter one is
//! compared over its length only (checked in debug builds).

use serde::{Deserialize, Serialize};

/// Dot product of two f32 vectors (cosine when both have length 1).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Cosine similarity of two f32 vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (mut ab, mut aa, mut bb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ratio(ab, aa.sqrt() * bb.sqrt())
}

fn ratio(dot: f32, norms: f32) -> f32 {
    if norms > 0.0 { dot / norms } else { 0.0 }
}

/// One scale per dimension for int8 vectors: dimension `d` is stored as
/// `round(x[d] / scale[d])`, clamped to -127..=127.
///
/// Fit the scales once (on the first vectors an index gets) and keep them
/// with the index: vectors quantised with other scales do not compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Int8Scales {
    scales: Vec<f32>,
}

impl Int8Scales {
    /// Scales that fit `vectors`: each dimension's largest magnitude maps
    /// to 127. `None` when there are no vectors or their lengths differ.
    pub fn fit<V: AsRef<[f32]>>(vectors: &[V]) -> Option<Int8Scales> {
        let dims = vectors.first()?.as_ref().len();
        let mut max = vec![0f32; dims];
        for v in vectors {
            let v = v.as_ref();
            if v.len() != dims {
                return None;
            }
            max.iter_mut().zip(v).for_each(|(m, x)| *m = m.max(x.abs()));
        }
        Some(Int8Scales {
            scales: max
                .into_iter()
                .map(|m| {
                    if m > 0.0 && m.is_finite() {
                        m / 127.0
                    } else {
                        1.0 / 127.0
                    }
                })
                .collect(),
        })
    }

    /// Scales kept from an earlier fit.
    pub fn from_scales(scales: Vec<f32>) -> Int8Scales {
        Int8Scales { scales }
    }

    /// The scale of each dimension.
    pub fn scales(&self) -> &[f32] {
        &self.scales
    }

    /// Number of dimensions.
    pub fn dimensions(&self) -> usize {
        self.scales.len()
    }

    /// f32 -> int8 (values past the fitted range saturate at ±127).
    pub fn quantize(&self, v: &[f32]) -> Vec<i8> {
        debug_assert_eq!(v.len(), self.scales.len());
        v.iter()
            .zip(&self.scales)
            .map(|(x, s)| (x / s).round().clamp(-127.0, 127.0) as i8)
            .collect()
    }

    /// int8 -> f32 (each value within half a scale step of the original,
    /// unless it saturated).
    pub fn dequantize(&self, q: &[i8]) -> Vec<f32> {
        debug_assert_eq!(q.len(), self.scales.len());
        q.iter()
            .zip(&self.scales)
            .map(|(&x, s)| f32::from(x) * s)
            .collect()
    }

    /// Dot product of an f32 query with a stored int8 vector.
    pub fn dot(&self, query: &[f32], stored: &[i8]) -> f32 {
        debug_assert_eq!(query.len(), stored.len());
        query
            .iter()
            .zip(stored)
            .zip(&self.scales)
            .map(|((q, &x), s)| q * f32::from(x) * s)
            .sum()
    }

    /// Cosine of an f32 query with a stored int8 vector.
    pub fn cosine(&self, query: &[f32], stored: &[i8]) -> f32 {
        debug_assert_eq!(query.len(), stored.len());
        let (mut qx, mut qq, mut xx) = (0f32, 0f32, 0f32);
        for ((q, &x), s) in query.iter().zip(stored).zip(&self.scales) {
            let x = f32::from(x) * s;
            qx += q * x;
            qq += q * q;
            xx += x * x;
        }
        ratio(qx, qq.sqrt() * xx.sqrt())
    }

    /// The scales as little-endian f32 bytes, to keep with an index.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.scales.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    /// Scales from [`Int8Scales::to_bytes`]; `None` when the length is not a
    /// multiple of 4.
    pub fn from_bytes(bytes: &[u8]) -> Option<Int8Scales> {
        if !bytes.len().is_multiple_of(4) {
            return None;
        }
        Some(Int8Scales {
            scales: bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        })
    }
}

/// An int8 vector as bytes (two's complement), for a bytes field.
pub fn int8_to_bytes(q: &[i8]) -> Vec<u8> {
    q.iter().map(|&x| x.to_le_bytes()[0]).collect()
}

/// The reverse of [`int8_to_bytes`].
pub fn int8_from_bytes(bytes: &[u8]) -> Vec<i8> {
    bytes.iter().map(|&b| i8::from_le_bytes([b])).collect()
}

/// Sign bits: bit `d % 8` of byte `d / 8` is set when `v[d] > 0`.
/// `ceil(dims / 8)` bytes (48 for 384 dimensions).
pub fn binarize(v: &[f32]) -> Vec<u8> {
    let mut bits = vec![0u8; v.len().div_ceil(8)];
    for (d, _) in v.iter().enumerate().filter(|(_, x)| **x > 0.0) {
        bits[d / 8] |= 1 << (d % 8);
    }
    bits
}

/// The ±1 vector that sign bits stand for (`dims` of them).
pub fn unbinarize(bits: &[u8], dims: usize) -> Vec<f32> {
    (0..dims).map(|d| sign(bits, d)).collect()
}

fn sign(bits: &[u8], d: usize) -> f32 {
    match bits.get(d / 8) {
        Some(byte) if byte & (1 << (d % 8)) != 0 => 1.0,
        _ => -1.0,
    }
}

/// Dot product of an f32 query with the ±1 vector of stored sign bits.
pub fn binary_dot(query: &[f32], stored: &[u8]) -> f32 {
    debug_assert_eq!(query.len().div_ceil(8), stored.len());
    query
        .iter()
        .enumerate()
        .map(|(d, q)| q * sign(stored, d))
        .sum()
}

/// Cosine of an f32 query with the ±1 vector of stored sign bits
/// (`binary_dot / (|query| · √dims)`).
pub fn binary_cosine(query: &[f32], stored: &[u8]) -> f32 {
    let norm = query.iter().map(|q| q * q).sum::<f32>().sqrt();
    ratio(
        binary_dot(query, stored),
        norm * (query.len() as f32).sqrt(),
    )
}

/// Number of differing bits between two stored binary vectors (for a
/// binary-to-binary scan: cosine of the ±1 vectors is `1 - 2·h/dims`).
pub fn hamming(a: &[u8], b: &[u8]) -> u32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_a_zero_vector_is_zero() {
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn int8_saturates_past_the_fitted_range() {
        let scales = Int8Scales::fit(&[vec![1.0, -0.5]]).expect("one vector");
        assert_eq!(scales.quantize(&[2.0, -0.5]), vec![127, -127]);
    }

    #[test]
    fn int8_fit_refuses_ragged_vectors() {
        assert_eq!(Int8Scales::fit(&[vec![1.0], vec![1.0, 2.0]]), None);
        assert_eq!(Int8Scales::fit::<Vec<f32>>(&[]), None);
    }

    #[test]
    fn int8_bytes_round_trip() {
        let q = vec![-127, -1, 0, 1, 127];
        assert_eq!(int8_from_bytes(&int8_to_bytes(&q)), q);
    }

    #[test]
    fn scales_bytes_round_trip() {
        let scales = Int8Scales::from_scales(vec![0.5, 1e-3]);
        assert_eq!(Int8Scales::from_bytes(&scales.to_bytes()), Some(scales));
        assert_eq!(Int8Scales::from_bytes(&[0, 0, 0]), None);
    }

    #[test]
    fn binary_bits_are_little_endian_in_each_byte() {
        let v = [1.0, -1.0, 0.0, 2.0, -3.0, -3.0, -3.0, -3.0, 0.5];
        assert_eq!(binarize(&v), vec![0b0000_1001, 0b0000_0001]);
        let signs = unbinarize(&binarize(&v), v.len());
        assert_eq!(
            signs,
            vec![1.0, -1.0, -1.0, 1.0, -1.0, -1.0, -1.0, -1.0, 1.0]
        );
    }

    #[test]
    fn binary_scores_match_the_sign_vector() {
        let query = [0.5, -0.25, 0.1];
        let stored = binarize(&[1.0, 1.0, -1.0]);
        assert!((binary_dot(&query, &stored) - (0.5 - 0.25 - 0.1)).abs() < 1e-6);
        let expected = cosine(&query, &[1.0, 1.0, -1.0]);
        assert!((binary_cosine(&query, &stored) - expected).abs() < 1e-6);
    }

    #[test]
    fn hamming_counts_differing_signs() {
        let a = binarize(&[1.0, 1.0, -1.0, 1.0]);
        let b = binarize(&[1.0, -1.0, 1.0, 1.0]);
        assert_eq!(hamming(&a, &b), 2);
    }
}
