//! For publishers: built sites (Hugo/Zola-shaped `public/`, a Sphinx build
//! with `_sources/` and dangling `_static` links, Markdown sources) ingested
//! with `--site-url` give hits that link to the live page's anchor; a new
//! site URL re-links without reading a file; ignore files, hidden files and
//! globs; `rubric.toml` layered under the flags; and the messages a newcomer
//! meets (no index, nothing to ingest, a bad key, a bad flag).

use serde_json::Value;

use crate::harness::{Case, Run};
use crate::serve::Server;

/// `search --json QUERY`: the first hit.
fn top(case: &Case, query: &str) -> Value {
    let run = case.search(&["--json", query]).expect_code(0);
    run.json()["hits"][0].clone()
}

#[test]
fn a_hugo_public_folder_with_a_site_url_links_hits_to_the_live_pages() {
    let case = Case::new();
    let site = case.copy_fixture("site-hugo");
    let public = site.join("public");
    let run = case
        .ingest(&[
            public.to_str().unwrap(),
            "--site-url",
            "https://example.org/",
        ])
        .expect_code(0);
    assert!(run.stderr.contains("3 articles read"), "{}", run.stderr);
    assert!(
        run.stderr.contains("skipped 3 files of other formats"),
        "css, sitemap.xml, index.xml: {}",
        run.stderr
    );
    let hit = top(&case, "kefir sauerkraut");
    assert_eq!(hit["id"], "posts/gut-health/index.html#fermented-foods");
    assert_eq!(
        hit["url"],
        "https://example.org/posts/gut-health/#fermented-foods"
    );
    assert_eq!(
        top(&case, "front desk")["url"],
        "https://example.org/about.html#contact"
    );
    assert_eq!(top(&case, "nutrition")["url"], "https://example.org/");

    // Pretty URLs: `about.html` is served as `about/`; only the URLs change.
    let run = case
        .ingest(&[
            public.to_str().unwrap(),
            "--site-url",
            "https://example.org/",
            "--pretty-urls",
            "--json",
        ])
        .expect_code(0);
    let summary = run.json();
    assert_eq!(summary["articles"], 0, "no file read again: {summary}");
    assert_eq!(summary["relinked"], 1, "{summary}");
    assert_eq!(
        top(&case, "front desk")["url"],
        "https://example.org/about/#contact"
    );
}

#[test]
fn markdown_sources_map_like_hugo_and_front_matter_wins() {
    let case = Case::new();
    let site = case.copy_fixture("site-hugo");
    let content = site.join("content");
    case.ingest(&[
        content.to_str().unwrap(),
        "--site-url",
        "https://example.org/blog",
    ])
    .expect_code(0);
    assert_eq!(
        top(&case, "kefir")["url"],
        "https://example.org/blog/posts/gut-health/#fermented-foods"
    );
    assert_eq!(
        top(&case, "melatonin antioxidant")["url"],
        "https://example.org/blog/sleep-well/#melatonin",
        "front matter url"
    );
    assert_eq!(
        top(&case, "eczema infancy")["url"],
        "https://example.org/blog/posts/healthy-skin/#eczema",
        "front matter slug"
    );
    assert_eq!(
        top(&case, "nutrition nurses")["url"],
        "https://example.org/blog/"
    );
}

/// A Sphinx build as Debian ships one: `_sources/` holds the reST of every
/// page, `_static/*.js` are links into a package that may not be installed.
fn sphinx_build(case: &Case) -> std::path::PathBuf {
    let build = case.copy_fixture("site-sphinx");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "../../../../javascript/sphinxdoc/1.0/doctools.js",
        build.join("_static/doctools.js"),
    )
    .unwrap();
    build
}

