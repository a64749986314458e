//! Regressions from hostile use (issue 13), end to end: each test is named
//! for what broke and uses the input that broke it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Case, Run, bin};

fn summary(case: &Case, args: &[&str], code: i32) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    case.ingest(&all).expect_code(code).json()
}

/// Runs `ingest ARGS` in the case dir with at most 4 GB of address space,
/// killing it after `limit`: `None` when it had to be killed.
fn ingest_within(case: &Case, args: &[&str], limit: Duration) -> Option<Run> {
    let mut child = Command::new("sh")
        .current_dir(case.dir.path())
        .env("NO_COLOR", "1")
        .args(["-c", "ulimit -v 4000000 && exec \"$@\"", "sh"])
        .arg(bin("ingest"))
        .arg("--index")
        .arg(case.index())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return Some(Run::from(child.wait_with_output().unwrap()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// `ln -s /dev/zero z.md; ingest z.md` grew past 3 GB (the size limit was
/// checked from the metadata, 0 for a device, then everything was read).
#[test]
fn a_symlink_to_dev_zero_is_refused_by_name_not_read_forever() {
    let case = Case::new();
    std::os::unix::fs::symlink("/dev/zero", case.path("z.md")).unwrap();
    case.write("ok.md", "# Ok\n\n## Fine\n\nStill indexed.\n");
    let run = ingest_within(&case, &["z.md", "ok.md"], Duration::from_secs(20))
        .expect("ingest of a /dev/zero link must finish");
    let run = run.expect_code(1);
    assert!(
        run.stderr.contains("z.md: cannot read: not a regular file"),
        "{}",
        run.stderr
    );
    assert_eq!(case.hit_ids("fine"), ["ok.md#fine"]);
}

/// A FIFO given by name hung forever (opening it waits for a writer).
#[test]
fn a_fifo_given_by_name_is_refused_not_waited_on() {
    let case = Case::new();
    let made = Command::new("mkfifo")
        .arg(case.path("pipe.md"))
        .status()
        .unwrap();
    assert!(made.success());
    let run = ingest_within(&case, &["pipe.md"], Duration::from_secs(20))
        .expect("ingest of a FIFO must finish");
    let run = run.expect_code(1);
    assert!(
        run.stderr
            .contains("pipe.md: cannot read: not a regular file"),
        "{}",
        run.stderr
    );
}

/// `col/1.jsonl` and `col/2.jsonl` both held `{"id":"same"}`; after `rm
/// col/2.jsonl; ingest --prune col` the index kept file two's text and
/// `--check` said it was up to date.
#[test]
fn a_deleted_files_content_does_not_survive_when_another_file_has_its_id() {
    let case = Case::new();
    case.write(
        "col/1.jsonl",
        "{\"id\":\"same\",\"text\":\"Apple orchard.\"}\n",
    );
    case.write(
        "col/2.jsonl",
        "{\"id\":\"same\",\"text\":\"Banana grove.\"}\n",
    );
    case.ingest(&["col"]).expect_code(0);
    assert_eq!(case.hit_ids("banana"), ["same"], "the last file wins");
    std::fs::remove_file(case.path("col/2.jsonl")).unwrap();
    case.ingest(&["--check", "col"]).expect_code(1);
    summary(&case, &["--prune", "col"], 0);
    assert!(case.hit_ids("banana").is_empty(), "file two's text is gone");
    assert_eq!(case.hit_ids("apple"), ["same"]);
    case.ingest(&["--check", "col"]).expect_code(0);

    // A changed file that stops yielding the id hands it back the same way.
    case.write(
        "col/2.jsonl",
        "{\"id\":\"same\",\"text\":\"Cherry tree.\"}\n",
    );
    case.ingest(&["col"]).expect_code(0);
    assert_eq!(case.hit_ids("cherry"), ["same"]);
    case.write(
        "col/2.jsonl",
        "{\"id\":\"other\",\"text\":\"Date palm.\"}\n",
    );
    case.ingest(&["col"]).expect_code(0);
    assert!(case.hit_ids("cherry").is_empty());
    assert_eq!(case.hit_ids("apple"), ["same"]);
    case.ingest(&["--check", "col"]).expect_code(0);
}

/// `ingest r/site/blog` then `ingest r/site` kept the id `post.md`, where
/// a fresh index gives `blog/post.md`, and `--check` said up to date.
#[test]
fn article_ids_do_not_depend_on_what_ran_before() {
    let case = Case::new();
    case.write(
        "r/site/blog/post.md",
        "# Post\n\n## Walnuts\n\nWalnut trees.\n",
    );
    case.write("r/site/about.md", "# About\n\n## Hazel\n\nHazel hedges.\n");
    case.ingest(&["r/site/blog"]).expect_code(0);
    assert_eq!(case.hit_ids("walnut"), ["post.md#walnuts"]);
    case.ingest(&["r/site"]).expect_code(0);
    assert_eq!(case.hit_ids("walnut"), ["blog/post.md#walnuts"]);
    case.ingest(&["--check", "r/site"]).expect_code(0);
    let fresh = case.path("fresh");
    let run = case.run(
        bin("search"),
        &["--index", fresh.to_str().unwrap(), "--json", "walnut"],
        false,
    );
    assert_eq!(run.code, 2, "no fresh index yet");
    case.run(
        bin("ingest"),
        &["--index", fresh.to_str().unwrap(), "r/site"],
        false,
    )
    .expect_code(0);
    let run = case
        .run(
            bin("search"),
            &["--index", fresh.to_str().unwrap(), "--json", "walnut"],
            false,
        )
        .expect_code(0);
    assert_eq!(run.json()["hits"][0]["id"], "blog/post.md#walnuts");
}

/// `mv pr pr.bak; ingest --prune pr` failed (exit 1) and pruned both of
/// the root's articles.
#[test]
fn prune_with_a_missing_root_prunes_nothing() {
    let case = Case::new();
    case.write("pr/a.md", "# A\n\n## Larch\n\nLarch needles.\n");
    case.write("pr/b.md", "# B\n\n## Spruce\n\nSpruce cones.\n");
    case.write("other/c.md", "# C\n\n## Cedar\n\nCedar wood.\n");
    case.ingest(&["pr", "other"]).expect_code(0);
    std::fs::rename(case.path("pr"), case.path("pr.bak")).unwrap();
    // Beside a root that is there: that root fails, nothing of it is pruned.
    let run = summary(&case, &["--prune", "pr", "other"], 1);
    assert_eq!(run["pruned"], 0, "{run}");
    // Alone: nothing to ingest (exit 2), and nothing is touched either.
    case.ingest(&["--prune", "pr"]).expect_code(2);
    assert_eq!(case.hit_ids("larch"), ["a.md#larch"]);
    assert_eq!(case.hit_ids("spruce"), ["b.md#spruce"]);
    assert_eq!(case.hit_ids("cedar"), ["c.md#cedar"]);
    let check = case.ingest(&["--check", "pr", "other"]).expect_code(1);
    assert!(!check.stdout.contains("removed"), "{}", check.stdout);
}

/// Ingesting `a b`, making the index an older schema, then `ingest a`
/// said "rebuilding it", exited 0, and everything from `b/` was gone.
#[test]
fn an_automatic_schema_rebuild_refuses_to_drop_sources_it_was_not_given() {
    let case = Case::new();
    case.write("a/one.md", "# One\n\n## Maple\n\nMaple syrup.\n");
    case.write("b/two.md", "# Two\n\n## Birch\n\nBirch bark.\n");
    case.ingest(&["a", "b"]).expect_code(0);
    std::fs::write(case.index().join("rubric.json"), "{\"schema_version\": 1}").unwrap();
    let run = case.ingest(&["a"]).expect_code(2);
    assert!(
        run.stderr.contains("two.md"),
        "names what would be lost: {}",
        run.stderr
    );
    assert!(run.stderr.contains("--rebuild"), "{}", run.stderr);
    // Given every source, it rebuilds by itself.
    let run = case.ingest(&["a", "b"]).expect_code(0);
    assert!(run.stderr.contains("rebuilding"), "{}", run.stderr);
    assert_eq!(case.hit_ids("birch"), ["two.md#birch"]);
    assert_eq!(case.hit_ids("maple"), ["one.md#maple"]);
}

/// True when `text` holds a control character other than a newline.
fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

/// ESC and BEL in a title or text (raw in Markdown, `&#x1b;` in HTML,
/// `\u001b` in JSON Lines) were printed raw by `search`: a page could set
/// the terminal's title or clear the screen.
#[test]
fn terminal_escapes_in_sources_never_reach_the_terminal() {
    let case = Case::new();
    case.write(
        "in/esc.md",
        "# Title \u{1b}]0;pwned\u{7}\n\n## Clear \u{1b}[2J here\n\nText with \u{1b}[31mred\u{1b}[0m xylophone.\n",
    );
    case.write(
        "in/esc.html",
        "<html><head><title>T&#x1b;]0;pwned&#x07;</title></head><body><main><h1>Hi &#x1b;[2J</h1><h2>Part &#x9b;1m</h2><p>Bell &#x07; xylophone &#27;[31m.</p></main></body></html>",
    );
    case.write(
        "in/esc.jsonl",
        "{\"id\":\"j\",\"title\":\"J\\u001b]0;pwned\\u0007\",\"text\":\"Jay \\u001b[2J xylophone\\u0008.\"}\n",
    );
    let dry = case.ingest(&["--dry-run", "--json", "in"]).expect_code(0);
    assert_eq!(dry.json_lines().len(), 3);
    for article in dry.json_lines() {
        let shown = article.to_string();
        let decoded: serde_json::Value = serde_json::from_str(&shown).unwrap();
        for field in ["title", "id"] {
            assert!(!has_control(decoded[field].as_str().unwrap()), "{shown}");
        }
        for s in decoded["sections"].as_array().unwrap() {
            assert!(!has_control(s["text"].as_str().unwrap()), "{shown}");
            assert!(!has_control(s["heading"].as_str().unwrap_or("")), "{shown}");
        }
    }
    case.ingest(&["in"]).expect_code(0);
    let run = case.search(&["xylophone"]).expect_code(0);
    assert!(run.stdout.contains("xylophone"), "{}", run.stdout);
    assert!(!has_control(&run.stdout), "{:?}", run.stdout);
}

/// Ids with `#` or `?` made hit ids (`article#anchor`) ambiguous.
#[test]
fn hit_ids_and_urls_escape_hash_and_question_marks_in_article_ids() {
    let case = Case::new();
    case.write(
        "c.jsonl",
        "{\"id\":\"notes#intro?v=2\",\"markdown\":\"## Setup\\n\\nQuince jelly.\"}\n",
    );
    case.write("d/faq#1.md", "# Faq\n\n## Medlar\n\nMedlar fruit, 100%.\n");
    case.ingest(&["c.jsonl", "d"]).expect_code(0);
    let hits = case.search(&["--json", "quince"]).expect_code(0).json();
    assert_eq!(hits["hits"][0]["id"], "notes%23intro%3Fv=2#setup");
    assert_eq!(hits["hits"][0]["article"], "notes#intro?v=2");
    let hits = case.search(&["--json", "medlar"]).expect_code(0).json();
    assert_eq!(hits["hits"][0]["id"], "faq%231.md#medlar");
    assert_eq!(hits["hits"][0]["article"], "faq#1.md");
    let url = hits["hits"][0]["url"].as_str().unwrap();
    assert!(url.ends_with("d/faq%231.md#medlar"), "{url}");
}

/// html5ever's `WARN foster parenting not implemented` was printed at the
/// default verbosity with no file name.
#[test]
fn html_parser_warnings_are_debug_logs_that_name_the_file() {
    let case = Case::new();
    case.write(
        "t.html",
        "<html><body><main><h1>Table</h1><h2>Stray</h2><table>stray text<tr><td>Cell of mulberry.</td></tr></table></main></body></html>",
    );
    let run = case.ingest(&["t.html"]).expect_code(0);
    assert!(!run.stderr.contains("foster"), "{}", run.stderr);
    assert!(!run.stderr.contains("WARN"), "{}", run.stderr);
    let fresh = case.path("debug-index");
    let run = case
        .run(
            bin("ingest"),
            &["-vv", "--index", fresh.to_str().unwrap(), "t.html"],
            false,
        )
        .expect_code(0);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("foster parenting"))
        .unwrap_or_else(|| panic!("logged at debug: {}", run.stderr));
    assert!(line.contains("DEBUG") && line.contains("t.html"), "{line}");
}

/// Error chains said their cause twice (`Too many levels of symbolic
/// links (os error 40): Too many levels of symbolic links (os error 40)`).
#[test]
fn a_symlink_loop_is_named_with_its_cause_said_once() {
    let case = Case::new();
    std::fs::create_dir_all(case.path("loops")).unwrap();
    std::os::unix::fs::symlink("self.md", case.path("loops/self.md")).unwrap();
    std::os::unix::fs::symlink("self.md", case.path("self.md")).unwrap();
    case.write("loops/ok.md", "# Ok\n\n## Fine\n\nFine.\n");
    let run = case.ingest(&["self.md", "loops"]).expect_code(1);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("Too many levels"))
        .collect();
    assert_eq!(errors.len(), 2, "{}", run.stderr);
    for line in errors {
        assert_eq!(line.matches("Too many levels").count(), 1, "{line}");
        assert!(line.contains("self.md"), "{line}");
    }
}

/// UTF-16 text with a byte-order mark was refused as "binary".
#[test]
fn utf16_text_with_a_bom_is_read_as_text() {
    let case = Case::new();
    let text = "Greengage\n\nGreengage plums ripen late.\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(
        "# Damson\n\n## Jam\n\nDamson jam.\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes),
    );
    case.write("u/le.txt", le);
    case.write("u/be.md", be);
    case.ingest(&["u"]).expect_code(0);
    assert_eq!(case.search(&["--json", "greengage"]).json()["total"], 1);
    assert_eq!(case.hit_ids("damson jam"), ["be.md#jam"]);
}

