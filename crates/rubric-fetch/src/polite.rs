//! Politeness per host (scheme, host and port): at most `per_host` requests
//! at a time, their starts spaced by the host's delay (`--delay`, or the
//! robots.txt `Crawl-delay` when that is longer), and the host's robots.txt
//! rules, fetched once per run.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// What a host's robots.txt says for Rubric.
#[derive(Debug)]
pub(crate) enum Robots {
    /// No robots.txt (4xx), or robots.txt checks are off.
    AllowAll,
    /// robots.txt answered 5xx: RFC 9309 says to assume a full disallow.
    DisallowAll,
    /// The parsed rules for Rubric's user agent.
    Rules(Box<texting_robots::Robot>),
}

impl Robots {
    pub(crate) fn allowed(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll => false,
            Robots::Rules(robot) => robot.allowed(url),
        }
    }
}

/// One host's limits.
#[derive(Debug)]
pub(crate) struct Host {
    permits: Semaphore,
    next_start: Mutex<Instant>,
    delay: Mutex<Duration>,
    pub(crate) robots: OnceCell<Robots>,
}

/// A mutex's guard, whether or not a panicking thread poisoned it (what is
/// behind these locks is always whole: counters, times, caches).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Host {
    pub(crate) fn new(per_host: usize, delay: Duration) -> Host {
        Host {
            permits: Semaphore::new(per_host.max(1)),
            next_start: Mutex::new(Instant::now()),
            delay: Mutex::new(delay),
            robots: OnceCell::new(),
        }
    }

    /// Raises the delay between request starts (for a `Crawl-delay`).
    pub(crate) fn raise_delay(&self, delay: Duration) {
        let mut d = lock(&self.delay);
        if delay > *d {
            *d = delay;
        }
    }

    /// Waits for a free slot on this host and for the host's delay since the
    /// previous start; the slot is held until the permit is dropped.
    pub(crate) async fn turn(&self) -> Option<SemaphorePermit<'_>> {
        let permit = self.permits.acquire().await.ok()?;
        let start = {
            let delay = *lock(&self.delay);
            let mut next = lock(&self.next_start);
            let start = (*next).max(Instant::now());
            *next = start + delay;
            start
        };
        tokio::time::sleep_until(start).await;
        Some(permit)
    }
}

/// Every host seen in a run.
#[derive(Debug, Default)]
pub(crate) struct Hosts {
    map: Mutex<std::collections::HashMap<String, Arc<Host>>>,
}

impl Hosts {
    pub(crate) fn get(&self, origin: &str, per_host: usize, delay: Duration) -> Arc<Host> {
        lock(&self.map)
            .entry(origin.to_string())
            .or_insert_with(|| Arc::new(Host::new(per_host, delay)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_are_spaced_by_the_delay_and_capped_per_host() {
        let host = Host::new(2, Duration::from_millis(100));
        let t0 = Instant::now();
        let a = host.turn().await;
        let b = host.turn().await;
        assert!(Instant::now() - t0 >= Duration::from_millis(100));
        assert_eq!(host.permits.available_permits(), 0);
        drop(a);
        let _c = host.turn().await;
        assert!(Instant::now() - t0 >= Duration::from_millis(200));
        drop(b);
    }
}
