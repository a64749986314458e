//! `ingest` from the web, end to end, against a site on 127.0.0.1 that the
//! test starts (never the internet): sitemaps, URL lists and URL arguments,
//! canonical links, skips and failures in the summary and the exit status,
//! conditional requests on a re-run, and `--offline`.

use rubric_test_site::{Reply, Site};

use crate::harness::Case;

/// Fast flags: no per-host delay, short time-outs, no retries.
const FAST: [&str; 6] = ["--delay", "0", "--timeout", "2", "--retries", "0"];

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )
}

/// A small site: a sitemap index with a plain and a gzipped sitemap, three
/// pages (one reached through two URLs that name the same canonical page).
fn docs_site() -> Site {
    let site = Site::start();
    let u = |p: &str| site.url(p);
    site.route(
        "/sitemap.xml",
        Reply::xml(format!(
            "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>{}</loc></sitemap><sitemap><loc>{}</loc></sitemap></sitemapindex>",
            u("/sitemaps/guides.xml"),
            u("/sitemaps/more.xml.gz")
        )),
    );
    site.route(
        "/sitemaps/guides.xml",
        Reply::xml(format!(
            "<urlset><url><loc>{}</loc><lastmod>2024-05-01</lastmod></url><url><loc>{}</loc></url></urlset>",
            u("/guide"),
            u("/guide?ref=sitemap")
        )),
    );
    site.route(
        "/sitemaps/more.xml.gz",
        Reply::gzip_file(
            format!("<urlset><url><loc>{}</loc></url></urlset>", u("/notes.md")).as_bytes(),
        ),
    );
    let guide = page(
        "Widget guide",
        "<p>All about widgets.</p><h2 id=\"install-steps\">Installing the widget</h2><p>Unscrew the flange sprocket before mounting.</p><h2>Care</h2><p>Oil it monthly.</p>",
    )
    .replace("</title>", &format!("</title><link rel=\"canonical\" href=\"{}\">", u("/guide")));
    site.route(
        "/guide",
        Reply::html(guide).validators("\"g1\"", "Mon, 01 Jan 2024 00:00:00 GMT"),
    );
    site.route(
        "/notes.md",
        Reply::with_type(
            "text/markdown",
            "# Notes\n\n## Gaskets\n\nReplace the gasket yearly.\n",
        ),
    );
    site
}

