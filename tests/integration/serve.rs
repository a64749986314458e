//! `search --serve`: the real binary on 127.0.0.1 (an ephemeral port, read
//! from its first stdout line), asked with a minimal HTTP/1.1 client over a
//! `TcpStream`: each endpoint, paging, each 400, CORS, the access log,
//! reloading after a commit, queries while an ingest commits, and a clean
//! stop on SIGTERM. The browser test (`browser.rs`) uses the same server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{Case, bin, repo};

/// A running `search --serve`, stopped (SIGTERM, then kill) when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    stderr: Arc<Mutex<String>>,
    /// The thread copying stderr; joined once the server has exited, so
    /// its last lines are in `stderr`.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts `search --index <case index> --serve 127.0.0.1:0 EXTRA`.
    pub fn start(case: &Case, extra: &[&str]) -> Server {
        let index = case.index();
        let mut args = vec!["--index", index.to_str().unwrap(), "--serve", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        Server::spawn(case, &args)
    }

    /// Starts `search ARGS` in the case's folder (ARGS say `--serve`).
    pub fn spawn(case: &Case, args: &[&str]) -> Server {
        let mut child = Command::new(bin("search"))
            .current_dir(case.dir.path())
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start search --serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the first line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}; stderr: {}", stderr.lock().unwrap()))
            .to_string();
        Server {
            child,
            addr,
            stderr,
            reader: Some(reader),
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// GET `path`.
    pub fn get(&self, path: &str) -> Reply {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.addr
        ))
    }

    /// Sends `raw` (a whole request) and reads the reply.
    pub fn request(&self, raw: &str) -> Reply {
        request(&self.addr, raw.as_bytes())
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits (at most 10 s) for the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-s", "TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                // The pipe is closed: the reader sees its end and stops.
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// An HTTP reply.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request on a fresh connection (`Connection: close` is added).
pub fn request(addr: &str, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let text = String::from_utf8_lossy(raw);
    let raw = match text.find("\r\n\r\n") {
        Some(end) if !text[..end].to_ascii_lowercase().contains("connection:") => {
            let mut with = text[..end].as_bytes().to_vec();
            with.extend_from_slice(b"\r\nConnection: close");
            with.extend_from_slice(&raw[end..]);
            with
        }
        _ => raw.to_vec(),
    };
    stream.write_all(&raw).expect("send");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The example corpus, indexed into a new case.
pub fn indexed_example() -> Case {
    let case = Case::new();
    let corpus = repo().join("corpus");
    case.ingest(&[corpus.to_str().unwrap()]).expect_code(0);
    case
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn search_answers_with_the_design_json_and_pages() {
    let case = indexed_example();
    let server = Server::start(&case, &[]);
    let reply = server.get("/search?q=eczema+probiotics");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let v = reply.json();
    assert_eq!(v["query"], "eczema probiotics");
    assert!(v["took_ms"].is_number());
    assert_eq!(
        (v["offset"].as_u64(), v["limit"].as_u64()),
        (Some(0), Some(10))
    );
    let top = &v["hits"][0];
    assert_eq!(top["id"], "gut-skin-axis.txt#2-eczema-atopic-dermatitis");
    assert_eq!(top["heading"], "2. Eczema (Atopic Dermatitis)");
    assert_eq!(
        top["path"],
        serde_json::json!(["Skin Conditions Linked to Gut Health"])
    );
    assert!(top["snippet"].as_str().unwrap().contains("<mark>"));
    // The same answer as the command line.
    assert_eq!(ids(&v), case.hit_ids("eczema probiotics"));

    // Paging: offset skips, limit cuts, total stays.
    let all = ids(&server.get("/search?q=gut&limit=4").json());
    assert_eq!(
        all.len(),
        4,
        "the corpus has at least 4 sections about the gut"
    );
    let page2 = server.get("/search?q=gut&limit=2&offset=2").json();
    assert_eq!(ids(&page2), all[2..4]);
    assert_eq!(page2["offset"], 2);
    let past = server.get("/search?q=gut&offset=10000").json();
    assert_eq!(past["hits"].as_array().unwrap().len(), 0);
    assert!(past["total"].as_u64().unwrap() >= 4);

    // Grouped by article, and filtered.
    let grouped = server.get("/search?q=gut&group=1").json();
    assert_eq!(grouped["articles"], 1);
    assert_eq!(grouped["groups"][0]["article"], "gut-skin-axis.txt");
    let filtered = server
        .get("/search?q=gut+skin&filter=heading%3Aacne")
        .json();
    assert_eq!(ids(&filtered), ["gut-skin-axis.txt#1-acne"]);

    // No hits is a 200 with none.
    let none = server.get("/search?q=zzyzx");
    assert_eq!(none.status, 200);
    assert_eq!(none.json()["total"], 0);
}

#[test]
fn articles_answer_with_their_outline() {
    let case = Case::new();
    let dir = case.copy_fixture("mixed");
    case.ingest(&[dir.to_str().unwrap()]);
    let server = Server::start(&case, &[]);
    let reply = server.get("/articles/gut-skin-axis.txt");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let v = reply.json();
    assert_eq!(v["article"], "gut-skin-axis.txt");
    let sections = v["sections"].as_array().unwrap();
    assert_eq!(sections[0]["anchor"], "");
    assert!(
        sections
            .iter()
            .any(|s| s["anchor"] == "2-eczema-atopic-dermatitis")
    );
    assert!(
        sections.iter().all(|s| s.get("text").is_none()),
        "no text unless asked"
    );
    let ordinals: Vec<_> = sections
        .iter()
        .map(|s| s["ordinal"].as_u64().unwrap())
        .collect();
    assert!(ordinals.windows(2).all(|w| w[0] < w[1]), "{ordinals:?}");

    let with_text = server.get("/articles/gut-skin-axis.txt?text=1").json();
    assert!(with_text["sections"][1]["text"].as_str().unwrap().len() > 10);

    // Ids with a slash work as they are and escaped.
    let plain = server.get("/articles/guides/sleep.md");
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert_eq!(
        server.get("/articles/guides%2Fsleep.md").json(),
        plain.json()
    );

    let missing = server.get("/articles/nothing.md");
    assert_eq!(missing.status, 404);
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("nothing.md")
    );
}

#[test]
fn a_misspelt_query_with_no_hits_gets_a_suggestion() {
    let case = indexed_example();
    let server = Server::start(&case, &[]);
    // Each finds nothing as typed (too far for typo matching, or stemmed
    // apart from the right word), and the suggestion is a real word.
    for (typed, meant) in [
        ("exzcema", "eczema"),
        ("dermatitus", "dermatitis"),
        ("supplementaton", "supplementation"),
        ("\"leaky gutt\"", "\"leaky gut\""),
        ("Exzcema -acne", "Eczema -acne"),
    ] {
        let path = format!("/search?q={}", typed.replace(' ', "+").replace('"', "%22"));
        let v = server.get(&path).json();
        assert_eq!(v["total"], 0, "{typed}: {v}");
        assert_eq!(v["suggestion"], meant, "{typed}: {v}");
        // The suggestion finds something.
        let fixed = format!("/search?q={}", meant.replace(' ', "+").replace('"', "%22"));
        let fixed = server.get(&fixed).json();
        assert!(fixed["total"].as_u64().unwrap() > 0, "{meant}: {fixed}");
        assert!(fixed.get("suggestion").is_none(), "{meant}: {fixed}");
    }
    // Grouped answers carry it too.
    let grouped = server.get("/search?q=exzcema&group=1").json();
    assert_eq!(grouped["suggestion"], "eczema", "{grouped}");
    // Hits found only through close spellings: offered as well.
    let typo = server.get("/search?q=probitoics").json();
    assert!(typo["total"].as_u64().unwrap() > 0, "{typo}");
    assert_eq!(typo["suggestion"], "probiotics", "{typo}");
    // A correct query, one with a known word, or nothing close: none.
    for q in ["eczema", "eczema+probitoics", "zzyzxqq", "gtu"] {
        let v = server.get(&format!("/search?q={q}")).json();
        assert!(v.get("suggestion").is_none(), "{q}: {v}");
    }
}

#[test]
fn file_articles_have_a_readable_view_that_lands_on_anchors() {
    let case = Case::new();
    let dir = case.copy_fixture("mixed");
    let payload = serde_json::json!({
        "id": "payload",
        "title": "<script>window.pwned=1</script>Payloads & \"quotes\"",
        "markdown": "Lead with <script>window.pwned=2</script> in it.\n\n\
                     ## Notes\n\nA <img src=x onerror=alert(1)> tag & more.\n\n\
                     - one <b>item</b>\n- two\n\n1. first\n2. second\n",
    });
    let jsonl = case.write("payload.jsonl", format!("{payload}\n"));
    case.ingest(&[dir.to_str().unwrap(), jsonl.to_str().unwrap()])
        .expect_code(0);
    let server = Server::start(&case, &[]);

    let reply = server.get("/articles/gut-skin-axis.txt?format=html");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = reply.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        !csp.contains("script-src"),
        "the view runs no script: {csp}"
    );
    let html = &reply.body;
    assert!(html.contains("<h1>Gut skin axis</h1>"), "{html}");
    // Every section's anchor is an id, on a heading of its level.
    let outline = server.get("/articles/gut-skin-axis.txt").json();
    for section in outline["sections"].as_array().unwrap().iter().skip(1) {
        let anchor = section["anchor"].as_str().unwrap();
        let level = section["level"].as_u64().unwrap().clamp(2, 6);
        let heading = section["heading"].as_str().unwrap();
        let tag = format!("<h{level} id=\"{anchor}\">");
        assert!(html.contains(&tag), "no {tag} in the view");
        assert!(
            html.contains(&heading.replace('&', "&amp;")),
            "no {heading:?}"
        );
    }
    assert!(
        html.contains("<h3 id=\"2-eczema-atopic-dermatitis\">2. Eczema (Atopic Dermatitis)</h3>")
    );
    assert!(html.contains("<li>"), "list items are list items");

    // Markdown ids are kept, and ids with a slash work.
    let sleep = server.get("/articles/guides%2Fsleep.md?format=html");
    assert_eq!(sleep.status, 200);
    assert!(sleep.body.contains("<h2 id=\"why\">Why Sleep Matters</h2>"));
    assert!(sleep.body.contains("<li>Keep a fixed bedtime.</li>"));

    // Markup stored in the index is shown as text.
    let payload = server.get("/articles/payload?format=html");
    assert_eq!(payload.status, 200);
    let body = &payload.body;
    assert!(!body.contains("<script"), "{body}");
    assert!(!body.contains("<img"), "{body}");
    assert!(!body.contains("<b>"), "{body}");
    assert!(
        body.contains(
            "&lt;script&gt;window.pwned=1&lt;/script&gt;Payloads &amp; &quot;quotes&quot;"
        ),
        "{body}"
    );

    // Unknown articles: a 404 page, with the id escaped.
    let missing = server.get("/articles/%3Cscript%3Enothing.md?format=html");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(missing.body.contains("No such article"), "{}", missing.body);
    assert!(missing.body.contains("&lt;script&gt;nothing.md"));
    assert!(!missing.body.contains("<script"));
    // The JSON outline is as before.
    assert_eq!(server.get("/articles/nothing.md").status, 404);
    assert_eq!(
        server.get("/articles/gut-skin-axis.txt?format=json").json(),
        outline
    );
    // Hits keep their url.
    let hit = &server.get("/search?q=eczema&limit=1").json()["hits"][0];
    assert_eq!(
        hit["url"].as_str().unwrap(),
        format!(
            "{}#2-eczema-atopic-dermatitis",
            outline["source"].as_str().unwrap()
        )
    );
}

#[test]
fn health_reports_the_index() {
    let case = indexed_example();
    let server = Server::start(&case, &[]);
    let v = server.get("/health").json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["articles"], 1);
    assert!(v["sections"].as_u64().unwrap() >= 9, "{v}");
    let last = v["last_commit"].as_str().unwrap();
    assert!(last.len() == 20 && last.ends_with('Z'), "{last}");
}

