//! The search page in headless Chromium: type a query, see the Eczema
//! section first, move with ↑/↓, follow its link with Enter to the right
//! anchor on the article's page, and check that a stored `<script>` payload
//! shows as text; type a misspelt query, click "Did you mean" and see
//! results; follow the hit of an article read from a file to the server's
//! view of it, landing on the section. Screenshots go to
//! `target/test-artifacts/`.
//!
//! Chromium is driven with the DevTools protocol over a pipe
//! (`--remote-debugging-pipe`: JSON messages ending in NUL on fds 3 and 4,
//! which `sh` maps to the child's stdin and stdout), so the test needs no
//! WebDriver, no npm and no WebSocket crate. The article's page is served by
//! `rubric-test-site` on 127.0.0.1; nothing leaves the machine. With no
//! browser on the machine the test prints a visible SKIPPED line and passes
//! (`.ci/run` installs Debian's `chromium`, so CI runs it).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use base64::prelude::{BASE64_STANDARD, Engine as _};
use rubric_test_site::{Reply, Site};
use serde_json::{Value, json};

use crate::harness::{Case, repo};
use crate::serve::Server;

/// The browser to use: `$RUBRIC_CHROMIUM`, else the first of the usual
/// names on `PATH`.
fn find_browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("RUBRIC_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A headless Chromium and its DevTools pipe, attached to one page.
struct Browser {
    child: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch(binary: &PathBuf) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null"#)
            .arg(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--window-size=900,760",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let input = child.stdin.take().unwrap();
        let output = child.stdout.take().unwrap();
        let (send, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(output);
            let mut buf = Vec::new();
            while let Ok(n) = reader.read_until(0, &mut buf) {
                if n == 0 {
                    break;
                }
                buf.pop_if(|b| *b == 0);
                if let Ok(value) = serde_json::from_slice::<Value>(&buf)
                    && send.send(value).is_err()
                {
                    break;
                }
                buf.clear();
            }
        });
        let mut browser = Browser {
            child,
            input,
            messages,
            next_id: 0,
            session: String::new(),
            _profile: profile,
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        browser.page("Page.enable", json!({}));
        browser.page("Runtime.enable", json!({}));
        browser
    }

    /// Sends a command (to the page's session when `session` is set) and
    /// waits for its result; events in between are dropped.
    fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.input.write_all(&bytes).expect("write to chromium");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(reply) if reply["id"] == id => {
                    if let Some(error) = reply.get("error") {
                        panic!("{method}: {error}");
                    }
                    return reply["result"].clone();
                }
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => panic!("{method}: no answer in 30 s"),
                Err(RecvTimeoutError::Disconnected) => panic!("{method}: chromium went away"),
            }
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session))
    }

    /// The value of a JavaScript expression in the page.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.page(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression}: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Waits (at most 10 s) until `expression` is true.
    fn wait_for(&mut self, expression: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.eval(expression) != json!(true) {
            assert!(
                Instant::now() < deadline,
                "waited 10 s for {expression}; page: {}",
                self.eval("document.body ? document.body.innerText : location.href")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn navigate(&mut self, url: &str) {
        self.page("Page.navigate", json!({"url": url}));
        let want = serde_json::to_string(url).unwrap();
        self.wait_for(&format!(
            "location.href.startsWith({want}) && document.readyState === 'complete'"
        ));
    }

    fn key(&mut self, key: &str, code: u32) {
        for kind in ["rawKeyDown", "keyUp"] {
            self.page(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key,
                       "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}),
            );
        }
    }

    /// Clicks the middle of the first element matching `selector`, as a
    /// mouse would.
    fn click(&mut self, selector: &str) {
        let sel = serde_json::to_string(selector).unwrap();
        let at = self.eval(&format!(
            "(() => {{ const r = document.querySelector({sel}).getBoundingClientRect();
                      return {{ x: r.left + r.width / 2, y: r.top + r.height / 2 }}; }})()"
        ));
        for kind in ["mousePressed", "mouseReleased"] {
            self.page(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": at["x"], "y": at["y"], "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Saves a PNG screenshot of the page to `path`.
    fn screenshot(&mut self, path: &PathBuf) {
        let shot = self.page("Page.captureScreenshot", json!({"format": "png"}));
        let png = BASE64_STANDARD
            .decode(shot["data"].as_str().unwrap())
            .expect("the screenshot is base64");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `target/test-artifacts/NAME`.
fn artifact(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts")
        .join(name)
}

#[test]
fn the_search_page_finds_links_and_escapes_in_a_real_browser() {
    let Some(binary) = find_browser() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the_search_page_finds_links_and_escapes_in_a_real_browser: \
             no chromium on PATH (apt-get install chromium, or set RUBRIC_CHROMIUM)"
        );
        return;
    };
    // The article's own page, where a hit's link must land.
    let site = Site::start();
    site.route(
        "/gut-skin-axis.html",
        Reply::html(
            "<h1>Gut skin axis</h1><h2 id=\"skin-conditions-linked-to-gut-health\">Skin</h2>\
             <h3 id=\"2-eczema-atopic-dermatitis\">2. Eczema (Atopic Dermatitis)</h3><p>…</p>",
        ),
    );
    let case = Case::new();
    let body = std::fs::read_to_string(repo().join("corpus").join("gut-skin-axis.txt")).unwrap();
    let records = [
        json!({"id": "gut-skin-axis", "title": "Gut skin axis",
               "url": site.url("/gut-skin-axis.html"), "text": body}),
        json!({"id": "payload", "title": "<script>window.pwned=2</script><img src=x onerror=\"window.pwned=1\">Payloads",
               "text": "A zebrafish note with <script>window.pwned=3</script> inside.\n"}),
    ];
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    let file = case.write("articles.jsonl", lines.join("\n") + "\n");
    // An article read from a file: no web page, so hits open the server's view.
    let filler = "Sleep is when the skin repairs its barrier and the gut its lining. ".repeat(12);
    let notes = case.write(
        "notes/skin-and-sleep.md",
        format!(
            "# Skin and sleep\n\n{filler}\n\n## Sleep and the skin barrier\n\n{filler}\n\n\
             - Keep a fixed bedtime.\n- Keep the bedroom cool.\n\n\
             ## Melatonin\n\nMelatonin is an antioxidant in the skin as well as a sleep signal.\n\n\
             1. Take it an hour before bed.\n2. Ask a doctor first.\n\n\
             ## Further reading\n\n{filler}\n\n{filler}\n"
        ),
    );
    case.ingest(&[file.to_str().unwrap(), notes.to_str().unwrap()])
        .expect_code(0);
    let server = Server::start(&case, &[]);
    let mut browser = Browser::launch(&binary);

    // Type a query: results as you type, the Eczema section first.
    browser.navigate(&server.url("/"));
    browser.eval("document.getElementById('q').focus()");
    browser.page("Input.insertText", json!({"text": "eczema probiotics"}));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 1");
    let first = browser.eval(
        "(() => { const a = document.querySelector('#results li.hit a');
                  return { heading: a.querySelector('.heading').textContent,
                           trail: a.querySelector('.trail').textContent,
                           marks: a.querySelectorAll('.snippet mark').length,
                           href: a.href }; })()",
    );
    assert_eq!(first["heading"], "2. Eczema (Atopic Dermatitis)", "{first}");
    assert_eq!(
        first["trail"], "Gut skin axis›Skin Conditions Linked to Gut Health",
        "{first}"
    );
    assert!(first["marks"].as_u64().unwrap() >= 1, "{first}");
    let expected_link = site.url("/gut-skin-axis.html#2-eczema-atopic-dermatitis");
    assert_eq!(first["href"], expected_link.as_str());
    // The query is kept in the URL.
    browser.wait_for("new URLSearchParams(location.search).get('q') === 'eczema probiotics'");
    browser.screenshot(&artifact("search-page.png"));

    // ↓ moves the selection, ↑ brings it back, Enter follows the link.
    let selected = "document.querySelector('#results li[aria-selected=true]').id";
    assert_eq!(browser.eval(selected), "hit-0");
    browser.key("ArrowDown", 40);
    assert_eq!(browser.eval(selected), "hit-1");
    browser.key("ArrowUp", 38);
    assert_eq!(browser.eval(selected), "hit-0");
    browser.key("Enter", 13);
    let landed = serde_json::to_string(&expected_link).unwrap();
    browser.wait_for(&format!(
        "location.href === {landed} && document.readyState === 'complete'"
    ));
    assert_eq!(
        browser.eval("document.getElementById('2-eczema-atopic-dermatitis').textContent"),
        "2. Eczema (Atopic Dermatitis)"
    );

    // A query in the URL searches on load; markup from the index is text.
    browser.navigate(&server.url("/?q=zebrafish"));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    let shown = browser.eval(
        "(() => { const r = document.getElementById('results');
                  return { text: r.textContent,
                           scripts: r.querySelectorAll('script').length,
                           images: r.querySelectorAll('img').length,
                           pwned: typeof window.pwned }; })()",
    );
    let text = shown["text"].as_str().unwrap();
    assert!(
        text.contains(
            "<script>window.pwned=2</script><img src=x onerror=\"window.pwned=1\">Payloads"
        ),
        "the title: {shown}"
    );
    assert!(
        text.contains("<script>window.pwned=3</script>"),
        "the snippet: {shown}"
    );
    assert_eq!(shown["scripts"], 0, "{shown}");
    assert_eq!(shown["images"], 0, "{shown}");
    assert_eq!(shown["pwned"], "undefined", "{shown}");
    browser.screenshot(&artifact("search-page-escaped.png"));

    // No results: a clear message. On a phone, in dark mode: still readable.
    browser.navigate(&server.url("/?q=zzyzxqq"));
    browser.wait_for("!document.getElementById('empty').hidden");
    assert!(
        browser
            .eval("document.getElementById('empty').innerText")
            .as_str()
            .unwrap()
            .contains("No sections match “zzyzxqq”")
    );

    // A misspelt query with no hits: "Did you mean eczema?"; clicking it
    // searches for that, in the box and the URL.
    browser.navigate(&server.url("/"));
    browser.eval("document.getElementById('q').focus()");
    browser.page("Input.insertText", json!({"text": "exzcema"}));
    browser.wait_for("!document.getElementById('suggest').hidden");
    let empty = browser.eval("document.getElementById('empty').innerText");
    let empty = empty.as_str().unwrap();
    assert!(empty.contains("No sections match “exzcema”"), "{empty}");
    assert!(empty.contains("Did you mean eczema?"), "{empty}");
    assert_eq!(
        browser.eval("document.getElementById('suggest-link').getAttribute('href')"),
        "?q=eczema"
    );
    browser.screenshot(&artifact("search-page-suggestion.png"));
    browser.click("#suggest-link");
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    browser.wait_for("new URLSearchParams(location.search).get('q') === 'eczema'");
    assert_eq!(browser.eval("document.getElementById('q').value"), "eczema");
    assert_eq!(
        browser.eval("document.getElementById('empty').hidden"),
        true
    );
    assert_eq!(
        browser.eval("document.querySelector('#results li.hit .heading').textContent"),
        "2. Eczema (Atopic Dermatitis)"
    );

    // A hit of an article read from a file opens the server's view of it
    // at the section: the heading is the target, scrolled into view.
    browser.navigate(&server.url("/?q=melatonin"));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    let href = browser.eval("document.querySelector('#results li.hit a').href");
    let notes_id = "skin-and-sleep.md";
    let view = server.url(&format!("/articles/{notes_id}?format=html#melatonin"));
    assert_eq!(href, view.as_str(), "the file article's link");
    browser.screenshot(&artifact("search-page-file-hit.png"));
    browser.key("Enter", 13);
    let landed = serde_json::to_string(&view).unwrap();
    browser.wait_for(&format!(
        "location.href === {landed} && document.readyState === 'complete'"
    ));
    let target = browser.eval(
        "(() => { const h = document.getElementById('melatonin');
                  const r = h.getBoundingClientRect();
                  return { tag: h.tagName, text: h.textContent, target: h.matches(':target'),
                           top: r.top, scrolled: window.scrollY,
                           items: h.parentElement.querySelectorAll('ol li').length }; })()",
    );
    assert_eq!(target["tag"], "H2", "{target}");
    assert_eq!(target["text"], "Melatonin", "{target}");
    assert_eq!(target["target"], true, "{target}");
    assert!(target["scrolled"].as_f64().unwrap() > 0.0, "{target}");
    let top = target["top"].as_f64().unwrap();
    assert!(
        (0.0..200.0).contains(&top),
        "the heading is at the top: {target}"
    );
    assert_eq!(target["items"], 2, "{target}");
    browser.screenshot(&artifact("article-view.png"));

    // The view of an article with markup in it shows it as text.
    browser.navigate(&server.url("/articles/payload?format=html"));
    let shown = browser.eval(
        "({ text: document.body.innerText, scripts: document.querySelectorAll('script').length,
            images: document.querySelectorAll('img').length, pwned: typeof window.pwned })",
    );
    assert!(
        shown["text"]
            .as_str()
            .unwrap()
            .contains("<script>window.pwned=3</script>"),
        "{shown}"
    );
    assert_eq!(shown["scripts"], 0, "{shown}");
    assert_eq!(shown["images"], 0, "{shown}");
    assert_eq!(shown["pwned"], "undefined", "{shown}");

    browser.page(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 760, "deviceScaleFactor": 1, "mobile": true}),
    );
    browser.page(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
    );
    browser.navigate(&server.url("/?q=gut+skin"));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    assert_eq!(
        browser.eval("document.documentElement.scrollWidth <= window.innerWidth"),
        true,
        "no sideways scrolling on a phone"
    );
    assert_eq!(
        browser.eval("getComputedStyle(document.body).backgroundColor"),
        "rgb(18, 19, 22)",
        "dark mode"
    );
    browser.screenshot(&artifact("search-page-phone-dark.png"));

    // The suggestion and the article view, on a phone in dark mode.
    browser.navigate(&server.url("/?q=exzcema"));
    browser.wait_for("!document.getElementById('suggest').hidden");
    browser.screenshot(&artifact("search-page-suggestion-phone-dark.png"));
    browser.navigate(&view);
    browser.wait_for("document.getElementById('melatonin').matches(':target')");
    assert_eq!(
        browser.eval("document.documentElement.scrollWidth <= window.innerWidth"),
        true,
        "no sideways scrolling on a phone"
    );
    assert_eq!(
        browser.eval("getComputedStyle(document.body).backgroundColor"),
        "rgb(18, 19, 22)",
        "dark mode"
    );
    browser.screenshot(&artifact("article-view-phone-dark.png"));
}

