//! The address `--serve` listens on, as a person writes it: `PORT` and
//! `:PORT` (loopback), `HOST:PORT` with an IP address (`0.0.0.0:8080`,
//! `[::1]:8080`), and `localhost:PORT` or another host name (resolved
//! through the system's resolver; the first address is taken).
//!
//! This module owns only the parsing; binding is [`super::serve`]'s.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

/// Why an address is refused.
#[derive(Debug, thiserror::Error)]
pub enum BadAddr {
    /// Not one of the forms.
    #[error("`{0}` is not an address to listen on: say PORT, :PORT, HOST:PORT or localhost:PORT")]
    Form(String),
    /// The port is not a number from 0 to 65535.
    #[error("`{0}`: the port must be a number from 0 to 65535")]
    Port(String),
    /// The host name does not resolve.
    #[error("`{addr}`: cannot resolve the host: {source}")]
    Resolve {
        /// What was given.
        addr: String,
        /// The resolver's error.
        source: std::io::Error,
    },
}

/// Parses `PORT`, `:PORT`, `HOST:PORT` or `localhost:PORT`; a bare port
/// listens on loopback only (`0.0.0.0:PORT` listens everywhere).
pub fn parse_addr(addr: &str) -> Result<SocketAddr, BadAddr> {
    let given = addr.trim();
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    if let Some(port) = given
        .strip_prefix(':')
        .or_else(|| given.bytes().all(|b| b.is_ascii_digit()).then_some(given))
    {
        return Ok(SocketAddr::new(loopback, port_of(addr, port)?));
    }
    if let Ok(socket) = given.parse::<SocketAddr>() {
        return Ok(socket);
    }
    let (host, port) = given
        .rsplit_once(':')
        .filter(|(host, _)| !host.is_empty() && !host.contains(':'))
        .ok_or_else(|| BadAddr::Form(addr.to_string()))?;
    let port = port_of(addr, port)?;
    if host.eq_ignore_ascii_case("localhost") {
        // What a browser's `localhost` reaches first, without asking a resolver.
        return Ok(SocketAddr::new(loopback, port));
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(BadAddr::Form(addr.to_string()));
    }
    (host, port)
        .to_socket_addrs()
        .map_err(|source| BadAddr::Resolve {
            addr: addr.to_string(),
            source,
        })?
        .next()
        .ok_or_else(|| BadAddr::Resolve {
            addr: addr.to_string(),
            source: std::io::Error::other("no address"),
        })
}

fn port_of(addr: &str, port: &str) -> Result<u16, BadAddr> {
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadAddr::Form(addr.to_string()));
    }
    port.parse().map_err(|_| BadAddr::Port(addr.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_a_person_writes_is_an_address() {
        for (given, want) in [
            ("8080", "127.0.0.1:8080"),
            (":8080", "127.0.0.1:8080"),
            ("localhost:8080", "127.0.0.1:8080"),
            ("LocalHost:0", "127.0.0.1:0"),
            ("0.0.0.0:8080", "0.0.0.0:8080"),
            ("127.0.0.1:7700", "127.0.0.1:7700"),
            ("[::1]:8080", "[::1]:8080"),
        ] {
            assert_eq!(parse_addr(given).unwrap().to_string(), want, "{given}");
        }
    }

    #[test]
    fn bad_addresses_say_which_forms_are_taken() {
        for bad in [
            "",
            ":",
            "localhost:",
            "host:port",
            "a b:80",
            "::1:80",
            "http://x:80",
        ] {
            let err = parse_addr(bad).unwrap_err().to_string();
            assert!(err.contains("PORT, :PORT, HOST:PORT"), "{bad}: {err}");
        }
        for bad in ["70000", ":65536", "localhost:99999"] {
            let err = parse_addr(bad).unwrap_err().to_string();
            assert!(err.contains("0 to 65535"), "{bad}: {err}");
        }
    }
}
