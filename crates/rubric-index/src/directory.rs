//! [`IndexDirectory`]: Tantivy's memory-mapped directory, readable on a
//! read-only file system.
//!
//! Tantivy takes a short "meta" lock file while a reader loads `meta.json`
//! (so a concurrent garbage collection cannot delete the files it is about to
//! open). On a read-only mount — an index shipped in a container image or
//! restored from a CI artifact — creating that file fails and the index could
//! not be searched at all. This wrapper answers that one case with a no-op
//! lock: nothing can write there, so there is nothing to guard against.
//! Every other lock (the writer's above all) and every other failure is
//! passed through unchanged.
//!
//! It also counts the files open for writing ([`OpenWrites`]). Tantivy's
//! `prepare_commit` returns on the first indexing thread that failed (a disk
//! error) and lets the others run on detached; they go on writing their
//! segment after the writer rolled back. A writer that gives up waits for
//! that count to reach zero before it removes what no commit names, so no
//! segment written after the clean-up is left behind.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tantivy::Directory;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    AntiCallToken, DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// [`MmapDirectory`] that can be read on a read-only file system and counts
/// the files open for writing.
#[derive(Debug, Clone)]
pub(crate) struct IndexDirectory {
    inner: MmapDirectory,
    writes: OpenWrites,
}

impl IndexDirectory {
    /// Opens the folder `dir`.
    pub(crate) fn open(dir: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory {
            inner: MmapDirectory::open(dir)?,
            writes: OpenWrites::default(),
        })
    }

    /// The count of this directory's files open for writing (shared with
    /// its clones, which Tantivy makes).
    pub(crate) fn open_writes(&self) -> OpenWrites {
        self.writes.clone()
    }
}

/// How many files of one directory are open for writing.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenWrites(Arc<AtomicUsize>);

impl OpenWrites {
    /// The number open now.
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Waits until no file is open for writing, or `limit` has passed;
    /// true when none is.
    pub(crate) fn wait_for_none(&self, limit: Duration) -> bool {
        let started = Instant::now();
        while self.count() > 0 {
            if started.elapsed() >= limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }
}

/// A file open for writing, counted in [`OpenWrites`] until it is dropped.
struct CountedWrite {
    inner: Box<dyn TerminatingWrite + Send + Sync>,
    writes: OpenWrites,
}

impl CountedWrite {
    fn new(inner: Box<dyn TerminatingWrite + Send + Sync>, writes: OpenWrites) -> CountedWrite {
        writes.0.fetch_add(1, Ordering::SeqCst);
        CountedWrite { inner, writes }
    }
}

impl Drop for CountedWrite {
    fn drop(&mut self) {
        self.writes.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Write for CountedWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for CountedWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.inner.terminate_ref(token)
    }
}

/// True for the errors a read-only mount (or a folder we may not write to) gives.
fn read_only(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let buffered = self.inner.open_write(path)?;
        let capacity = buffered.capacity();
        // Nothing was written yet, so taking the file out flushes nothing.
        let file = buffered
            .into_inner()
            .map_err(|e| OpenWriteError::wrap_io_error(e.into_error(), path.to_path_buf()))?;
        let counted: Box<dyn TerminatingWrite + Send + Sync> =
            Box::new(CountedWrite::new(file, self.writes.clone()));
        Ok(BufWriter::with_capacity(capacity, counted))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(error))
                if lock.filepath == META_LOCK.filepath && read_only(&error) =>
            {
                tracing::debug!("index folder is read-only: reading without the meta lock");
                Ok(DirectoryLock::from(Box::new(PathBuf::new())))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