/// A built site ingested with `--site-url`: the search page's hit links to
/// the live page (served here by the test site, standing in for the
/// publisher's), and clicking it lands on the section's anchor there.
#[test]
fn a_hit_of_a_built_site_opens_the_live_page_at_its_anchor() {
    let Some(binary) = find_browser() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED a_hit_of_a_built_site_opens_the_live_page_at_its_anchor: \
             no chromium on PATH (apt-get install chromium, or set RUBRIC_CHROMIUM)"
        );
        return;
    };
    let case = Case::new();
    let build = case.copy_fixture("site-sphinx");
    let page = std::fs::read(build.join("guide/install.html")).unwrap();
    // The live site: the same page, at /widget/guide/install.html.
    let site = Site::start();
    site.route("/widget/guide/install.html", Reply::html(page));
    let site_url = site.url("/widget/");
    case.ingest(&[build.to_str().unwrap(), "--site-url", &site_url])
        .expect_code(0);
    let server = Server::start(&case, &[]);
    let mut browser = Browser::launch(&binary);
    browser.navigate(&server.url("/?q=unpack+tarball"));
    browser.wait_for("document.querySelectorAll('#results li.hit').length > 0");
    let live = site.url("/widget/guide/install.html#setup");
    assert_eq!(
        browser.eval("document.querySelector('#results li.hit a').href"),
        live.as_str()
    );
    browser.click("#results li.hit a");
    let landed = serde_json::to_string(&live).unwrap();
    browser.wait_for(&format!(
        "location.href === {landed} && document.readyState === 'complete'"
    ));
    assert_eq!(
        browser.eval("document.querySelector('#setup').matches(':target')"),
        true
    );
    assert!(
        browser
            .eval("document.querySelector('#setup h2').textContent")
            .as_str()
            .unwrap()
            .starts_with("Setup")
    );
    browser.screenshot(&artifact("live-page-anchor.png"));
}