#[test]
fn bad_requests_get_a_4xx_with_a_json_error_and_never_a_500() {
    let case = indexed_example();
    let server = Server::start(&case, &[]);
    let long_query = format!("/search?q={}", "a".repeat(2_001));
    let many_filters = format!("/search?q=a{}", "&filter=tag:x".repeat(9));
    let cases: Vec<(&str, &str)> = vec![
        ("/search", "give a query"),
        ("/search?q=", "empty"),
        ("/search?q=%20%20", "empty"),
        ("/search?q=a&q=b", "more than once"),
        ("/search?q=a&limit=0", "limit"),
        ("/search?q=a&limit=101", "limit"),
        ("/search?q=a&limit=x", "limit"),
        ("/search?q=a&offset=-1", "offset"),
        ("/search?q=a&offset=10001", "offset"),
        ("/search?q=a&offset=99999999999999999999999999", "offset"),
        ("/search?q=a&group=maybe", "group"),
        ("/search?q=a&snippet=1", "snippet"),
        ("/search?q=a&filter=", "filter"),
        ("/search?q=a&sort=date", "unknown parameter"),
        ("/search?q=%zz", "hex"),
        ("/search?q=%ff", "UTF-8"),
        (&long_query, "longer than"),
        (&many_filters, "filters"),
        ("/search?q=-", "cannot search"),
        ("/health?x=1", "unknown parameter"),
        ("/articles/", "article id"),
        ("/articles/%zz", "article id"),
        ("/articles/a?text=please", "text"),
        ("/articles/a?format=xml", "format"),
        ("/articles/a?format=html&format=json", "more than once"),
    ];
    for (path, words) in &cases {
        let reply = server.get(path);
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        let v = reply.json();
        assert_eq!(v["status"], 400);
        let message = v["error"].as_str().unwrap();
        assert!(
            message.contains(words),
            "{path}: {message:?} lacks {words:?}"
        );
    }

    let not_found = server.get("/nothing");
    assert_eq!(not_found.status, 404);
    assert!(not_found.json()["error"].is_string());

    let post = server.request("POST /search?q=a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));

    let body =
        server.request("GET /search?q=a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(body.status, 413);

    let huge = format!(
        "GET /search?q=a HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(40_000)
    );
    let reply = server.request(&huge);
    assert!(
        reply.status == 431 || reply.status == 400,
        "{}",
        reply.status
    );

    let garbage = server.request("NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(garbage.status, 400);

    // Still serving after all that, and nothing panicked.
    assert_eq!(server.get("/search?q=acne").status, 200);
    let stderr = server.stderr();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn cors_is_off_unless_asked_for() {
    let case = indexed_example();
    let plain = Server::start(&case, &[]);
    let reply = plain.get("/search?q=acne");
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let preflight =
        plain.request("OPTIONS /search HTTP/1.1\r\nHost: x\r\nOrigin: https://a.example\r\n\r\n");
    assert_eq!(preflight.status, 405);

    let open = Server::start(&case, &["--cors", "https://a.example"]);
    let reply = open.get("/search?q=acne");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://a.example")
    );
    let preflight = open.request(
        "OPTIONS /search HTTP/1.1\r\nHost: x\r\nOrigin: https://a.example\r\n\
         Access-Control-Request-Method: GET\r\n\r\n",
    );
    assert_eq!(preflight.status, 204);
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("GET")
    );

    let bad = case.search(&["--serve", "127.0.0.1:0", "--cors", "not an origin"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn the_page_is_one_self_contained_file() {
    let case = indexed_example();
    let server = Server::start(&case, &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(page.body.contains("<input id=\"q\""));
    for outside in ["src=\"http", "href=\"http", "@import", "//cdn", "src=\"//"] {
        assert!(!page.body.contains(outside), "the page loads {outside}");
    }
    assert!(!page.body.contains("innerHTML = hit.title"));
}

#[test]
fn the_access_log_shows_requests_at_v_and_sigterm_stops_cleanly() {
    let case = indexed_example();
    let mut server = Server::start(&case, &["-v"]);
    assert_eq!(server.get("/health").status, 200);
    assert_eq!(server.get("/search?q=acne&limit=1").status, 200);
    assert_eq!(server.terminate(), Some(0), "{}", server.stderr());
    let log = server.stderr();
    assert!(log.contains("\"GET /health HTTP/1.1\" 200"), "{log}");
    assert!(
        log.contains("\"GET /search?q=acne&limit=1 HTTP/1.1\" 200"),
        "{log}"
    );
    assert!(log.contains("search: stopped"), "{log}");

    let mut quiet = Server::start(&case, &[]);
    assert_eq!(quiet.get("/health").status, 200);
    assert_eq!(quiet.terminate(), Some(0));
    assert!(
        !quiet.stderr().contains("GET /health"),
        "no access log without -v"
    );
}

/// A JSONL file of `n` articles about `topic`, big enough that an ingest
/// of it takes a while.
fn articles(case: &Case, name: &str, topic: &str, n: usize) -> String {
    let mut lines = String::new();
    for i in 0..n {
        let text = format!(
            "## {topic} part {i}\n\nThe {topic} study {i} looked at sleep, diet and the skin. {}",
            "Words about gut flora and barrier function. ".repeat(20)
        );
        lines.push_str(
            &serde_json::json!({"id": format!("{topic}-{i}"), "title": format!("{topic} {i}"), "markdown": text})
                .to_string(),
        );
        lines.push('\n');
    }
    case.write(name, lines).to_str().unwrap().to_string()
}

#[test]
fn a_new_commit_is_seen_without_a_restart() {
    let case = indexed_example();
    let server = Server::start(&case, &[]);
    assert_eq!(server.get("/search?q=zanzibar").json()["total"], 0);
    let file = articles(&case, "new.jsonl", "zanzibar", 3);
    case.ingest(&[&file]).expect_code(0);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = server.get("/search?q=zanzibar").json();
        if v["total"].as_u64() == Some(3) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new commit was not picked up: {v}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.get("/health").json()["articles"], 4);
    assert_eq!(server.get("/articles/zanzibar-1").status, 200);
}

#[test]
fn queries_during_an_ingest_and_a_rebuild_never_fail() {
    let case = indexed_example();
    let server = Server::start(&case, &[]);
    let addr = server.addr.clone();
    let done = Arc::new(AtomicBool::new(false));
    let client = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut answered = 0;
            let mut failures = Vec::new();
            // Bounded: stops when the ingests are done, or after 60 s.
            let deadline = Instant::now() + Duration::from_secs(60);
            while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
                for path in [
                    "/search?q=gut+skin",
                    "/articles/gut-skin-axis.txt",
                    "/health",
                ] {
                    let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
                    let reply = request(&addr, raw.as_bytes());
                    if reply.status != 200 {
                        failures.push(format!("{path}: {} {}", reply.status, reply.body));
                    }
                    answered += 1;
                }
            }
            (answered, failures)
        })
    };
    let corpus = repo().join("corpus");
    let big = articles(&case, "big.jsonl", "ingested", 400);
    case.ingest(&[corpus.to_str().unwrap(), &big])
        .expect_code(0);
    case.ingest(&["--rebuild", corpus.to_str().unwrap(), &big])
        .expect_code(0);
    case.ingest(&["--rebuild", corpus.to_str().unwrap()])
        .expect_code(0);
    std::thread::sleep(Duration::from_millis(600));
    done.store(true, Ordering::Relaxed);
    let (answered, failures) = client.join().unwrap();
    assert!(answered > 10, "only {answered} requests were made");
    assert!(
        failures.is_empty(),
        "{} of {answered} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    // And the server ends up on the last commit.
    assert_eq!(server.get("/health").json()["articles"], 1);
    assert!(!server.stderr().contains("panicked"));
}