/// Pages skipped online (robots.txt, content type) became "not in the HTTP
/// cache" failures with `--offline`.
#[test]
fn offline_runs_skip_what_online_runs_skipped() {
    use rubric_test_site::{Reply, Site};
    let case = Case::new();
    let site = Site::start();
    site.route(
        "/robots.txt",
        Reply::text("User-agent: *\nDisallow: /private/\n"),
    );
    site.route(
        "/ok",
        Reply::html(
            "<html><body><main><h1>Fine</h1><h2>Part</h2><p>Loquat words.</p></main></body></html>",
        ),
    );
    site.route("/private/secret", Reply::html("<p>hidden</p>"));
    site.route(
        "/paper.pdf",
        Reply::with_type("application/pdf", b"%PDF-1.7".to_vec()),
    );
    let list = ["/ok", "/private/secret", "/paper.pdf"]
        .map(|p| site.url(p))
        .join("\n");
    case.write("pages.urls", format!("{list}\n"));
    let fast = ["--delay", "0", "--timeout", "2", "--retries", "0"];
    let mut args = vec!["--json", "--urls", "pages.urls"];
    args.extend(fast);
    let online = case.ingest(&args).expect_code(0).json();
    assert_eq!(
        (online["skipped"].as_u64(), online["failed"].as_u64()),
        (Some(2), Some(0))
    );
    drop(site);
    args.push("--offline");
    let offline = case.ingest(&args).expect_code(0);
    let json = offline.json();
    assert_eq!(
        (json["skipped"].as_u64(), json["failed"].as_u64()),
        (Some(2), Some(0)),
        "{}",
        offline.stderr
    );
    assert!(
        !offline.stderr.contains("not in the HTTP cache"),
        "{}",
        offline.stderr
    );
}

