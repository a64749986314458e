//! Incremental ingest, `--prune`, `--rebuild`, `--check`, the writer lock,
//! deterministic rebuilds and crash safety (kill -9 at random moments).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Case;

fn summary(case: &Case, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    case.ingest(&all).expect_code(0).json()
}

fn plants(case: &Case) {
    case.write(
        "docs/ferns.md",
        "# Ferns\n\n## Shade\n\nFerns love shade.\n",
    );
    case.write(
        "docs/cacti.md",
        "# Cacti\n\n## Water\n\nCacti store water.\n",
    );
    case.write(
        "docs/sub/orchids.md",
        "# Orchids\n\n## Humidity\n\nOrchids need humidity.\n",
    );
}

#[test]
fn an_unchanged_rerun_reads_nothing_and_commits_nothing() {
    let case = Case::new();
    plants(&case);
    let first = summary(&case, &["docs"]);
    assert_eq!(first["added"], 3);
    let meta_before = std::fs::read(case.index().join("meta.json")).unwrap();
    let again = summary(&case, &["docs"]);
    assert_eq!(
        (again["added"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(again["unchanged"], 3);
    assert_eq!(again["articles"], 0, "unchanged files are not even read");
    let meta_after = std::fs::read(case.index().join("meta.json")).unwrap();
    assert_eq!(meta_before, meta_after, "no new commit");
}

#[test]
fn a_touched_but_identical_file_is_read_and_found_unchanged() {
    let case = Case::new();
    plants(&case);
    summary(&case, &["docs"]);
    let content = std::fs::read(case.path("docs/ferns.md")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    case.write("docs/ferns.md", &content);
    let run = summary(&case, &["docs"]);
    assert_eq!(run["articles"], 1, "the touched file is read again");
    assert_eq!(run["unchanged"], 3);
    assert_eq!(run["updated"], 0);
}

#[test]
fn prune_removes_articles_whose_files_are_gone_and_only_with_the_flag() {
    let case = Case::new();
    plants(&case);
    summary(&case, &["docs"]);
    std::fs::remove_file(case.path("docs/cacti.md")).unwrap();
    let run = summary(&case, &["docs"]);
    assert_eq!(run["pruned"], 0);
    assert_eq!(
        case.hit_ids("cacti"),
        ["cacti.md#water"],
        "kept without --prune"
    );
    let run = summary(&case, &["--prune", "docs"]);
    assert_eq!(run["pruned"], 1);
    assert!(case.hit_ids("cacti").is_empty());
    assert_eq!(case.hit_ids("ferns"), ["ferns.md#shade"], "the others stay");
}

#[test]
fn prune_leaves_articles_of_other_roots_alone() {
    let case = Case::new();
    plants(&case);
    case.write(
        "more/tulips.md",
        "# Tulips\n\n## Bulbs\n\nTulips grow from bulbs.\n",
    );
    summary(&case, &["docs", "more"]);
    let run = summary(&case, &["--prune", "more"]);
    assert_eq!(run["pruned"], 0);
    assert_eq!(case.hit_ids("ferns"), ["ferns.md#shade"]);
}

#[test]
fn records_gone_from_a_changed_jsonl_file_are_removed() {
    let case = Case::new();
    case.write(
        "c.jsonl",
        "{\"_id\":\"a\",\"text\":\"Apples are crisp.\"}\n{\"_id\":\"b\",\"text\":\"Bananas are soft.\"}\n",
    );
    summary(&case, &["c.jsonl"]);
    case.write(
        "c.jsonl",
        "{\"_id\":\"a\",\"text\":\"Apples are crisp.\"}\n",
    );
    let run = summary(&case, &["c.jsonl"]);
    assert_eq!(run["pruned"], 1);
    assert_eq!(run["unchanged"], 1);
    assert!(case.hit_ids("bananas").is_empty());
}

#[test]
fn rebuild_starts_from_empty() {
    let case = Case::new();
    plants(&case);
    case.write(
        "old/tulips.md",
        "# Tulips\n\n## Bulbs\n\nTulips grow from bulbs.\n",
    );
    summary(&case, &["docs", "old"]);
    let run = summary(&case, &["--rebuild", "docs"]);
    assert_eq!(run["added"], 3);
    assert!(case.hit_ids("tulips").is_empty());
    assert_eq!(case.hit_ids("orchids"), ["sub/orchids.md#humidity"]);
}

#[test]
fn check_lists_what_is_stale_and_writes_nothing() {
    let case = Case::new();
    plants(&case);
    // No index is not an empty index: --check says there is none.
    let run = case.ingest(&["--check", "docs"]).expect_code(2);
    assert!(run.stderr.contains("no index at"), "{}", run.stderr);
    assert!(!case.index().exists(), "--check writes nothing");

    case.ingest(&["docs"]).expect_code(0);
    let run = case.ingest(&["--check", "docs"]).expect_code(0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("up to date"), "{}", run.stderr);

    case.write(
        "docs/ferns.md",
        "# Ferns\n\n## Shade\n\nFerns love deep shade.\n",
    );
    case.write(
        "docs/tulips.md",
        "# Tulips\n\n## Bulbs\n\nTulips grow from bulbs.\n",
    );
    std::fs::remove_file(case.path("docs/cacti.md")).unwrap();
    let meta = std::fs::read(case.index().join("meta.json")).unwrap();
    let run = case.ingest(&["--check", "docs"]).expect_code(1);
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    lines.sort();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("added\ttulips.md\t"), "{lines:?}");
    assert!(lines[1].starts_with("changed\tferns.md\t"), "{lines:?}");
    assert!(lines[2].starts_with("removed\tcacti.md\t"), "{lines:?}");
    assert_eq!(meta, std::fs::read(case.index().join("meta.json")).unwrap());

    let json = case
        .ingest(&["--check", "--json", "docs"])
        .expect_code(1)
        .json();
    assert_eq!(json["current"], false);
    assert_eq!(json["stale"].as_array().unwrap().len(), 3);

    case.ingest(&["--prune", "docs"]).expect_code(0);
    case.ingest(&["--check", "docs"]).expect_code(0);
}

#[test]
fn two_rebuilds_answer_every_query_identically() {
    let a = Case::new();
    let b = Case::new();
    for case in [&a, &b] {
        case.write("corpus.jsonl", generated_jsonl(300));
        case.ingest(&["corpus.jsonl"]).expect_code(0);
    }
    for q in [
        "river",
        "mountain lake",
        "forest river stone",
        "\"river stone\"",
        "zzz",
    ] {
        let strip = |case: &Case| {
            let mut v = case.search(&["--json", "--limit", "50", q]).json();
            v["took_ms"] = serde_json::Value::Null;
            v
        };
        assert_eq!(strip(&a), strip(&b), "query {q}");
    }
}

#[test]
fn a_second_writer_fails_at_once_with_a_clear_message() {
    let case = Case::new();
    plants(&case);
    case.ingest(&["docs"]).expect_code(0);
    let held = rubric_index::IndexWriter::open(&case.index(), 20_000_000).unwrap();
    let started = Instant::now();
    let run = case.ingest(&["docs/sub"]).expect_code(2);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(run.stderr.contains("locked"), "{}", run.stderr);
    // Searching works while a writer holds the lock.
    case.search(&["ferns"]).expect_code(0);
    drop(held);
    case.ingest(&["docs/sub"]).expect_code(0);
}

#[test]
fn an_index_of_another_schema_version_is_rebuilt_by_ingest_and_refused_by_search() {
    let case = Case::new();
    plants(&case);
    case.ingest(&["docs"]).expect_code(0);
    std::fs::write(case.index().join("rubric.json"), "{\"schema_version\": 0}").unwrap();
    let run = case.search(&["ferns"]).expect_code(2);
    assert!(run.stderr.contains("rebuild"), "{}", run.stderr);
    let run = case.ingest(&["docs"]).expect_code(0);
    assert!(run.stderr.contains("rebuilding"), "{}", run.stderr);
    assert_eq!(case.hit_ids("ferns"), ["ferns.md#shade"]);
}

/// Files in the kill test's corpus: enough for a run to take a while.
const N: usize = 1000;

#[test]
fn a_run_killed_at_random_moments_leaves_the_last_commit_whole() {
    let case = Case::new();
    write_corpus(&case.path("big"), N, "granite");
    case.ingest(&["big"]).expect_code(0);
    let full = total(&case, "granite");

    // Time a full rewrite once, then kill rewrites at spread-out moments in it.
    write_corpus(&case.path("big"), N, "basalt");
    let started = Instant::now();
    case.ingest(&["big"]).expect_code(0);
    let took = started.elapsed();
    let mut have = "basalt";
    let mut seed = u64::from(std::process::id());
    let mut killed_before_commit = 0;
    // Kill moments spread over the run (with jitter), from just after start
    // to near the end, where the commit happens.
    for (round, share) in [0.05, 0.3, 0.55, 0.8].into_iter().enumerate() {
        let want = if have == "granite" {
            "basalt"
        } else {
            "granite"
        };
        write_corpus(&case.path("big"), N, want);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let jitter = (seed >> 33) as f64 / (1u64 << 31) as f64 * 0.2;
        let at = took.mul_f64(share + jitter);
        let mut child = Command::new(env!("CARGO_BIN_EXE_ingest"))
            .current_dir(case.dir.path())
            .args(["-q", "--index"])
            .arg(case.index())
            .arg("big")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();

        // The index opens and holds exactly one whole state: all old or all new.
        let (old_hits, new_hits) = (total(&case, have), total(&case, want));
        let whole_old = old_hits == full && new_hits == 0;
        let whole_new = new_hits == full && old_hits == 0;
        assert!(
            whole_old || whole_new,
            "round {round} killed at {at:?}: {have}={old_hits} {want}={new_hits}"
        );
        killed_before_commit += usize::from(whole_old);
        // --check agrees with what the index holds.
        let check = case.ingest(&["--check", "big"]);
        assert_eq!(
            check.code,
            if whole_new { 0 } else { 1 },
            "round {round}: {}",
            check.stderr
        );
        // A re-run completes and the index is current.
        case.ingest(&["-q", "big"]).expect_code(0);
        case.ingest(&["--check", "big"]).expect_code(0);
        assert_eq!(total(&case, want), full);
        have = want;
    }
    assert!(
        killed_before_commit > 0,
        "no kill landed before the commit: the test proved nothing"
    );
}

/// How many sections match `word` (the index must open and answer).
fn total(case: &Case, word: &str) -> u64 {
    let run = case.search(&["--json", "--limit", "1", word]);
    assert!(
        run.code == 0 || run.code == 1,
        "search failed: {}",
        run.stderr
    );
    run.json()["total"].as_u64().unwrap()
}

/// `n` Markdown files, each with a few sections mentioning `word`.
fn write_corpus(dir: &Path, n: usize, word: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let body = format!(
            "# Note {i}\n\n## Rocks {i}\n\nThe {word} outcrop number {i} is old.\n\n## Soil {i}\n\nSoil over {word} drains well; sample {i}.\n"
        );
        std::fs::write(dir.join(format!("note-{i:05}.md")), body).unwrap();
    }
}

fn generated_jsonl(n: usize) -> String {
    let words = [
        "river", "stone", "forest", "mountain", "lake", "meadow", "valley", "cliff",
    ];
    let mut out = String::new();
    for i in 0..n {
        let pick = |k: usize| words[(i * 7 + k * 3) % words.len()];
        let text = format!(
            "The {} meets the {} near the {} and the {} stone.",
            pick(0),
            pick(1),
            pick(2),
            pick(3)
        );
        out.push_str(
            &serde_json::json!({"_id": format!("d{i}"), "title": pick(4), "text": text})
                .to_string(),
        );
        out.push('\n');
    }
    out
}

/// Runs `script` with `sh` in a new user + mount namespace (so it may mount a
/// small tmpfs without touching the machine's mounts); `None` when this
/// machine does not allow that.
pub fn in_mount_namespace(case: &Case, script: &str) -> Option<crate::harness::Run> {
    let probe = Command::new("unshare").args(["-rm", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!(
            "SKIPPED: `unshare -rm` is not allowed here, so no small or read-only file system can be made"
        );
        return None;
    }
    let output = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .current_dir(case.dir.path())
        .env("INGEST", crate::harness::bin("ingest"))
        .env("SEARCH", crate::harness::bin("search"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Some(crate::harness::Run::from(output))
}

#[test]
fn a_full_disk_or_read_only_index_folder_is_a_clear_error_and_the_old_index_stays() {
    let case = Case::new();
    plants(&case);
    // Far more than fits in 2 MB: every word is new to the index.
    for i in 0..600 {
        let words: Vec<String> = (0..300).map(|j| format!("w{i}x{j}")).collect();
        case.write(
            &format!("big/{i}.md"),
            format!("# Big {i}\n\n## Words\n\n{}\n", words.join(" ")),
        );
    }
    std::fs::create_dir_all(case.path("small")).unwrap();
    let script = r#"
        mount -t tmpfs -o size=2m tmpfs small || exit 99
        "$INGEST" -q --index small/index docs; echo "first=$?"
        "$INGEST" -q --index small/index big; echo "full=$?"
        "$SEARCH" --index small/index --json ferns; echo "search_after_full=$?"
        mount -o remount,ro small || exit 99
        "$INGEST" -q --index small/index docs big; echo "readonly=$?"
        "$SEARCH" --index small/index --json ferns; echo "search_read_only=$?"
        "$INGEST" --check --index small/index docs; echo "check_read_only=$?"
    "#;
    let Some(run) = in_mount_namespace(&case, script) else {
        return;
    };
    assert_ne!(run.code, 99, "mount failed: {}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("first=0"), "{out}\n{}", run.stderr);
    assert!(
        out.contains("full=2"),
        "a full disk is an error: {out}\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("No space left"), "{}", run.stderr);
    assert!(out.contains("search_after_full=0"), "{out}\n{}", run.stderr);
    assert!(
        out.contains("\"ferns.md#shade\""),
        "the old index answers: {out}"
    );
    assert!(out.contains("readonly=2"), "{out}\n{}", run.stderr);
    assert!(
        run.stderr.contains("Read-only file system"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("locked"),
        "not mistaken for a busy lock: {}",
        run.stderr
    );
    assert!(
        out.contains("search_read_only=0"),
        "a read-only index can be searched: {out}\n{}",
        run.stderr
    );
    assert!(out.contains("check_read_only=0"), "{out}\n{}", run.stderr);
}
