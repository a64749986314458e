//! `search --serve` under hostile use (issue 13): article ids that need
//! escaping, answers that would show where the index was built, whole
//! articles far too long to send, and slow clients trying to take every
//! connection. Each test is named for what broke (or must not), with the
//! input that does it.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::harness::Case;
use crate::serve::{Server, indexed_example, request};

/// The article part of a hit id: the escaped article id, up to the first
/// `#`.
fn article_part(hit_id: &str) -> &str {
    hit_id.split('#').next().unwrap()
}

/// `/articles` answered with `source` as given to ingest (an absolute path
/// on the machine that built the index), and hit links held it too; ids
/// with `#`, `?` and `%` must come back from the escaped form hit ids give.
#[test]
fn articles_over_http_round_trip_escaped_ids_and_show_no_absolute_paths() {
    let case = Case::new();
    case.write("d/faq#1.md", "# Faq\n\n## Medlar\n\nMedlar fruit.\n");
    case.write("d/what?.md", "# What\n\n## Quince\n\nQuince and medlar.\n");
    case.write("d/100%.md", "# Percent\n\n## Sloe\n\nSloe and medlar.\n");
    case.write("d/blog/post.md", "# Post\n\nA medlar post.\n");
    case.write(
        "c.jsonl",
        "{\"id\":\"notes#intro?v=2\",\"markdown\":\"## Setup\\n\\nMedlar jelly.\"}\n",
    );
    let root = case.path("d");
    let jsonl = case.path("c.jsonl");
    case.ingest(&[root.to_str().unwrap(), jsonl.to_str().unwrap()])
        .expect_code(0);
    let server = Server::start(&case, &[]);
    // Where the case lives on this machine, as given and as resolved.
    let here = [
        case.dir.path().to_str().unwrap().to_string(),
        case.dir
            .path()
            .canonicalize()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string(),
    ];
    let no_path = |what: &str, body: &str| {
        for here in &here {
            assert!(!body.contains(here.as_str()), "{what} shows {here}: {body}");
        }
    };

    let reply = server.get("/search?q=medlar&limit=20");
    assert_eq!(reply.status, 200, "{}", reply.body);
    no_path("/search", &reply.body);
    let grouped = server.get("/search?q=medlar&group=1");
    no_path("/search?group=1", &grouped.body);
    no_path("/health", &server.get("/health").body);
    let v = reply.json();
    let hits = v["hits"].as_array().unwrap();
    let mut articles: Vec<&str> = hits
        .iter()
        .map(|h| h["article"].as_str().unwrap())
        .collect();
    articles.sort_unstable();
    assert_eq!(
        articles,
        [
            "100%.md",
            "blog/post.md",
            "faq#1.md",
            "notes#intro?v=2",
            "what?.md"
        ]
    );
    for hit in hits {
        let id = hit["id"].as_str().unwrap();
        let article = hit["article"].as_str().unwrap();
        // The escaped article id of the hit is a path that finds it.
        let path = format!("/articles/{}", article_part(id));
        let outline = server.get(&path);
        assert_eq!(outline.status, 200, "{path}: {}", outline.body);
        let outline = outline.json();
        assert_eq!(outline["article"], article, "{path}");
        // Each hit's link is its section's link in the outline.
        let section = outline["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == hit["id"])
            .unwrap_or_else(|| panic!("no section {id} in {outline}"));
        assert_eq!(section["url"], hit["url"], "{id}");
        for view in ["", "?text=1", "?format=html"] {
            no_path(&path, &server.get(&format!("{path}{view}")).body);
        }
    }
    // File sources are shown relative to the folder ingested; a JSON
    // Lines record's by its file's name.
    for (path, source) in [
        ("/articles/faq%231.md", "faq#1.md"),
        ("/articles/blog/post.md", "blog/post.md"),
        ("/articles/notes%23intro%3Fv=2", "c.jsonl"),
    ] {
        assert_eq!(server.get(path).json()["source"], source, "{path}");
    }
}

/// `/articles/huge.txt?text=1` answered the whole 200 MB of a one-line
/// file. Whole-article views stop at 4 MiB of text and say so.
#[test]
fn a_huge_articles_whole_view_is_capped_and_says_truncated() {
    const CAP: usize = 4 * 1024 * 1024;
    let case = Case::new();
    let sentence = "The medlar ripens late and keeps well through the winter. ";
    let huge = sentence.repeat(5_000_000 / sentence.len() + 1);
    case.write("huge.txt", &huge);
    case.ingest(&["huge.txt"]).expect_code(0);
    let server = Server::start(&case, &[]);

    let reply = server.get("/articles/huge.txt?text=1");
    assert_eq!(reply.status, 200);
    assert!(
        reply.body.len() < CAP + 64 * 1024,
        "{} bytes",
        reply.body.len()
    );
    let v = reply.json();
    assert_eq!(v["truncated"], true);
    let sections = v["sections"].as_array().unwrap();
    let text: usize = sections
        .iter()
        .map(|s| s["text"].as_str().unwrap().len())
        .sum();
    assert!(
        text > CAP - 64 * 1024 && text <= CAP,
        "{text} bytes of text"
    );
    // Every part listed has its text, the last one cut where it had to be.
    assert!(huge.starts_with(sections[1]["text"].as_str().unwrap()));

    let html = server.get("/articles/huge.txt?format=html");
    assert_eq!(html.status, 200);
    assert!(
        html.body.len() < CAP + 256 * 1024,
        "{} bytes",
        html.body.len()
    );
    assert!(html.body.contains("too long to show whole"), "no note");

    // The outline alone (no text) lists every part.
    let outline = server.get("/articles/huge.txt").json();
    assert_eq!(outline["truncated"], false);
    assert!(outline["sections"].as_array().unwrap().len() > 70);
}

/// What a slow client did, and when the server let it go.
struct Slow {
    stream: TcpStream,
    /// Sends one more byte of a head that never ends.
    trickle: bool,
    closed: Option<Duration>,
}

/// Opens `n` connections from `from` (a loopback address of its own) of
/// each slow kind: a head sent a byte at a time, nothing at all, one
/// request then silence, and a big answer asked for and never read.
fn slow_clients(addr: SocketAddr, from: [u8; 4], n: usize) -> Vec<Slow> {
    let mut out = Vec::new();
    for i in 0..n * 4 {
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket.bind(&SocketAddr::from((from, 0)).into()).unwrap();
        if i % 4 == 3 {
            // Never read: a small receive buffer fills at once.
            socket.set_recv_buffer_size(4096).unwrap();
        }
        socket.connect(&addr.into()).unwrap();
        let mut stream: TcpStream = socket.into();
        let head: &[u8] = match i % 4 {
            0 => b"GET /search?q=",
            1 => b"",
            2 => b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
            _ => b"GET /articles/gut-skin-axis.txt?format=html HTTP/1.1\r\nHost: x\r\n\r\n",
        };
        // A connection the server closed at once may refuse this.
        let _ = stream.write_all(head);
        stream.set_nonblocking(true).unwrap();
        out.push(Slow {
            stream,
            trickle: i % 4 == 0,
            closed: None,
        });
    }
    out
}

/// Slowloris-style clients (bounded: 2 addresses × 32 connections, at
/// most 60 s) must not keep others from being answered, and the server
/// must close every one of them: by the per-address share at once, the
/// head time-out (10 s) or the send time-out (15 s). Time-outs only, no
/// timing assertion: the requests of others get 30 s each.
#[test]
fn slow_clients_do_not_starve_others_and_are_let_go() {
    let case = indexed_example();
    // 32 connections in all, 4 from any one address.
    let server = Server::start(&case, &["--max-connections", "32"]);
    let addr: SocketAddr = server.addr.parse().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let slow = {
        let stop = stop.clone();
        thread::spawn(move || {
            let mut slow = slow_clients(addr, [127, 0, 0, 2], 8);
            slow.extend(slow_clients(addr, [127, 0, 0, 3], 8));
            let started = Instant::now();
            let deadline = started + Duration::from_secs(60);
            while slow.iter().any(|s| s.closed.is_none()) && Instant::now() < deadline {
                for s in slow.iter_mut().filter(|s| s.closed.is_none()) {
                    if s.trickle && !stop.load(Ordering::Relaxed) {
                        let _ = s.stream.write(b"a");
                    }
                    let mut buf = [0u8; 1024];
                    let closed = match s.stream.read(&mut buf) {
                        Ok(0) => true,
                        Ok(_) => false,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => false,
                        Err(_) => true,
                    };
                    if closed {
                        s.closed = Some(started.elapsed());
                    }
                }
                thread::sleep(Duration::from_millis(250));
            }
            slow.iter().map(|s| s.closed).collect::<Vec<_>>()
        })
    };
    // Meanwhile, others are answered: 2 clients × 20 requests.
    let others: Vec<_> = (0..2)
        .map(|_| {
            let addr = server.addr.clone();
            thread::spawn(move || {
                let mut failures = Vec::new();
                for path in ["/search?q=gut+skin", "/articles/gut-skin-axis.txt"].repeat(10) {
                    let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
                    let reply = request(&addr, raw.as_bytes());
                    if reply.status != 200 {
                        failures.push(format!("{path}: {}", reply.status));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = others.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert!(failures.is_empty(), "{failures:?}");
    stop.store(true, Ordering::Relaxed);
    let closed = slow.join().unwrap();
    let open = closed.iter().filter(|c| c.is_none()).count();
    assert_eq!(
        open,
        0,
        "{open} of {} slow connections still open after 60 s",
        closed.len()
    );
    assert!(!server.stderr().contains("panicked"));
}