/// Files in the index folder that no commit names: Tantivy's, Rubric's
/// catalogs and temporary files. Empty when the folder holds exactly the
/// last commit.
fn orphans(index: &Path) -> Vec<String> {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
    let segments: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap_or("{}")).unwrap();
    let catalog = payload["manifest"].as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(index).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let known = matches!(
            name.as_str(),
            "meta.json" | ".managed.json" | "rubric.json" | "http-cache.json" | "http-cache"
        ) || name.starts_with(".tantivy-")
            || name == catalog
            || segments.iter().any(|s| name.starts_with(&format!("{s}.")));
        if !known {
            out.push(name);
        }
    }
    out.sort();
    out
}

/// Kills `ingest ARGS` after `after`; true when it had to be killed.
fn kill_after(case: &Case, args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(bin("ingest"))
        .current_dir(case.dir.path())
        .args(["-q", "--index"])
        .arg(case.index())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    killed
}

fn rocks(dir: &Path, n: usize, word: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let words: String = (0..40).map(|j| format!(" {word}{i}x{j}")).collect();
        let body = format!("# Note {i}\n\n## Rocks\n\nThe {word} outcrop{words}.\n");
        std::fs::write(dir.join(format!("n{i:04}.md")), body).unwrap();
    }
}

/// kill -9 left 8 → 46 → 107 MB of partial segments behind until a later
/// successful commit; the next run now clears what no commit names before
/// it writes (here: a run with nothing to do).
#[test]
fn files_a_killed_run_left_are_cleared_by_the_next_run() {
    let case = Case::new();
    rocks(&case.path("big"), 400, "granite");
    case.ingest(&["-q", "big"]).expect_code(0);
    assert_eq!(orphans(&case.index()), Vec::<String>::new());
    rocks(&case.path("big"), 400, "basalt");
    let started = Instant::now();
    case.ingest(&["-q", "--rebuild", "big"]).expect_code(0);
    let took = started.elapsed();
    // A seeded spread of kill moments over the run.
    let mut seed: u64 = 13;
    let mut left_some = false;
    for word in ["gneiss", "schist", "marble"] {
        rocks(&case.path("big"), 400, word);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let share = 0.3 + (seed >> 33) as f64 / (1u64 << 31) as f64 * 0.6;
        kill_after(&case, &["--rebuild", "big"], took.mul_f64(share));
        left_some |= !orphans(&case.index()).is_empty();
        // The first run after the kill clears what the kill left, even
        // one with nothing to commit.
        std::fs::write(case.path("empty.md"), "").unwrap();
        case.ingest(&["-q", "empty.md"]).expect_code(0);
        assert_eq!(orphans(&case.index()), Vec::<String>::new(), "after {word}");
    }
    assert!(
        left_some,
        "no kill left anything behind: the test proved nothing"
    );
}

