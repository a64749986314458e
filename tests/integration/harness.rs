//! The end-to-end harness: every case gets its own temp dir, runs the real
//! `ingest` and `search` binaries (CARGO_BIN_EXE_*) and inspects exit codes,
//! stdout and stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temp dir for one case, with helpers to write files and run the binaries.
pub struct Case {
    pub dir: tempfile::TempDir,
}

/// What a binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The stdout parsed as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The stdout parsed as JSON Lines.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    /// Panics with both streams unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// The path of the binary `name` (`ingest` or `search`): the one cargo
/// built, or the one in `$RUBRIC_TEST_BIN_DIR` when that is set (to run the
/// end-to-end tests against another build, e.g. to see a regression test
/// fail on the build before its fix).
pub fn bin(name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("RUBRIC_TEST_BIN_DIR") {
        return PathBuf::from(dir).join(name);
    }
    PathBuf::from(match name {
        "ingest" => env!("CARGO_BIN_EXE_ingest"),
        _ => env!("CARGO_BIN_EXE_search"),
    })
}

/// The repository root (where `corpus/` and `tests/fixtures/` are).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture folder under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(name)
}

impl Case {
    pub fn new() -> Case {
        Case {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The index folder of this case.
    pub fn index(&self) -> PathBuf {
        self.path("index")
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, contents).expect("write");
        path
    }

    /// Copies a fixture folder into the case and returns the copy's path.
    pub fn copy_fixture(&self, name: &str) -> PathBuf {
        let to = self.path(name);
        copy_dir(&fixture(name), &to);
        to
    }

    /// Runs `ingest --index <case index> ARGS` in the case dir.
    pub fn ingest(&self, args: &[&str]) -> Run {
        self.run(bin("ingest"), args, true)
    }

    /// Runs `search --index <case index> ARGS` in the case dir.
    pub fn search(&self, args: &[&str]) -> Run {
        self.run(bin("search"), args, true)
    }

    /// Runs a binary without adding `--index`.
    pub fn run(&self, bin: impl AsRef<std::ffi::OsStr>, args: &[&str], with_index: bool) -> Run {
        let mut cmd = Command::new(bin);
        cmd.current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1");
        if with_index {
            cmd.arg("--index").arg(self.index());
        }
        cmd.args(args);
        Run::from(cmd.output().expect("run binary"))
    }

    /// `search --json QUERY`: the hits' ids, best first.
    pub fn hit_ids(&self, query: &str) -> Vec<String> {
        let run = self.search(&["--json", query]);
        assert!(
            run.code == 0 || run.code == 1,
            "search failed: {}",
            run.stderr
        );
        run.json()["hits"]
            .as_array()
            .map(|hits| {
                hits.iter()
                    .map(|h| h["id"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("copy");
        }
    }
}
