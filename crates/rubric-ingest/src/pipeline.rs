//! The ordered, bounded parallel map every file goes through: worker threads
//! run `work` on the items while the caller's thread consumes the results in
//! the items' order (so `--dry-run --json` output and index writes are
//! deterministic).
//!
//! Workers never run more than a fixed window ahead of the consumer, so a
//! corpus is never buffered whole, and one slow item only stalls that window.
//! What the work is (reading and extracting a file) is `read`'s.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

/// How many items per job may be done ahead of the consumer.
const WINDOW_PER_JOB: usize = 4;

/// Runs `work` on every item on `jobs` threads and calls `consume` with each
/// item and its result, in the order of `items`, on the calling thread. At
/// most `jobs * 4` items are started ahead of the last one consumed.
pub(crate) fn ordered<T, R>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(&T, R),
) where
    T: Sync,
    R: Send,
{
    let jobs = jobs.clamp(1, items.len().max(1));
    let window = jobs * WINDOW_PER_JOB;
    let next = AtomicUsize::new(0);
    let delivered = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::sync_channel::<(usize, R)>(window);

    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, delivered, work) = (&next, &delivered, &work);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    wait_for_window(delivered, i, window);
                    if tx.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);

        let mut pending = BTreeMap::new();
        let mut want = 0;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&want) {
                consume(&items[want], result);
                want += 1;
                let (lock, cvar) = &delivered;
                *lock.lock().unwrap_or_else(PoisonError::into_inner) = want;
                cvar.notify_all();
            }
        }
    });
}

/// Blocks until item `i` is within `window` of the last delivered item.
fn wait_for_window(delivered: &(Mutex<usize>, Condvar), i: usize, window: usize) {
    let (lock, cvar) = delivered;
    let mut n = lock.lock().unwrap_or_else(PoisonError::into_inner);
    while i >= *n + window {
        n = cvar.wait(n).unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_in_the_items_order_whatever_order_they_finish_in() {
        let items: Vec<u64> = (0..200).collect();
        let mut seen = Vec::new();
        ordered(
            &items,
            4,
            |&i| {
                // Later items finish first, often.
                std::thread::sleep(Duration::from_micros((200 - i) % 7 * 50));
                i * 10
            },
            |&i, result| seen.push((i, result)),
        );
        let expected: Vec<(u64, u64)> = items.iter().map(|&i| (i, i * 10)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn workers_never_run_more_than_the_window_ahead() {
        let items: Vec<usize> = (0..300).collect();
        let consumed = AtomicUsize::new(0);
        let worst = AtomicUsize::new(0);
        let jobs = 3;
        ordered(
            &items,
            jobs,
            |&i| {
                let ahead = i.saturating_sub(consumed.load(Ordering::SeqCst));
                worst.fetch_max(ahead, Ordering::SeqCst);
                i
            },
            |_, _| {
                // A slow consumer: the workers must wait for it.
                std::thread::sleep(Duration::from_micros(200));
                consumed.fetch_add(1, Ordering::SeqCst);
            },
        );
        assert_eq!(consumed.load(Ordering::SeqCst), items.len());
        let worst = worst.load(Ordering::SeqCst);
        assert!(worst <= jobs * WINDOW_PER_JOB, "{worst} ahead");
        assert!(worst > 0, "the workers did run ahead");
    }

    #[test]
    fn no_items_and_more_jobs_than_items_are_fine() {
        let mut n = 0;
        ordered(&[] as &[u8], 8, |_| (), |_, ()| n += 1);
        assert_eq!(n, 0);
        ordered(&[1u8, 2], 8, |&x| x, |_, _| n += 1);
        assert_eq!(n, 2);
    }
}
