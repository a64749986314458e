//! The embedding benchmark shared by `embed_bench` (the system allocator)
//! and `embed_bench_mimalloc` (mimalloc as the global allocator):
//!
//!     cargo run --release -p rubric-embed --example embed_bench -- \
//!         MODEL_DIR CORPUS.jsonl [QUERIES.jsonl] [--sections N] [--tokens 128,256] [--batch N]
//!
//! It prints model load time (buffered reads; f32 and an f16 copy),
//! sections/s for each window on the first N records (title + text) of a
//! BEIR-style `corpus.jsonl`, warm query latency over the first 50 queries,
//! and how far the f16 copy's vectors are from the f32 ones.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rubric_embed::{CopyWeights, Model, copy_model, quant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Args {
    model: PathBuf,
    corpus: PathBuf,
    queries: Option<PathBuf>,
    sections: usize,
    tokens: Vec<usize>,
    batch: usize,
}

fn parse_args() -> Result<Args> {
    let mut positional = Vec::new();
    let mut sections = 500;
    let mut tokens = vec![128, 256];
    let mut batch = 16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--sections" => sections = value()?.parse()?,
            "--batch" => batch = value()?.parse()?,
            "--tokens" => {
                tokens = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<std::result::Result<_, _>>()?
            }
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let mut positional = positional.into_iter();
    let usage = "usage: embed_bench MODEL_DIR CORPUS.jsonl [QUERIES.jsonl] [--sections N] [--tokens 128,256] [--batch N]";
    Ok(Args {
        model: positional.next().ok_or(usage)?,
        corpus: positional.next().ok_or(usage)?,
        queries: positional.next(),
        sections,
        tokens,
        batch,
    })
}

/// `title + "\n" + text` (or `text`) of the first `n` JSON Lines records.
fn read_jsonl(path: &PathBuf, n: usize) -> Result<Vec<String>> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for line in std::io::BufReader::new(file).lines().take(n) {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        let text = record["text"].as_str().unwrap_or_default();
        out.push(match record["title"].as_str() {
            Some(title) if !title.is_empty() => format!("{title}\n{text}"),
            _ => text.to_owned(),
        });
    }
    Ok(out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// CPU time of the whole process so far (all threads, user + system), from
/// `/proc/self/stat` in clock ticks of 10 ms; 0 where there is no `/proc`.
/// Wall time alone misleads on a machine that other builds share.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are
    // the 14th and 15th fields of the line.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// The machine's 1-minute load average, to print beside the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// Median and mean load time over `runs` loads (the page cache is warm
/// after the first).
fn time_loads(dir: &std::path::Path, runs: usize) -> Result<(f64, f64)> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let model = Model::load(dir)?;
        times.push(ms(start.elapsed()));
        drop(model);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    Ok((times[times.len() / 2], mean))
}

/// Vectors, wall seconds and CPU seconds of one `embed_passages` call.
fn embed_timed(model: &Model, texts: &[String]) -> Result<(Vec<Vec<f32>>, f64, f64)> {
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let vectors = model.embed_passages(texts)?;
    Ok((vectors, start.elapsed().as_secs_f64(), cpu_seconds() - cpu))
}

pub fn main(allocator: &str) -> ExitCode {
    match run(allocator) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("embed_bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(allocator: &str) -> Result<()> {
    let args = parse_args()?;
    let texts = read_jsonl(&args.corpus, args.sections)?;
    println!(
        "allocator {allocator}, {} threads, {} sections from {}, batch {}, load average {}",
        rubric_embed::threads(),
        texts.len(),
        args.corpus.display(),
        args.batch,
        load_average()
    );

    let (median, mean) = time_loads(&args.model, 7)?;
    println!("load f32: median {median:.1} ms, mean {mean:.1} ms (7 loads, warm)");
    let f16_dir = tempfile::tempdir()?;
    copy_model(&args.model, f16_dir.path(), CopyWeights::F16)?;
    let (median16, mean16) = time_loads(f16_dir.path(), 7)?;
    println!("load f16: median {median16:.1} ms, mean {mean16:.1} ms (7 loads, warm)");

    let model = Model::load(&args.model)?.with_batch_size(args.batch);
    let info = model.info();
    println!(
        "model {} ({} dims, {} pooling, normalise {}, window {}, weights {})",
        info.name, info.dimensions, info.pooling, info.normalize, info.max_tokens, info.weights
    );
    // Warm up: first calls allocate the thread pool and buffers.
    model.embed_passages(&texts[..texts.len().min(16)])?;

    let mut at_128 = None;
    let mut model = model;
    for &tokens in &args.tokens {
        model = model.with_max_tokens(tokens)?;
        let (vectors, secs, cpu) = embed_timed(&model, &texts)?;
        println!(
            "window {tokens}: {} sections in {secs:.2} s = {:.1} sections/s ({cpu:.1} CPU s = {:.1} ms CPU a section; load average {})",
            vectors.len(),
            vectors.len() as f64 / secs,
            cpu * 1e3 / vectors.len() as f64,
            load_average()
        );
        if tokens == 128 {
            at_128 = Some(vectors);
        }
    }

    if let Some(queries) = &args.queries {
        let queries = read_jsonl(queries, 50)?;
        for q in queries.iter().take(5) {
            model.embed_query(q)?;
        }
        let mut times = Vec::new();
        for q in &queries {
            let start = Instant::now();
            model.embed_query(q)?;
            times.push(ms(start.elapsed()));
        }
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        println!(
            "query (warm, {} queries): median {:.1} ms, mean {mean:.1} ms, max {:.1} ms",
            times.len(),
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }

    let half = Model::load(f16_dir.path())?
        .with_batch_size(args.batch)
        .with_max_tokens(128)?;
    let (f16_vectors, secs, cpu) = embed_timed(&half, &texts)?;
    println!(
        "f16 weights, window 128: {:.1} sections/s ({:.1} ms CPU a section)",
        f16_vectors.len() as f64 / secs,
        cpu * 1e3 / f16_vectors.len() as f64
    );
    if let Some(f32_vectors) = at_128 {
        let worst = f32_vectors
            .iter()
            .zip(&f16_vectors)
            .map(|(a, b)| 1.0 - quant::cosine(a, b))
            .fold(0f32, f32::max);
        println!(
            "f16 vs f32: largest 1 - cosine over {} sections = {worst:.2e}",
            f16_vectors.len()
        );
    }
    Ok(())
}