#[test]
fn a_sitemap_is_ingested_and_search_links_to_the_pages_own_heading_id() {
    let case = Case::new();
    let site = docs_site();
    let sitemap = site.url("/sitemap.xml");
    let mut args = vec!["--sitemap", &sitemap];
    args.extend(FAST);
    let run = case.ingest(&args).expect_code(0);
    assert!(run.stderr.contains("2 articles"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("ingest: web: 3 pages, 3 sitemaps: 3 fetched"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 duplicate"),
        "the canonical page is ingested once: {}",
        run.stderr
    );

    let hits = case
        .search(&["--json", "flange sprocket"])
        .expect_code(0)
        .json();
    let hit = &hits["hits"][0];
    assert_eq!(hit["url"], format!("{}#install-steps", site.url("/guide")));
    assert_eq!(hit["id"], format!("{}#install-steps", site.url("/guide")));
    assert_eq!(hit["heading"], "Installing the widget");
    let hits = case.search(&["--json", "gasket"]).expect_code(0).json();
    assert_eq!(
        hits["hits"][0]["url"],
        format!("{}#gaskets", site.url("/notes.md"))
    );
}

#[test]
fn lastmod_is_the_date_and_source_is_the_url_as_given() {
    let case = Case::new();
    let site = docs_site();
    let sitemap = site.url("/sitemap.xml");
    let mut args = vec!["--dry-run", "--json", "--sitemap", &sitemap];
    args.extend(FAST);
    let run = case.ingest(&args).expect_code(0);
    let articles = run.json_lines();
    assert_eq!(articles.len(), 2);
    let guide = &articles[0];
    assert_eq!(guide["id"], site.url("/guide"));
    assert_eq!(guide["url"], site.url("/guide"));
    assert_eq!(guide["source"], site.url("/guide"));
    assert_eq!(guide["format"], "html");
    assert_eq!(guide["metadata"]["date"], "2024-05-01");
    assert!(
        !case.index().exists(),
        "--dry-run writes no index and no cache"
    );
}

#[test]
fn a_pages_own_publication_date_wins_over_lastmod_and_is_stored_in_iso_form() {
    let case = Case::new();
    let site = Site::start();
    let u = |p: &str| site.url(p);
    site.route(
        "/sitemap.xml",
        Reply::xml(format!(
            "<urlset><url><loc>{}</loc><lastmod>2024-05-01</lastmod></url><url><loc>{}</loc><lastmod>2024-05-01T10:00:00+00:00</lastmod></url></urlset>",
            u("/story"),
            u("/plain")
        )),
    );
    let story = page(
        "Story",
        "<p>A story with its date in its JSON-LD and its metas.</p>",
    )
    .replace(
        "</title>",
        r#"</title><meta property="article:modified_time" content="2024-04-30">
        <meta name="pubdate" content="Wed, 02 Feb 2022 09:12:22 +0100">"#,
    );
    site.route("/story", Reply::html(story));
    site.route(
        "/plain",
        Reply::html(page("Plain", "<p>A page that says no date.</p>")),
    );
    let sitemap = u("/sitemap.xml");
    let mut args = vec!["--dry-run", "--json", "--sitemap", &sitemap];
    args.extend(FAST);
    let articles = case.ingest(&args).expect_code(0).json_lines();
    let date = |id: &str| {
        articles
            .iter()
            .find(|a| a["id"] == u(id))
            .map(|a| a["metadata"]["date"].clone())
    };
    assert_eq!(
        date("/story"),
        Some("2022-02-02T09:12:22+01:00".into()),
        "the page's publication date, not its lastmod or modified time"
    );
    assert_eq!(date("/plain"), Some("2024-05-01T10:00:00Z".into()));
}

#[test]
fn a_rerun_asks_conditionally_and_reindexes_nothing() {
    let case = Case::new();
    let site = docs_site();
    let sitemap = site.url("/sitemap.xml");
    let mut args = vec!["--json", "--sitemap", &sitemap];
    args.extend(FAST);
    let first = case.ingest(&args).expect_code(0).json();
    assert_eq!(first["added"], 2);
    assert!(case.path("index/http-cache.json").exists());
    site.clear_requests();

    let second = case.ingest(&args).expect_code(0).json();
    assert_eq!(
        (second["added"].as_u64(), second["updated"].as_u64()),
        (Some(0), Some(0)),
        "{second}"
    );
    assert_eq!(second["unchanged"], 2);
    assert_eq!(second["web"]["fetched"], 0);
    assert_eq!(second["web"]["not_modified"], 3);
    let guide = &site.requests_to("/guide")[0];
    assert_eq!(guide.header("if-none-match"), Some("\"g1\""));
    assert_eq!(
        guide.header("if-modified-since"),
        Some("Mon, 01 Jan 2024 00:00:00 GMT")
    );
    assert!(
        !case.hit_ids("flange").is_empty(),
        "the index is still whole"
    );
}

#[test]
fn offline_reindexes_from_the_cache_without_the_network() {
    let case = Case::new();
    let site = docs_site();
    let sitemap = site.url("/sitemap.xml");
    let mut args = vec!["--sitemap", &sitemap];
    args.extend(FAST);
    case.ingest(&args).expect_code(0);
    drop(site);

    // A fresh index that has only the HTTP cache of the first one.
    let fresh = case.path("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::copy(
        case.path("index/http-cache.json"),
        fresh.join("http-cache.json"),
    )
    .unwrap();
    let bodies = fresh.join("http-cache");
    std::fs::create_dir_all(&bodies).unwrap();
    for entry in std::fs::read_dir(case.path("index/http-cache")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), bodies.join(entry.file_name())).unwrap();
    }
    let fresh = fresh.to_str().unwrap();
    let ingest = env!("CARGO_BIN_EXE_ingest");
    let run = case
        .run(
            ingest,
            &["--index", fresh, "--offline", "--sitemap", &sitemap],
            false,
        )
        .expect_code(0);
    assert!(run.stderr.contains("2 articles"), "{}", run.stderr);
    assert!(run.stderr.contains("3 from the cache"), "{}", run.stderr);
    let search = env!("CARGO_BIN_EXE_search");
    let hits = case
        .run(search, &["--index", fresh, "--json", "flange"], false)
        .expect_code(0)
        .json();
    assert_eq!(hits["total"], 1);
}

