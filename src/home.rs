//! The home directory: where trayscope keeps its state (`catalog.db`, the search index, locks).
//!
//! One place decides every path inside it. Locks are OS file locks, so a lock held by a process that was killed is
//! released with it and never blocks the next run. This module must never delete anything it did not create.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "another trayscope run holds {path} (a crawl or nightly job is still running); try again when it ends"
    )]
    Locked { path: PathBuf },
    #[error("no catalog at {path}: run `trayscope crawl` first (or pass --home)")]
    NoCatalog { path: PathBuf },
}

#[derive(Debug, Clone)]
pub struct Home {
    dir: PathBuf,
}

/// An exclusive lock on a file in the home directory, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct LockGuard {
    _file: File,
}

impl Home {
    pub fn new(dir: impl Into<PathBuf>) -> Home {
        Home { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join("catalog.db")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// Creates the directory if it does not exist.
    pub fn create(&self) -> Result<(), HomeError> {
        std::fs::create_dir_all(&self.dir).map_err(|error| HomeError::Io {
            path: self.dir.clone(),
            error,
        })
    }

    /// The catalog database path, or a clear error when nothing has been crawled into this home yet.
    pub fn existing_db(&self) -> Result<PathBuf, HomeError> {
        let path = self.db_path();
        if path.is_file() {
            Ok(path)
        } else {
            Err(HomeError::NoCatalog { path })
        }
    }

    /// Takes the writer lock (`writer.lock`) that every command that writes the catalog holds, failing at once if
    /// another process holds it.
    pub fn try_lock_writer(&self) -> Result<LockGuard, HomeError> {
        self.create()?;
        let path = self.dir.join("writer.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| HomeError::Io {
                path: path.clone(),
                error,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(LockGuard { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(HomeError::Locked { path }),
            Err(std::fs::TryLockError::Error(error)) => Err(HomeError::Io { path, error }),
        }
    }

    /// Like [`Home::try_lock_writer`], retrying until `wait` has passed (a zero `wait` tries once). A `wait` too long
    /// for the clock to add (`--wait 18446744073709551615s`) waits for as long as it takes.
    pub fn lock_writer(&self, wait: std::time::Duration) -> Result<LockGuard, HomeError> {
        let deadline = std::time::Instant::now().checked_add(wait);
        loop {
            match self.try_lock_writer() {
                Err(HomeError::Locked { .. })
                    if deadline.is_none_or(|d| std::time::Instant::now() < d) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("h"));
        let first = home.try_lock_writer().unwrap();
        assert!(matches!(
            home.try_lock_writer(),
            Err(HomeError::Locked { .. })
        ));
        drop(first);
        assert!(home.try_lock_writer().is_ok());
    }

    #[test]
    fn a_wait_too_long_for_the_clock_is_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("h"));
        assert!(home.lock_writer(std::time::Duration::MAX).is_ok());
    }
}
