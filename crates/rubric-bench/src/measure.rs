//! Running a command as a process and measuring it: wall time from spawn to
//! exit and peak resident memory.
//!
//! Peak memory comes from `getrusage(RUSAGE_CHILDREN)`, which reports the
//! largest child a process has ever waited for. So each measured command is
//! run by a fresh copy of this binary (`rubric-bench __measure FILE -- CMD`)
//! that spawns it, waits, and writes `wall_seconds peak_kb exit_code` to
//! FILE; the figure is then the command's own. The measured command's stdout
//! and stderr are captured.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

/// What one measured run gave.
#[derive(Debug, Clone)]
pub struct Run {
    pub wall: f64,
    pub peak_kb: u64,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program args` under the measuring helper, capturing its output.
pub fn run(program: &Path, args: &[&str]) -> anyhow::Result<Run> {
    let me = std::env::current_exe().context("finding the rubric-bench binary")?;
    let report = tempfile_path("measure");
    let output = Command::new(me)
        .arg("__measure")
        .arg(&report)
        .arg("--")
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", program.display()))?;
    let text = std::fs::read_to_string(&report)
        .with_context(|| format!("{} did not run (no report)", program.display()))?;
    let _ = std::fs::remove_file(&report);
    let mut parts = text.split_whitespace();
    let (Some(wall), Some(peak), Some(code)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("bad measurement report {text:?}");
    };
    Ok(Run {
        wall: wall.parse()?,
        peak_kb: peak.parse()?,
        code: code.parse()?,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// The helper's side: `__measure FILE -- CMD ARGS...`.
pub fn helper(args: &[String]) -> ExitCode {
    let (Some(report), Some(program)) = (args.first(), args.get(2)) else {
        eprintln!("rubric-bench __measure FILE -- CMD [ARGS...]");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let status = match Command::new(program).args(&args[3..]).status() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("rubric-bench: cannot run {program}: {e}");
            return ExitCode::from(2);
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let peak_kb = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map_or(0, |usage| usage.max_rss().max(0) as u64);
    let code = status.code().unwrap_or(-1);
    if let Err(e) = std::fs::write(report, format!("{wall} {peak_kb} {code}\n")) {
        eprintln!("rubric-bench: cannot write {report}: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Spawn-to-exit wall time of `program args`, with no helper in between
/// (for short commands, where the helper's own start would be noise).
pub fn spawn_wall(program: &Path, args: &[&str]) -> anyhow::Result<f64> {
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("running {}", program.display()))?;
    let wall = started.elapsed().as_secs_f64();
    // `search` exits 1 when nothing matched: still a measured answer.
    if !matches!(status.code(), Some(0 | 1)) {
        bail!("{} {args:?} failed: {status}", program.display());
    }
    Ok(wall)
}

/// A fresh path in the temp folder.
pub fn tempfile_path(what: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "rubric-bench-{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The median of `values` (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// The `p`th percentile of `values` (nearest rank; NaN when empty).
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
