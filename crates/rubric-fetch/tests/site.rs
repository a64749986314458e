//! rubric-fetch against a local test site on 127.0.0.1: every case of the
//! web ingest issue that the fetcher owns (sitemaps, lists, statuses,
//! retries, time-outs, redirects, limits, types, charsets, robots.txt, the
//! cache and conditional requests). No test touches the internet.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use rubric_fetch::{
    ArticleNote, FetchError, Fetcher, Format, Freshness, HttpCache, Options, normalize,
    parse_url_list,
};
use rubric_test_site::{Reply, Site};

/// Options for tests: no delay, short time-outs and back-off.
fn fast() -> Options {
    Options {
        delay: Duration::ZERO,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(400),
        retries: 2,
        backoff: Duration::from_millis(10),
        max_retry_wait: Duration::from_secs(5),
        ..Options::default()
    }
}

fn fetcher(options: Options) -> Fetcher {
    Fetcher::new(options, HttpCache::in_memory()).unwrap()
}

async fn get(f: &Fetcher, site: &Site, path: &str) -> Result<rubric_fetch::Page, FetchError> {
    f.page(&normalize(&site.url(path)).unwrap()).await
}

const PAGE: &str = "<html><head><title>T</title></head><body><main><h1>Title</h1><h2 id=\"setup\">Setup</h2><p>Run it.</p></main></body></html>";

