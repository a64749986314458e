//! [`Endpoint`]: which engine, where, and which index — read from a URL such
//! as `quickwit://127.0.0.1:7280/articles` or
//! `elasticsearch://user:secret@search.local:9200/articles`. Plain HTTP
//! only: the `search` binary links no TLS (put a TLS-terminating proxy on
//! localhost in front of an engine that needs it).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;

use crate::RemoteError;

/// The engines Rubric can hand its sections to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Quickwit 0.9 (Tantivy inside): NDJSON ingest, delete tasks, its own
    /// search API with snippets and its Elasticsearch-compatible `_search`.
    Quickwit,
    /// Elasticsearch 8 (`_bulk`, a mapping, `_search` with highlight).
    Elasticsearch,
    /// OpenSearch 2 (the same APIs as Elasticsearch for what Rubric uses).
    OpenSearch,
}

impl Engine {
    /// Every engine, in the order the help lists them.
    pub const ALL: [Engine; 3] = [Engine::Quickwit, Engine::Elasticsearch, Engine::OpenSearch];

    /// The engine's name as in URLs and flags.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Quickwit => "quickwit",
            Engine::Elasticsearch => "elasticsearch",
            Engine::OpenSearch => "opensearch",
        }
    }

    /// The engine called `name` (as [`Engine::name`] spells it).
    pub fn named(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The port the engine listens on by default.
    pub fn default_port(self) -> u16 {
        match self {
            Engine::Quickwit => 7280,
            Engine::Elasticsearch | Engine::OpenSearch => 9200,
        }
    }

    /// True for the engines that keep a document id and replace by it
    /// (`_bulk` with `_id`); Quickwit keeps no ids.
    pub fn has_ids(self) -> bool {
        !matches!(self, Engine::Quickwit)
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An index in an engine, and how to reach it.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The engine.
    pub engine: Engine,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The index (Quickwit's index id, Elasticsearch's index name).
    pub index: String,
    /// `Basic …` when the URL carries `user:password@`.
    pub(crate) authorization: Option<String>,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the password.
        write!(f, "Endpoint({self})")
    }
}

impl fmt::Display for Endpoint {
    /// The URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}/{}",
            self.engine.name(),
            self.address(),
            self.index
        )
    }
}

