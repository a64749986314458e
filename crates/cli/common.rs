//! What both binaries share: logging set-up (with the `log` crate's records
//! bridged into `tracing`), verbosity flags, the error report on exit, and
//! the broken-pipe rule. Included by each binary with
//! `#[path]`, so neither links anything the other needs.

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// `-v`/`-q` as clap flags, shared by both binaries.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Verbosity {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Less output on stderr: no progress bar, no summary, errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl Verbosity {
    /// Sends `tracing` events to stderr: warnings by default, more with -v,
    /// errors only with -q. `RUST_LOG` overrides.
    ///
    /// Libraries that log through the `log` crate (Tantivy, html5ever,
    /// rustls) are heard through [`LogBridge`]; `parsers` names the crates
    /// whose warnings are about their input (ingest's HTML parser). Each
    /// binary gives its own, so `search`, which links no parser, does not
    /// even hold their names.
    pub fn init_logging(self, parsers: &'static [&'static str]) {
        let level = match (self.quiet, self.verbose) {
            (true, _) => "error",
            (false, 0) => "warn",
            (false, 1) => "info",
            (false, 2) => "debug",
            _ => "trace",
        };
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
        let max = match filter.max_level_hint() {
            Some(level) if level == LevelFilter::OFF => log::LevelFilter::Off,
            Some(level) if level == LevelFilter::ERROR => log::LevelFilter::Error,
            Some(level) if level == LevelFilter::WARN => log::LevelFilter::Warn,
            Some(level) if level == LevelFilter::INFO => log::LevelFilter::Info,
            Some(level) if level == LevelFilter::DEBUG => log::LevelFilter::Debug,
            _ => log::LevelFilter::Trace,
        };
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .with_target(false)
            .without_time()
            .finish();
        if tracing::subscriber::set_global_default(subscriber).is_ok()
            && log::set_boxed_logger(Box::new(LogBridge { parsers })).is_ok()
        {
            log::set_max_level(max);
        }
    }
}

/// Hands `log` records to `tracing`, so they meet the same filter and
/// printer as Rubric's own events (and the span they happen in, which
/// names the source being extracted). The HTML parser's warnings and
/// errors ("foster parenting not implemented") are about the page, not
/// about the run: they become debug events, prefixed with the parser's
/// name, and its own debug chatter is dropped.
struct LogBridge {
    /// Crates whose warnings are about their input, not about the run.
    parsers: &'static [&'static str],
}

impl LogBridge {
    fn parser_of(&self, target: &str) -> Option<&'static str> {
        let name = target.split("::").next().unwrap_or(target);
        self.parsers.iter().find(|p| **p == name).copied()
    }
}

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        let Some(parser) = self.parser_of(record.target()) else {
            let _ = tracing_log::format_trace(record);
            return;
        };
        if record.level() > log::Level::Warn {
            return;
        }
        let _ = tracing_log::format_trace(
            &log::Record::builder()
                .args(format_args!("{parser}: {}", record.args()))
                .level(log::Level::Debug)
                .target(record.target())
                .module_path(record.module_path())
                .file(record.file())
                .line(record.line())
                .build(),
        );
    }

    fn flush(&self) {}
}

/// How a run ended, as ripgrep's exit codes: 0 success, 1 "nothing found" or
/// "some sources failed", 2 an error that stopped the run.
pub fn report(program: &str, result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut said = rubric_core::text::error_messages(err.as_ref());
            eprintln!("{program}: error: {}", said.remove(0));
            for cause in said {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, each said once.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    rubric_core::text::error_chain(err)
}

/// True when the error is (or wraps) a broken pipe: the reader went away,
/// as with `search foo | head -1`, which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