#[tokio::test]
async fn a_sitemap_index_with_nested_and_gzipped_sitemaps() {
    let site = Site::start();
    let u = |p: &str| site.url(p);
    site.route(
        "/sitemap.xml",
        Reply::xml(format!(
            r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>{}</loc></sitemap><sitemap><loc>/s/nested-index.xml</loc></sitemap></sitemapindex>"#,
            u("/s/pages.xml")
        )),
    );
    site.route(
        "/s/pages.xml",
        Reply::xml(format!(
            r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>{}</loc><lastmod>2024-03-01</lastmod></url><url><loc>{}</loc></url></urlset>"#,
            u("/a"),
            u("/b")
        )),
    );
    site.route(
        "/s/nested-index.xml",
        Reply::xml(r#"<sitemapindex><sitemap><loc>/s/more.xml.gz</loc></sitemap></sitemapindex>"#),
    );
    site.route(
        "/s/more.xml.gz",
        Reply::gzip_file(format!(r#"<urlset><url><loc>{}</loc><lastmod>2023-12-24T10:00:00Z</lastmod></url><url><loc>{}</loc></url></urlset>"#, u("/c"), u("/a#dup")).as_bytes()),
    );
    let f = fetcher(fast());
    let found = f.sitemap(&normalize(&u("/sitemap.xml")).unwrap()).await;
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.sitemaps, 4);
    let pages: Vec<(String, Option<String>)> = found
        .pages
        .iter()
        .map(|p| (p.url.path().to_string(), p.lastmod.clone()))
        .collect();
    assert_eq!(
        pages,
        [
            ("/a".to_string(), Some("2024-03-01".to_string())),
            ("/b".to_string(), None),
            ("/c".to_string(), Some("2023-12-24T10:00:00Z".to_string())),
        ]
    );
}

#[tokio::test]
async fn a_broken_child_sitemap_is_an_error_and_the_others_are_read() {
    let site = Site::start();
    site.route(
        "/sitemap.xml",
        Reply::xml(r#"<sitemapindex><sitemap><loc>/gone.xml</loc></sitemap><sitemap><loc>/ok.xml</loc></sitemap></sitemapindex>"#),
    );
    site.route(
        "/ok.xml",
        Reply::xml(format!(
            "<urlset><url><loc>{}</loc></url></urlset>",
            site.url("/p")
        )),
    );
    let found = fetcher(fast())
        .sitemap(&normalize(&site.url("/sitemap.xml")).unwrap())
        .await;
    assert_eq!(found.pages.len(), 1);
    assert_eq!(found.errors.len(), 1);
    assert!(
        found.errors[0].to_string().contains("/gone.xml"),
        "{}",
        found.errors[0]
    );
}

#[tokio::test]
async fn a_page_list_is_fetched_page_by_page() {
    let site = Site::start();
    site.route("/one", Reply::html(PAGE));
    site.route("/two.md", Reply::text("# Two\n\n## Part\n\nwords\n"));
    let list = format!(
        "# my pages\n{}\n\n{}  # markdown\n",
        site.url("/one"),
        site.url("/two.md")
    );
    let f = fetcher(fast());
    let mut kinds = Vec::new();
    for (_, _, url) in parse_url_list(&list) {
        kinds.push(f.page(&url.unwrap()).await.unwrap().format);
    }
    assert_eq!(kinds, [Format::Html, Format::Markdown]);
}

#[tokio::test]
async fn not_found_fails_at_once_without_retries() {
    let site = Site::start();
    let err = get(&fetcher(fast()), &site, "/missing").await.unwrap_err();
    assert!(
        matches!(err, FetchError::Status { status: 404, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("/missing") && err.to_string().contains("404"),
        "{err}"
    );
    assert_eq!(site.requests_to("/missing").len(), 1);
}

#[tokio::test]
async fn a_server_error_then_success_is_retried() {
    let site = Site::start();
    site.sequence(
        "/flaky",
        vec![Reply::status(500), Reply::status(503), Reply::html(PAGE)],
    );
    let page = get(&fetcher(fast()), &site, "/flaky").await.unwrap();
    assert!(page.body.contains("Run it."));
    assert_eq!(site.requests_to("/flaky").len(), 3);
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after() {
    let site = Site::start();
    site.sequence(
        "/busy",
        vec![
            Reply::status(429).header("retry-after", "1"),
            Reply::html(PAGE),
        ],
    );
    let started = Instant::now();
    get(&fetcher(fast()), &site, "/busy").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(site.requests_to("/busy").len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_the_url() {
    let site = Site::start();
    site.route("/later", Reply::status(429).header("retry-after", "3600"));
    let err = get(&fetcher(fast()), &site, "/later").await.unwrap_err();
    assert_eq!(err.reason(), "HTTP 429");
    assert_eq!(site.requests_to("/later").len(), 1);
}

#[tokio::test]
async fn a_hang_past_the_time_out_is_retried_then_fails() {
    let site = Site::start();
    site.route("/hang", Reply::hang());
    let options = Options {
        retries: 1,
        ..fast()
    };
    let started = Instant::now();
    let err = get(&fetcher(options), &site, "/hang").await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(site.requests_to("/hang").len(), 2);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_redirect_loop_is_named() {
    let site = Site::start();
    site.route("/loop/a", Reply::redirect("/loop/b"));
    site.route("/loop/b", Reply::redirect("/loop/a"));
    let err = get(&fetcher(fast()), &site, "/loop/a").await.unwrap_err();
    assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("{}: redirect loop", site.url("/loop/a"))
    );
}

#[tokio::test]
async fn at_most_five_redirects() {
    let site = Site::start();
    for i in 0..6 {
        site.route(&format!("/r{i}"), Reply::redirect(&format!("/r{}", i + 1)));
    }
    site.route("/r6", Reply::html(PAGE));
    let err = get(&fetcher(fast()), &site, "/r0").await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { max: 5, .. }),
        "{err}"
    );
    let page = get(&fetcher(fast()), &site, "/r1").await.unwrap();
    assert_eq!(page.final_url.path(), "/r6");
    assert_eq!(page.url.path(), "/r1");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let site = Site::start();
    let big = format!("<html><body><p>{}</p></body></html>", "x".repeat(100_000));
    site.route("/big", Reply::html(big.clone()));
    // Compressed, it is small: the limit applies to what it inflates to, while streaming.
    let gz = Reply::gzip_file(big.as_bytes());
    let mut gz = Reply {
        headers: vec![],
        ..gz
    };
    gz = gz
        .header("content-type", "text/html")
        .header("content-encoding", "gzip");
    site.route("/bomb", gz);
    let f = fetcher(Options {
        max_body: 64_000,
        ..fast()
    });
    for path in ["/big", "/bomb"] {
        let err = get(&f, &site, path).await.unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge { limit: 64_000, .. }),
            "{path}: {err}"
        );
        assert!(err.to_string().contains("too large"), "{err}");
    }
    let f = fetcher(Options {
        max_body: 1_000_000,
        ..fast()
    });
    assert_eq!(
        get(&f, &site, "/bomb").await.unwrap().body,
        big,
        "gzip is decoded"
    );
}

#[tokio::test]
async fn a_pdf_is_skipped_with_its_type() {
    let site = Site::start();
    site.route(
        "/paper.pdf",
        Reply::with_type("application/pdf", b"%PDF-1.7 ...".to_vec()),
    );
    let err = get(&fetcher(fast()), &site, "/paper.pdf")
        .await
        .unwrap_err();
    assert!(err.is_skip(), "{err}");
    assert!(
        err.to_string().contains("application/pdf") && err.to_string().contains("/paper.pdf"),
        "{err}"
    );
}

#[tokio::test]
async fn a_latin1_page_with_only_a_meta_charset_becomes_utf8() {
    let site = Site::start();
    let mut body = b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><h1>Cr\xe8me br\xfbl\xe9e</h1><p>Na\xefve caf\xe9 \xa9 2024</p></body></html>".to_vec();
    body.shrink_to_fit();
    site.route("/latin1", Reply::with_type("text/html", body));
    let page = get(&fetcher(fast()), &site, "/latin1").await.unwrap();
    assert!(
        page.body.contains("Crème brûlée") && page.body.contains("Naïve café © 2024"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn robots_txt_disallows_a_path_and_sets_the_crawl_delay() {
    let site = Site::start();
    site.route(
        "/robots.txt",
        Reply::text("User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n"),
    );
    site.route("/private/x", Reply::html(PAGE));
    site.route("/open/1", Reply::html(PAGE));
    site.route("/open/2", Reply::html(PAGE));
    let f = fetcher(fast());
    let err = get(&f, &site, "/private/x").await.unwrap_err();
    assert!(
        matches!(err, FetchError::Robots { .. }) && err.is_skip(),
        "{err}"
    );
    assert!(err.to_string().contains("refused by robots.txt"), "{err}");
    assert!(
        site.requests_to("/private/x").is_empty(),
        "a refused page is never requested"
    );
    let started = Instant::now();
    get(&f, &site, "/open/1").await.unwrap();
    get(&f, &site, "/open/2").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "Crawl-delay: {:?}",
        started.elapsed()
    );
    assert_eq!(
        site.requests_to("/robots.txt").len(),
        1,
        "robots.txt is read once per host"
    );
}

#[tokio::test]
async fn requests_name_rubric_and_its_version() {
    let site = Site::start();
    site.route("/p", Reply::html(PAGE));
    get(&fetcher(fast()), &site, "/p").await.unwrap();
    let ua = site.requests_to("/p")[0]
        .header("user-agent")
        .unwrap()
        .to_string();
    assert!(
        ua.starts_with(&format!("Rubric/{}", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_two_requests_at_a_time_per_host() {
    let site = Site::start();
    site.fallback(|_| {
        let mut r = Reply::html(PAGE);
        r.delay = Some(Duration::from_millis(150));
        r
    });
    let f = fetcher(Options { jobs: 8, ..fast() });
    let started = Instant::now();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let f = f.clone();
            let url = normalize(&site.url(&format!("/p{i}"))).unwrap();
            tokio::spawn(async move { f.page(&url).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // 6 pages of 150 ms, 2 at a time: at least 3 rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(440),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_second_run_asks_conditionally_and_gets_304() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start();
    site.route(
        "/page",
        Reply::html(PAGE).validators("\"v1\"", "Mon, 01 Jan 2024 00:00:00 GMT"),
    );
    let url = normalize(&site.url("/page")).unwrap();

    let first = Fetcher::new(fast(), HttpCache::open(dir.path(), true)).unwrap();
    let page = first.page(&url).await.unwrap();
    assert_eq!(page.freshness, Freshness::Fetched);
    first.note_article(
        &url,
        ArticleNote {
            id: url.to_string(),
            hash: "h1".into(),
            sections: 2,
        },
    );
    first.save_cache().unwrap();
    assert!(
        site.requests_to("/page")[0]
            .header("if-none-match")
            .is_none()
    );

    let second = Fetcher::new(fast(), HttpCache::open(dir.path(), true)).unwrap();
    let again = second.page(&url).await.unwrap();
    assert_eq!(again.freshness, Freshness::NotModified);
    assert_eq!(again.body, page.body, "the body comes from the cache");
    assert_eq!(again.received, 0);
    assert_eq!(again.note.unwrap().hash, "h1");
    let seen = site.requests_to("/page");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        seen[1].header("if-modified-since"),
        Some("Mon, 01 Jan 2024 00:00:00 GMT")
    );
}

#[tokio::test]
async fn the_same_body_without_validators_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start();
    site.route("/plain", Reply::html(PAGE));
    let url = normalize(&site.url("/plain")).unwrap();
    let first = Fetcher::new(fast(), HttpCache::open(dir.path(), true)).unwrap();
    first.page(&url).await.unwrap();
    first.save_cache().unwrap();
    let second = Fetcher::new(fast(), HttpCache::open(dir.path(), true)).unwrap();
    assert_eq!(
        second.page(&url).await.unwrap().freshness,
        Freshness::Unchanged
    );
}

#[tokio::test]
async fn offline_reads_only_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start();
    site.route("/page", Reply::html(PAGE));
    site.route(
        "/sitemap.xml",
        Reply::xml(format!(
            "<urlset><url><loc>{}</loc></url></urlset>",
            site.url("/page")
        )),
    );
    let sitemap = normalize(&site.url("/sitemap.xml")).unwrap();
    let online = Fetcher::new(fast(), HttpCache::open(dir.path(), true)).unwrap();
    let found = online.sitemap(&sitemap).await;
    online.page(&found.pages[0].url).await.unwrap();
    online.save_cache().unwrap();
    site.clear_requests();

    let offline = Fetcher::new(
        Options {
            offline: true,
            ..fast()
        },
        HttpCache::open(dir.path(), false),
    )
    .unwrap();
    let found = offline.sitemap(&sitemap).await;
    assert_eq!(found.pages.len(), 1);
    let page = offline.page(&found.pages[0].url).await.unwrap();
    assert_eq!(page.freshness, Freshness::Offline);
    assert!(page.body.contains("Run it."));
    let err = get(&offline, &site, "/never-fetched").await.unwrap_err();
    assert!(matches!(err, FetchError::NotCached { .. }), "{err}");
    assert!(
        site.requests().is_empty(),
        "offline makes no request: {:?}",
        site.requests()
    );
}