impl Endpoint {
    /// `host:port` (IPv6 hosts in brackets).
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// A short name for this endpoint that is safe as a file name:
    /// `quickwit-127.0.0.1-7280-articles`.
    pub fn slug(&self) -> String {
        let raw = format!(
            "{}-{}-{}-{}",
            self.engine.name(),
            self.host,
            self.port,
            self.index
        );
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

impl FromStr for Endpoint {
    type Err = RemoteError;

    /// Reads `ENGINE://[USER:PASSWORD@]HOST[:PORT]/INDEX`.
    fn from_str(url: &str) -> Result<Endpoint, RemoteError> {
        let bad = |reason: &str| RemoteError::BadUrl {
            url: redact(url),
            reason: reason.to_string(),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected ENGINE://HOST:PORT/INDEX"))?;
        let engine = Engine::named(&scheme.to_ascii_lowercase()).ok_or_else(|| {
            bad("the engine must be quickwit, elasticsearch or opensearch (plain HTTP; https is not supported)")
        })?;
        let (authority, index) = rest
            .split_once('/')
            .ok_or_else(|| bad("no index: expected ENGINE://HOST:PORT/INDEX"))?;
        let index = index.trim_end_matches('/');
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((user, host)) => (Some(user), host),
            None => (None, authority),
        };
        let (host, port) = split_host_port(hostport).ok_or_else(|| bad("bad HOST:PORT"))?;
        let port = match port {
            Some(p) => p.parse::<u16>().map_err(|_| bad("bad port"))?,
            None => engine.default_port(),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        check_index(engine, index).map_err(|reason| bad(&reason))?;
        let authorization = userinfo.map(|user| {
            let token = base64::engine::general_purpose::STANDARD.encode(user.as_bytes());
            format!("Basic {token}")
        });
        Ok(Endpoint {
            engine,
            host: host.to_string(),
            port,
            index: index.to_string(),
            authorization,
        })
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(s: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    match s.split_once(':') {
        Some((host, port)) => Some((host, Some(port))),
        None => Some((s, None)),
    }
}

/// The engine's own rules for index names, checked before any request.
fn check_index(engine: Engine, index: &str) -> Result<(), String> {
    if index.is_empty() {
        return Err("no index: expected ENGINE://HOST:PORT/INDEX".into());
    }
    match engine {
        // quickwit-config: `^[a-zA-Z][a-zA-Z0-9-_\.]{2,254}$`
        Engine::Quickwit => {
            let ok = index.len() >= 3
                && index.len() <= 255
                && index.starts_with(|c: char| c.is_ascii_alphabetic())
                && index
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !ok {
                return Err(format!(
                    "{index:?} is not a Quickwit index id (a letter, then 2 to 254 letters, digits, `-`, `_` or `.`)"
                ));
            }
        }
        // Elasticsearch: lower case, no `\ / * ? " < > | , #` or space, not
        // starting with `-`, `_` or `+`, not `.` or `..`, at most 255 bytes.
        Engine::Elasticsearch | Engine::OpenSearch => {
            let ok = index.len() <= 255
                && !index.starts_with(['-', '_', '+'])
                && index != "."
                && index != ".."
                && index.chars().all(|c| {
                    !c.is_ascii_uppercase() && !c.is_whitespace() && !"\\/*?\"<>|,#:".contains(c)
                });
            if !ok {
                return Err(format!(
                    "{index:?} is not an index name (lower case; no spaces or \\ / * ? \" < > | , # :)"
                ));
            }
        }
    }
    Ok(())
}

/// The URL with any password replaced, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            format!("{}://***@{}", &url[..start], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<Endpoint, String> {
        url.parse::<Endpoint>().map_err(|e| e.to_string())
    }

    #[test]
    fn urls_name_engine_host_port_and_index() {
        let e = parse("quickwit://127.0.0.1:7280/scifact").unwrap();
        assert_eq!(
            (e.engine, e.host.as_str(), e.port, e.index.as_str()),
            (Engine::Quickwit, "127.0.0.1", 7280, "scifact")
        );
        assert_eq!(e.to_string(), "quickwit://127.0.0.1:7280/scifact");
        assert_eq!(e.slug(), "quickwit-127.0.0.1-7280-scifact");
        let e = parse("opensearch://search.local/articles/").unwrap();
        assert_eq!((e.port, e.index.as_str()), (9200, "articles"));
        let e = parse("elasticsearch://[::1]:9201/a").unwrap();
        assert_eq!(e.address(), "[::1]:9201");
    }

    #[test]
    fn credentials_become_basic_auth_and_are_never_shown() {
        let e = parse("elasticsearch://elastic:s3cret@127.0.0.1:9200/docs").unwrap();
        assert_eq!(
            e.authorization.as_deref(),
            Some("Basic ZWxhc3RpYzpzM2NyZXQ=")
        );
        assert!(!format!("{e} {e:?}").contains("s3cret"));
        let err = parse("elasticsearch://elastic:s3cret@127.0.0.1:9200/Docs").unwrap_err();
        assert!(!err.contains("s3cret"), "{err}");
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        assert!(
            parse("https://x:9200/a")
                .unwrap_err()
                .contains("quickwit, elasticsearch or opensearch")
        );
        assert!(
            parse("quickwit://127.0.0.1:7280")
                .unwrap_err()
                .contains("no index")
        );
        assert!(
            parse("quickwit://127.0.0.1:99999/abc")
                .unwrap_err()
                .contains("bad port")
        );
        assert!(
            parse("quickwit://127.0.0.1/ab")
                .unwrap_err()
                .contains("Quickwit index id")
        );
        assert!(
            parse("elasticsearch://h/Upper")
                .unwrap_err()
                .contains("lower case")
        );
    }
}
