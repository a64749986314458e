//! Reading `model.safetensors` into candle tensors in one sequential pass:
//! each tensor is read straight into the buffer that becomes its storage
//! (no whole-file buffer, no memory map, no `unsafe`), and the same bytes
//! feed the fingerprint's hasher on the way. f16, bf16 and f64 tensors
//! become f32; integer tensors (BERT's `position_ids`) are hashed and
//! skipped.
//!
//! Measured on all-MiniLM-L6-v2 this is as fast as candle's memory-mapped
//! loader and about twice as fast as reading the file into one buffer first
//! (see the crate's notes). Which tensors a model needs is `model`'s
//! business; this module only reads what the file holds.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use candle_core::{Device, Tensor};
use safetensors::Dtype;
use safetensors::tensor::Metadata;

use crate::error::EmbedError;

/// The largest header safetensors itself accepts.
const MAX_HEADER: u64 = 100_000_000;

/// The tensors of a weights file, as f32, and the file's float dtypes.
pub(crate) struct Weights {
    pub tensors: HashMap<String, Tensor>,
    /// `"f32"`, `"f16"`, `"bf16"`, or several joined by `+`.
    pub dtype: String,
}

fn bad(path: &Path, reason: impl std::fmt::Display) -> EmbedError {
    EmbedError::Weights {
        path: path.to_path_buf(),
        source: candle_core::Error::Msg(format!("not a usable safetensors file: {reason}")),
    }
}

/// The float dtypes of a file's tensors, sorted, joined by `+`.
pub(crate) fn float_dtypes(metadata: &Metadata) -> String {
    let mut seen: Vec<&str> = metadata
        .tensors()
        .values()
        .filter_map(|info| match info.dtype {
            Dtype::F32 => Some("f32"),
            Dtype::F16 => Some("f16"),
            Dtype::BF16 => Some("bf16"),
            Dtype::F64 => Some("f64"),
            _ => None,
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.join("+")
}

/// Reads the safetensors file at `path`, feeding `label`, the file's length
/// and every byte of it to `hasher` when there is one.
pub(crate) fn read(
    path: &Path,
    label: &str,
    mut hasher: Option<&mut blake3::Hasher>,
) -> Result<Weights, EmbedError> {
    let io = |e| EmbedError::io(path, e);
    let file = std::fs::File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    if let Some(hasher) = hasher.as_deref_mut() {
        hasher.update(label.as_bytes());
        hasher.update(&file_len.to_le_bytes());
    }
    let mut file = std::io::BufReader::with_capacity(1 << 16, file);

    let mut n = [0u8; 8];
    file.read_exact(&mut n)
        .map_err(|e| bad(path, format!("no header length: {e}")))?;
    if let Some(hasher) = hasher.as_deref_mut() {
        hasher.update(&n);
    }
    let header_len = u64::from_le_bytes(n);
    if header_len > MAX_HEADER || header_len > file_len.saturating_sub(8) {
        return Err(bad(
            path,
            format!("header length {header_len} in a file of {file_len} bytes"),
        ));
    }
    let mut header = vec![0u8; usize::try_from(header_len).map_err(|e| bad(path, e))?];
    file.read_exact(&mut header).map_err(io)?;
    if let Some(hasher) = hasher.as_deref_mut() {
        hasher.update(&header);
    }
    // Deserialising checks that the tensors are contiguous and that each
    // one's byte range fits its dtype and shape.
    let metadata: Metadata = serde_json::from_slice(&header).map_err(|e| bad(path, e))?;
    let data_len = metadata.data_len() as u64;
    if 8 + header_len + data_len != file_len {
        return Err(bad(
            path,
            format!(
                "the header describes {data_len} bytes of data but the file has {}",
                file_len - 8 - header_len
            ),
        ));
    }

    let mut tensors = HashMap::new();
    for name in metadata.offset_keys() {
        let Some(info) = metadata.info(&name) else {
            continue;
        };
        let (start, end) = info.data_offsets;
        let len = end - start;
        let shape = info.shape.clone();
        let values: Option<Vec<f32>> = match info.dtype {
            Dtype::F32 => {
                let mut v = vec![0f32; len / 4];
                read_into(
                    &mut file,
                    bytemuck::cast_slice_mut(&mut v),
                    hasher.as_deref_mut(),
                    path,
                )?;
                v.iter_mut()
                    .for_each(|x| *x = f32::from_le_bytes(x.to_ne_bytes()));
                Some(v)
            }
            Dtype::F16 | Dtype::BF16 => {
                let mut bits = vec![0u16; len / 2];
                read_into(
                    &mut file,
                    bytemuck::cast_slice_mut(&mut bits),
                    hasher.as_deref_mut(),
                    path,
                )?;
                bits.iter_mut().for_each(|x| *x = u16::from_le(*x));
                Some(halves_to_f32(info.dtype, &bits))
            }
            Dtype::F64 => {
                let mut v = vec![0f64; len / 8];
                read_into(
                    &mut file,
                    bytemuck::cast_slice_mut(&mut v),
                    hasher.as_deref_mut(),
                    path,
                )?;
                Some(
                    v.iter()
                        .map(|x| f64::from_le_bytes(x.to_ne_bytes()) as f32)
                        .collect(),
                )
            }
            _ => {
                let mut skipped = vec![0u8; len];
                read_into(&mut file, &mut skipped, hasher.as_deref_mut(), path)?;
                None
            }
        };
        if let Some(values) = values {
            let tensor = Tensor::from_vec(values, shape, &Device::Cpu).map_err(|source| {
                EmbedError::Weights {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
            tensors.insert(name, tensor);
        }
    }
    Ok(Weights {
        tensors,
        dtype: float_dtypes(&metadata),
    })
}

/// Feeds `label`, the file's length and every byte of the file at `path`
/// to `hasher`: what [`read`] feeds it, without making tensors.
pub(crate) fn hash(
    path: &Path,
    label: &str,
    hasher: &mut blake3::Hasher,
) -> Result<(), EmbedError> {
    let io = |e| EmbedError::io(path, e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    hasher.update(label.as_bytes());
    hasher.update(&file_len.to_le_bytes());
    let copied = std::io::copy(&mut file, hasher).map_err(io)?;
    if copied != file_len {
        return Err(bad(path, "the file changed while it was read"));
    }
    Ok(())
}

fn read_into(
    file: &mut impl Read,
    bytes: &mut [u8],
    hasher: Option<&mut blake3::Hasher>,
    path: &Path,
) -> Result<(), EmbedError> {
    file.read_exact(bytes)
        .map_err(|e| EmbedError::io(path, e))?;
    if let Some(hasher) = hasher {
        hasher.update(bytes);
    }
    Ok(())
}

/// The f32 values of f16 or bf16 bits (converted in SIMD where the CPU
/// can, into a buffer that is not zeroed first).
fn halves_to_f32(dtype: Dtype, bits: &[u16]) -> Vec<f32> {
    use half::slice::{HalfBitsSliceExt, HalfFloatSliceExt};
    if dtype == Dtype::BF16 {
        bits.reinterpret_cast::<half::bf16>().to_f32_vec()
    } else {
        bits.reinterpret_cast::<half::f16>().to_f32_vec()
    }
}