#[test]
fn failures_and_skips_are_named_counted_and_set_the_exit_status() {
    let case = Case::new();
    let site = Site::start();
    site.route(
        "/robots.txt",
        Reply::text("User-agent: *\nDisallow: /private/\n"),
    );
    site.route(
        "/ok",
        Reply::html(page("Fine", "<h2>Part</h2><p>Plenty of words here.</p>")),
    );
    site.route(
        "/private/secret",
        Reply::html(page("Secret", "<p>hidden</p>")),
    );
    site.route(
        "/paper.pdf",
        Reply::with_type("application/pdf", b"%PDF-1.7".to_vec()),
    );
    site.route("/loop", Reply::redirect("/loop"));
    let latin1 = b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><h1>Caf\xe9</h1><h2 id=\"creme\">Cr\xe8me</h2><p>Cr\xe8me br\xfbl\xe9e na\xefve</p></body></html>";
    site.route("/latin1", Reply::with_type("text/html", latin1.to_vec()));
    let list = [
        "/ok",
        "/missing",
        "/private/secret",
        "/paper.pdf",
        "/loop",
        "/latin1",
    ]
    .map(|p| site.url(p))
    .join("\n");
    case.write("site/pages.urls", format!("# a list in a folder\n{list}\n"));
    case.write("site/intro.md", "# Intro\n\n## Start\n\nHello.\n");
    let mut args = vec!["site"];
    args.extend(FAST);
    let run = case.ingest(&args).expect_code(1);
    let err = &run.stderr;
    assert!(
        err.contains(&format!("{}: HTTP status 404", site.url("/missing"))),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}: redirect loop", site.url("/loop"))),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: refused by robots.txt",
            site.url("/private/secret")
        )),
        "{err}"
    );
    assert!(err.contains("application/pdf"), "{err}");
    assert!(
        err.contains("2 skipped (1 type, 1 robots.txt); 2 failed (1 HTTP 404, 1 redirect loop)"),
        "{err}"
    );
    assert!(err.contains("3 articles"), "the file and two pages: {err}");
    let hits = case.search(&["--json", "brûlée"]).expect_code(0).json();
    assert_eq!(
        hits["hits"][0]["url"],
        format!("{}#creme", site.url("/latin1"))
    );
}

#[test]
fn urls_as_sources_mix_with_files() {
    let case = Case::new();
    let site = Site::start();
    site.route(
        "/post",
        Reply::html(page(
            "Post",
            "<h2 id=\"why\">Why</h2><p>Because zebras migrate.</p>",
        )),
    );
    let file = case.write("notes.md", "# Notes\n\n## Giraffes\n\nTall.\n");
    let url = site.url("/post#ignored-fragment");
    let mut args = vec![file.to_str().unwrap(), &url];
    args.extend(FAST);
    case.ingest(&args).expect_code(0);
    assert_eq!(
        case.hit_ids("zebras"),
        [format!("{}#why", site.url("/post"))]
    );
    assert_eq!(case.hit_ids("giraffes"), ["notes.md#giraffes"]);
}
