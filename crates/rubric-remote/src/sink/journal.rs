//! The sink's journal: the ids of the articles whose sections were (or may
//! have been) sent, or whose deletion was asked, since the catalog beside it
//! was last saved. It is synced before anything is sent, so after a crash
//! the next run knows which articles the engine may hold differently from
//! the catalog: it deletes all their sections and sends them again. One id
//! per line, as a JSON string (ids may hold any character).

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The journal file, open for appending.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: BufWriter<File>,
    /// Ids in the file (written or buffered).
    ids: BTreeSet<String>,
    /// Ids buffered but not yet synced.
    unsynced: bool,
}

impl Journal {
    /// Opens (creating) the journal at `path`: the ids it already holds
    /// (left by a run that did not finish) and when it was last written.
    pub fn open(path: &Path) -> std::io::Result<(Journal, Vec<String>, Option<SystemTime>)> {
        let (left, modified) = match fs::read(path) {
            Ok(bytes) => {
                let modified = fs::metadata(path).and_then(|m| m.modified()).ok();
                let ids: BTreeSet<String> = String::from_utf8_lossy(&bytes)
                    .lines()
                    .filter_map(|line| serde_json::from_str::<String>(line).ok())
                    .collect();
                (ids, modified)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (BTreeSet::new(), None),
            Err(e) => return Err(e),
        };
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let journal = Journal {
            path: path.to_path_buf(),
            file: BufWriter::new(file),
            ids: left.clone(),
            unsynced: false,
        };
        Ok((journal, left.into_iter().collect(), modified))
    }

    /// Notes `id` (written at the next [`Journal::sync`]).
    pub fn add(&mut self, id: &str) -> std::io::Result<()> {
        if self.ids.insert(id.to_string()) {
            let line = serde_json::to_string(id).unwrap_or_default();
            self.file.write_all(line.as_bytes())?;
            self.file.write_all(b"\n")?;
            self.unsynced = true;
        }
        Ok(())
    }

    /// Makes every noted id durable.
    pub fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced {
            self.file.flush()?;
            self.file.get_ref().sync_data()?;
            self.unsynced = false;
        }
        Ok(())
    }

    /// Replaces the journal with `ids` only (after the catalog was saved):
    /// a temporary file, synced, renamed over it.
    pub fn rewrite<'a>(&mut self, ids: impl Iterator<Item = &'a str>) -> std::io::Result<()> {
        let ids: BTreeSet<String> = ids.map(str::to_string).collect();
        if ids == self.ids && !self.unsynced {
            return Ok(());
        }
        let tmp = self.path.with_extension("tmp");
        {
            let mut out = BufWriter::new(File::create(&tmp)?);
            for id in &ids {
                out.write_all(serde_json::to_string(id).unwrap_or_default().as_bytes())?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            out.get_ref().sync_all()?;
        }
        fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent()
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        self.file = BufWriter::new(OpenOptions::new().append(true).open(&self.path)?);
        self.ids = ids;
        self.unsynced = false;
        Ok(())
    }

    /// The file's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_survive_a_reopen_and_a_rewrite_keeps_only_the_open_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut j, left, _) = Journal::open(&path).unwrap();
        assert!(left.is_empty());
        j.add("a.md").unwrap();
        j.add("line\nbreak").unwrap();
        j.add("a.md").unwrap();
        j.sync().unwrap();
        drop(j);
        let (mut j, left, modified) = Journal::open(&path).unwrap();
        assert_eq!(left, ["a.md", "line\nbreak"]);
        assert!(modified.is_some());
        j.rewrite(["b"].into_iter()).unwrap();
        j.add("c").unwrap();
        j.sync().unwrap();
        let (_, left, _) = Journal::open(&path).unwrap();
        assert_eq!(left, ["b", "c"]);
    }
}