/// After a full disk, the index could not take even a one-file update: the
/// failed run's partial segments and catalog stayed and filled the disk.
#[test]
fn after_a_full_disk_a_small_update_succeeds_and_nothing_is_left_behind() {
    let case = Case::new();
    case.write(
        "docs/ferns.md",
        "# Ferns\n\n## Shade\n\nFerns love shade.\n",
    );
    case.write("tiny/moss.md", "# Moss\n\n## Damp\n\nMoss likes damp.\n");
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
        "$INGEST" -q --index small/index tiny; echo "tiny=$?"
        "$SEARCH" --index small/index --json moss; echo "moss=$?"
        "$INGEST" --check --index small/index docs tiny; echo "check=$?"
        cp -r small/index kept
    "#;
    let Some(run) = crate::incremental::in_mount_namespace(&case, script) else {
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
    assert!(
        out.contains("tiny=0"),
        "a small update fits again: {out}\n{}",
        run.stderr
    );
    assert!(out.contains("moss=0"), "{out}");
    assert!(out.contains("check=0"), "{out}\n{}", run.stderr);
    assert_eq!(orphans(&case.path("kept")), Vec::<String>::new());
}

/// Runs `ingest ARGS` on the case's index with the I/O-failure shim of
/// tests/faults (built into the case dir) preloaded and `env` set.
fn ingest_with_shim(case: &Case, shim: &Path, env: &[(&str, String)], args: &[&str]) -> Run {
    let mut command = Command::new(bin("ingest"));
    command
        .current_dir(case.dir.path())
        .env("NO_COLOR", "1")
        .env("LD_PRELOAD", shim)
        .arg("--index")
        .arg(case.index())
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    Run::from(command.output().unwrap())
}

/// Found by tests/faults/run: when one of Tantivy's two indexing threads
/// failed on a disk error (EIO), its commit returned at once and left the
/// other thread writing its segment on its own, after the clean-up had run;
/// that segment's files stayed in the index folder until the next run. And
/// a failure seen while adding documents said only "An index writer was
/// killed", not what failed.
#[test]
fn an_io_error_while_writing_the_index_leaves_no_segment_files_behind() {
    let shim_dir = Case::new();
    let shim = shim_dir.path("eio.so");
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&shim)
        .arg(crate::harness::repo().join("tests/faults/eio.c"))
        .arg("-ldl")
        .status();
    if !built.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: no C compiler to build the I/O-failure shim");
        return;
    }
    let case = Case::new();
    for i in 0..150 {
        let words: Vec<String> = (0..60).map(|j| format!("w{i}x{j}")).collect();
        case.write(
            &format!("notes/n{i:03}.md"),
            format!(
                "# Note {i}\n\n## Rocks\n\nGranite {i}. {}\n\n## Soil\n\nSoil {i} drains.\n",
                words.join(" ")
            ),
        );
    }
    case.ingest(&["-q", "notes"]).expect_code(0);
    let index = format!("{}/", case.index().display());
    let counted = ingest_with_shim(
        &case,
        &shim,
        &[
            ("EIO_WRITE_MATCH", index.clone()),
            ("EIO_COUNT", "1".into()),
        ],
        &["-q", "--rebuild", "notes"],
    );
    let writes: usize = counted
        .stderr
        .rsplit("eio: ")
        .next()
        .and_then(|tail| tail.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the shim counts writes: {}", counted.stderr));
    let mut failed = 0;
    for after in (1..=writes).step_by((writes / 20).max(1)) {
        let run = ingest_with_shim(
            &case,
            &shim,
            &[
                ("EIO_WRITE_MATCH", index.clone()),
                ("EIO_WRITE_AFTER", after.to_string()),
            ],
            &["-q", "--rebuild", "notes"],
        );
        if run.code == 0 {
            continue;
        }
        failed += 1;
        assert_eq!(run.code, 2, "write {after} of {writes}: {}", run.stderr);
        assert!(
            run.stderr.contains("Input/output error"),
            "write {after}: the error is named: {}",
            run.stderr
        );
        assert_eq!(
            orphans(&case.index()),
            Vec::<String>::new(),
            "write {after} of {writes} failed and left files no commit names: {}",
            run.stderr
        );
        assert_eq!(case.hit_ids("granite").len(), 10, "the old index answers");
    }
    assert!(failed > 0, "no run failed: the shim did not take effect");
}