#[test]
fn a_sphinx_build_is_ingested_without_its_sources_and_dangling_static_links() {
    let case = Case::new();
    let build = sphinx_build(&case);
    let run = case
        .ingest(&[
            build.to_str().unwrap(),
            "--site-url",
            "https://docs.example.org/widget/",
            "-v",
        ])
        .expect_code(0);
    assert!(run.stderr.contains("2 articles read"), "{}", run.stderr);
    assert!(
        run.stderr.contains("left out (a Sphinx build's sources)"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    let hits = case
        .search(&["--json", "unpack tarball installer"])
        .expect_code(0)
        .json();
    let hits = hits["hits"].as_array().unwrap();
    assert!(
        hits.iter()
            .all(|h| !h["id"].as_str().unwrap().starts_with("_sources")),
        "no duplicate from _sources: {hits:?}"
    );
    assert_eq!(
        hits[0]["url"],
        "https://docs.example.org/widget/guide/install.html#setup"
    );
    assert_eq!(
        top(&case, "spreadsheets calendars")["url"],
        "https://docs.example.org/widget/"
    );
}

#[cfg(unix)]
#[test]
fn a_dangling_link_to_a_markdown_file_is_still_an_error() {
    let case = Case::new();
    case.write("docs/a.md", "# A\n\nText of a.\n");
    std::os::unix::fs::symlink("gone.md", case.path("docs/b.md")).unwrap();
    let run = case
        .ingest(&[case.path("docs").to_str().unwrap()])
        .expect_code(1);
    assert!(run.stderr.contains("b.md"), "{}", run.stderr);
}

#[test]
fn ignore_files_hidden_files_and_globs_decide_what_is_read() {
    let case = Case::new();
    for (name, text) in [
        ("docs/keep.md", "# Keep\n\nKept text about otters.\n"),
        ("docs/drafts/wip.md", "# Wip\n\nDraft text about otters.\n"),
        ("docs/build/out.md", "# Out\n\nBuilt text about otters.\n"),
        (
            "docs/private.md",
            "# Private\n\nPrivate text about otters.\n",
        ),
        ("docs/notes/a.txt", "Notes\n\nNoted text about otters.\n"),
        (
            "docs/.hidden/secret.md",
            "# Secret\n\nHidden text about otters.\n",
        ),
        ("docs/.gitignore", "build/\n"),
        ("docs/.ignore", "private.md\n"),
        ("docs/.rubricignore", "drafts/\n"),
    ] {
        case.write(name, text);
    }
    let docs = case.path("docs");
    let docs = docs.to_str().unwrap();
    let run = case
        .ingest(&["--dry-run", "--json", docs, "-v"])
        .expect_code(0);
    let mut ids: Vec<String> = run
        .json_lines()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["keep.md", "notes/a.txt"]);
    assert!(run.stderr.contains("4 left out"), "{}", run.stderr);
    assert!(
        run.stderr.contains(".hidden: left out (hidden)"),
        "{}",
        run.stderr
    );

    let run = case
        .ingest(&[
            "--dry-run",
            "--json",
            docs,
            "--glob",
            "*.md",
            "--exclude",
            "keep.md",
        ])
        .expect_code(0);
    assert!(run.json_lines().is_empty(), "{}", run.stdout);
    let run = case
        .ingest(&["--dry-run", "--json", docs, "--glob", "*.txt"])
        .expect_code(0);
    assert_eq!(run.json_lines()[0]["id"], "notes/a.txt");
}

#[test]
fn the_config_file_is_layered_under_the_flags() {
    let case = Case::new();
    case.write(
        "site/a.md",
        "# A\n\n## Otters\n\nOtters hold hands while they sleep.\n",
    );
    case.write(
        "rubric.toml",
        "sources = [\"site\"]\nindex = \"ix\"\nsite-url = \"https://e.org/\"\n\n[web]\ndelay-ms = 100\n",
    );
    let ingest = env!("CARGO_BIN_EXE_ingest");
    let search = env!("CARGO_BIN_EXE_search");
    // The file: sources, index and site URL, no flags.
    case.run(ingest, &[], false).expect_code(0);
    assert!(case.path("ix").is_dir() && !case.path("index").exists());
    let hit = case
        .run(search, &["--json", "otters"], false)
        .expect_code(0)
        .json();
    assert_eq!(hit["hits"][0]["url"], "https://e.org/a/#otters");
    case.run(ingest, &["--check"], false).expect_code(0);
    // A flag wins over the file.
    case.run(ingest, &["--index", "other"], false)
        .expect_code(0);
    assert!(case.path("other").is_dir());
    // `--config FILE`: paths relative to the file; without a file, the defaults.
    std::fs::rename(case.path("rubric.toml"), case.path("site/rubric.toml")).unwrap();
    case.write(
        "site/site/b.md",
        "# B\n\n## Badgers\n\nBadgers dig setts.\n",
    );
    case.run(ingest, &["--config", "site/rubric.toml"], false)
        .expect_code(0);
    assert!(case.path("site/ix").is_dir());
    let run = case.run(ingest, &[], false).expect_code(2);
    assert!(
        run.stderr.contains("corpus"),
        "the default source: {}",
        run.stderr
    );
}

#[test]
fn an_unknown_key_in_the_config_file_is_named_with_the_file() {
    let case = Case::new();
    case.write(
        "rubric.toml",
        "index = \"ix\"\nsite_url = \"https://e.org/\"\n",
    );
    let run = case
        .run(env!("CARGO_BIN_EXE_ingest"), &[], false)
        .expect_code(2);
    assert!(
        run.stderr.contains("rubric.toml") && run.stderr.contains("site_url"),
        "{}",
        run.stderr
    );
    let run = case
        .run(env!("CARGO_BIN_EXE_search"), &["x"], false)
        .expect_code(2);
    assert!(run.stderr.contains("site_url"), "{}", run.stderr);
}

#[test]
fn no_index_is_not_an_empty_index() {
    let case = Case::new();
    let run = case.search(&["anything"]).expect_code(2);
    let want = format!("no index at {}: run `ingest` first", case.index().display());
    assert!(run.stderr.contains(&want), "{}", run.stderr);
    assert!(
        !run.stderr.contains("caused by"),
        "said once: {}",
        run.stderr
    );

    case.write("docs/a.md", "# A\n\nText.\n");
    let run = case.ingest(&["--check", "docs"]).expect_code(2);
    assert!(run.stderr.contains(&want), "{}", run.stderr);

    // No corpus/ and no sources: an error, and no empty index left behind.
    let run = case.ingest(&[]).expect_code(2);
    assert!(
        run.stderr.contains("nothing to ingest: corpus not found"),
        "{}",
        run.stderr
    );
    let run = case.ingest(&["missing-folder"]).expect_code(2);
    assert!(run.stderr.contains("missing-folder"), "{}", run.stderr);
    assert!(!case.index().exists(), "no index was created");
}

#[test]
fn check_names_a_file_it_cannot_read_and_its_json_uses_its_words() {
    let case = Case::new();
    case.write("docs/a.md", "# A\n\nText of a.\n");
    case.write("docs/b.md", "# B\n\nText of b.\n");
    case.ingest(&["docs"]).expect_code(0);
    case.write("docs/c.md", "# C\n\nText of c.\n");
    case.write("docs/a.md", "# A\n\nNew text of a.\n");
    std::fs::remove_file(case.path("docs/b.md")).unwrap();
    let run = case.ingest(&["--check", "--json", "docs"]).expect_code(1);
    let v = run.json();
    assert_eq!(
        (
            v["added"].as_u64(),
            v["changed"].as_u64(),
            v["removed"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(v["current"], false);
    assert!(
        v.get("updated").is_none() && v.get("pruned").is_none(),
        "{v}"
    );

    // A file that cannot be read is named; the index is not called stale.
    case.ingest(&["docs", "--prune"]).expect_code(0);
    // Not UTF-8 (and no byte-order mark: UTF-16 with one is read as text).
    case.write("docs/bad.md", b"\xc3\x28 not text\n");
    let run = case.ingest(&["--check", "docs"]).expect_code(1);
    assert!(
        !run.stdout.contains("bad.md"),
        "not stale, failed: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("could not read") && run.stderr.contains("bad.md"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("the index is stale"), "{}", run.stderr);
}

#[test]
fn a_new_site_url_relinks_without_reading_and_check_sees_it() {
    let case = Case::new();
    case.write("docs/a.md", "# A\n\n## Otters\n\nOtters hold hands.\n");
    case.write(
        "docs/b.html",
        "<h1>B</h1><h2 id=badgers>Badgers</h2><p>Badgers dig setts.</p>",
    );
    case.write(
        "docs/c.jsonl",
        "{\"id\":\"r1\",\"text\":\"Voles\\n\\nVoles eat roots.\"}\n{\"id\":\"r2\",\"url\":\"/r/2\",\"text\":\"Moles dig tunnels under lawns.\"}\n",
    );
    case.ingest(&["docs", "--site-url", "https://staging.e.org/"])
        .expect_code(0);
    assert_eq!(
        top(&case, "otters")["url"],
        "https://staging.e.org/a/#otters"
    );
    assert_eq!(top(&case, "moles")["url"], "https://staging.e.org/r/2");
    let run = case
        .ingest(&["--check", "docs", "--site-url", "https://e.org/"])
        .expect_code(1);
    assert!(
        run.stderr.contains("site URL https://staging.e.org/"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("changed\ta.md"), "{}", run.stdout);
    // Each article whose URL moves is counted once, as changed.
    let run = case
        .ingest(&["--check", "--json", "docs", "--site-url", "https://e.org/"])
        .expect_code(1);
    let s = run.json();
    assert_eq!(
        (s["changed"].as_u64(), s["unchanged"].as_u64()),
        (Some(3), Some(1)),
        "{s}"
    );
    let run = case
        .ingest(&["--json", "docs", "--site-url", "https://e.org/"])
        .expect_code(0);
    let s = run.json();
    assert_eq!(
        (s["articles"].as_u64(), s["relinked"].as_u64()),
        (Some(0), Some(3)),
        "{s}"
    );
    assert_eq!(top(&case, "otters")["url"], "https://e.org/a/#otters");
    assert_eq!(top(&case, "badgers")["url"], "https://e.org/b.html#badgers");
    assert_eq!(top(&case, "moles")["url"], "https://e.org/r/2");
    assert_eq!(
        top(&case, "voles")["url"],
        "docs/c.jsonl#r1",
        "a record links to itself"
    );
    case.ingest(&["--check", "docs", "--site-url", "https://e.org/"])
        .expect_code(0);
    // And back to no site URL: files link to their paths again.
    case.ingest(&["docs"]).expect_code(0);
    assert_eq!(top(&case, "otters")["url"], "docs/a.md#otters");
}

#[test]
fn the_summary_counts_other_formats_and_empty_articles_apart() {
    let case = Case::new();
    case.write("docs/a.md", "# A\n\nText of a.\n");
    case.write("docs/toc.md", "# Only a title\n");
    case.write("docs/data.gold.json", "{}");
    let run = case.ingest(&["docs", "--json"]).expect_code(0);
    let s = run.json();
    assert_eq!(
        (s["other_formats"].as_u64(), s["empty"].as_u64()),
        (Some(1), Some(1)),
        "{s}"
    );
    let run = case.ingest(&["docs", "--rebuild"]).expect_code(0);
    assert!(
        run.stderr
            .contains("skipped 1 file of other formats, 1 with nothing to index"),
        "{}",
        run.stderr
    );
}

#[test]
fn duplicate_ids_in_one_jsonl_file_name_both_lines() {
    let case = Case::new();
    case.write(
        "docs/c.jsonl",
        "{\"id\":\"r1\",\"text\":\"One.\"}\n\n{\"id\":\"r2\",\"text\":\"Two.\"}\n{\"id\":\"r1\",\"text\":\"Three.\"}\n",
    );
    let run = case.ingest(&["docs"]).expect_code(0);
    assert!(
        run.stderr
            .contains("c.jsonl: lines 1 and 4 both have the id \"r1\""),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_flags_are_refused() {
    let case = Case::new();
    case.write("docs/a.md", "# A\n\nText.\n");
    let run: Run = case.ingest(&["docs", "--max-file-mb", "0"]).expect_code(2);
    assert!(run.stderr.contains("--max-file-mb"), "{}", run.stderr);
    let run = case.search(&["--cors", "*", "x"]).expect_code(2);
    assert!(run.stderr.contains("--serve"), "{}", run.stderr);
    let run = case
        .ingest(&["docs", "--site-url", "example.org"])
        .expect_code(2);
    assert!(
        run.stderr.contains("not an absolute http(s) URL"),
        "{}",
        run.stderr
    );
}

#[test]
fn serve_takes_the_addresses_a_person_writes_and_the_config_files() {
    let case = Case::new();
    case.write("docs/a.md", "# A\n\n## Otters\n\nOtters hold hands.\n");
    case.ingest(&["docs"]).expect_code(0);
    let index = case.index();
    let index = index.to_str().unwrap();
    for addr in [":0", "0", "localhost:0", "127.0.0.1:0"] {
        let server = Server::spawn(&case, &["--index", index, "--serve", addr]);
        assert!(
            server.addr.starts_with("127.0.0.1:"),
            "{addr}: {}",
            server.addr
        );
        assert_eq!(server.get("/health").status, 200, "{addr}");
    }
    let run = case.search(&["--serve", "localhost"]).expect_code(2);
    assert!(
        run.stderr
            .contains("say PORT, :PORT, HOST:PORT or localhost:PORT"),
        "{}",
        run.stderr
    );
    let run = case.search(&["--serve", ":99999"]).expect_code(2);
    assert!(run.stderr.contains("0 to 65535"), "{}", run.stderr);

    // `--serve` with no address: rubric.toml's [serve] (address and CORS).
    case.write(
        "rubric.toml",
        "[serve]\naddr = \"localhost:0\"\ncors = \"https://e.org\"\n",
    );
    let server = Server::spawn(&case, &["--index", index, "--serve"]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let reply = server.get("/search?q=otters");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://e.org")
    );
    // A flag wins over the file.
    let server = Server::spawn(&case, &["--index", index, "--serve", ":0", "--cors", "*"]);
    let reply = server.get("/search?q=otters");
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    drop(server);
    // A bad address in the file is named with the file.
    case.write("rubric.toml", "[serve]\naddr = \"here\"\n");
    let run = case.search(&["--serve"]).expect_code(2);
    assert!(
        run.stderr.contains("rubric.toml: [serve] addr") && run.stderr.contains("`here`"),
        "{}",
        run.stderr
    );
}
