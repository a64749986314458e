//! A connection's bounds beyond hyper's own, so that slow or hostile
//! clients cannot take the server from others:
//!
//! - [`PerClient`]: at most [`Limits::per_client`] connections open at
//!   once from one address; one more is closed as soon as it is accepted.
//!   Without it, one client holding [`Limits::connections`] slow
//!   connections (sending a head a byte at a time, or never reading its
//!   answer) would leave every other client waiting to be accepted.
//! - [`with_send_timeout`]: a connection whose writes make no progress for
//!   [`Limits::send_timeout`] is closed, so a client that stops reading
//!   its answer gives its slot back (hyper waits on a full socket buffer
//!   for ever). `tokio-io-timeout` does the timing (sfackler's, used by
//!   tonic and hyper-timeout: the timer is reset by every write that makes
//!   progress, and a stalled one fails with `TimedOut`).
//!
//! The time a client may take to send a request head is hyper's
//! `header_read_timeout` (it covers idle keep-alive connections too), and
//! the cap on all connections is the accept loop's semaphore, both set in
//! [`super`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_io_timeout::TimeoutStream;

#[cfg(doc)]
use super::Limits;

/// The connections open from each address, within a bound.
#[derive(Debug)]
pub(super) struct PerClient {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection: counted until dropped.
#[derive(Debug)]
pub(super) struct Admitted {
    clients: Arc<PerClient>,
    ip: IpAddr,
}

impl PerClient {
    /// At most `max` connections from one address (at least 1).
    pub(super) fn new(max: usize) -> Arc<PerClient> {
        Arc::new(PerClient {
            max: max.max(1),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// Counts a new connection from `ip`, or `None` when that address
    /// already has its share open.
    pub(super) fn admit(self: &Arc<PerClient>, ip: IpAddr) -> Option<Admitted> {
        // The map stays consistent whatever panicked while holding it.
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(ip).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Admitted {
            clients: self.clone(),
            ip,
        })
    }

    /// Connections open from `ip` now.
    #[cfg(test)]
    fn open(&self, ip: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .clients
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// `stream`, failing with `TimedOut` when a write makes no progress for
/// `timeout`.
pub(super) fn with_send_timeout(
    stream: TcpStream,
    timeout: Duration,
) -> Pin<Box<TimeoutStream<TcpStream>>> {
    let mut stream = TimeoutStream::new(stream);
    stream.set_write_timeout(Some(timeout));
    Box::pin(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_gets_its_share_and_gives_it_back() {
        let clients = PerClient::new(2);
        let a: IpAddr = [127, 0, 0, 2].into();
        let b: IpAddr = [127, 0, 0, 3].into();
        let first = clients.admit(a).expect("first");
        let second = clients.admit(a).expect("second");
        assert!(clients.admit(a).is_none(), "a third from the same address");
        assert!(
            clients.admit(b).is_some(),
            "another address is not affected"
        );
        drop(first);
        let third = clients.admit(a).expect("a slot was given back");
        drop((second, third));
        assert_eq!(clients.open(a), 0);
        assert_eq!(clients.open(b), 0);
    }
}
