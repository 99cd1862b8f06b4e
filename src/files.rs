//! Reading an input file whole, with a size cap, and only if it is a regular file.
//!
//! `metadata().len()` is 0 for a FIFO or a device, so a size check before `read` protects nothing: a path linked to
//! `/dev/zero` grows memory without bound, and a FIFO with no writer blocks forever. Every file trayscope takes as
//! input (catalog directories, exports, the ignore file, schema files) is read here. This module must never read
//! more than the cap plus one byte, and never open anything but a regular file (after following symlinks).

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest schema file `schema-diff` reads (a real operation schema is kilobytes; the largest a few MB).
pub const MAX_SCHEMA_FILE_BYTES: u64 = 64 << 20;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub problem: FileProblem,
}

/// What was wrong with the file, without its path (for callers that show the path their own way).
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    #[error("{0}")]
    Io(#[source] std::io::Error),
    #[error("not a regular file ({0}); only regular files are read")]
    NotRegular(&'static str),
    #[error("larger than the {limit} bytes trayscope reads")]
    TooLarge { limit: u64 },
}

impl FileError {
    /// True when the file (or a symlink's target) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(&self.problem, FileProblem::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// The bytes of the regular file at `path` (symlinks followed), at most `max_bytes` of them.
///
/// Anything else (a directory, a FIFO, a socket, a device, a dangling or looping symlink) is refused before it is
/// opened, and the opened file is checked again, so that a file swapped for something else in between is refused
/// too. (A FIFO swapped in between the check and the open can still block the open; that takes an attacker who can
/// write to the directory while trayscope runs.)
pub fn read_regular_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, FileError> {
    let fail = |problem| FileError {
        path: path.to_owned(),
        problem,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(FileProblem::Io(e)))?;
    check(&meta, max_bytes).map_err(fail)?;
    let file = std::fs::File::open(path).map_err(|e| fail(FileProblem::Io(e)))?;
    let meta = file.metadata().map_err(|e| fail(FileProblem::Io(e)))?;
    check(&meta, max_bytes).map_err(fail)?;
    let capacity = usize::try_from(meta.len().min(max_bytes))
        .unwrap_or(0)
        .saturating_add(1);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(FileProblem::Io(e)))?;
    if bytes.len() as u64 > max_bytes {
        return Err(fail(FileProblem::TooLarge { limit: max_bytes }));
    }
    Ok(bytes)
}

/// The text of a small file a user writes (the ignore file, the deprecation policy): [`read_regular_file`], then
/// UTF-8. The error says what was wrong without the path, for the caller to name it its own way: "no such file",
/// "cannot read: …", "not a regular file …", "larger than …", "not UTF-8 text (byte N)".
pub fn read_text_file(path: &Path, max_bytes: u64) -> Result<String, String> {
    let bytes = read_regular_file(path, max_bytes).map_err(|e| {
        if e.is_not_found() {
            "no such file".to_owned()
        } else {
            match e.problem {
                FileProblem::Io(e) => format!("cannot read: {e}"),
                problem => problem.to_string(),
            }
        }
    })?;
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

/// `path` for display: relative to `base` when under it, `/`-separated, without a leading `./`.
pub fn show_path(path: &Path, base: &Path) -> String {
    let shown = path.strip_prefix(base).unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_owned()
}

fn check(meta: &std::fs::Metadata, max_bytes: u64) -> Result<(), FileProblem> {
    if !meta.is_file() {
        return Err(FileProblem::NotRegular(kind(&meta.file_type())));
    }
    if meta.len() > max_bytes {
        return Err(FileProblem::TooLarge { limit: max_bytes });
    }
    Ok(())
}

fn kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_paths_are_relative_and_slash_separated() {
        let base = Path::new("/repo");
        assert_eq!(
            show_path(Path::new("/repo/exports/a.json"), base),
            "exports/a.json"
        );
        assert_eq!(
            show_path(Path::new("./exports/a.json"), base),
            "exports/a.json"
        );
        assert_eq!(
            show_path(Path::new("/elsewhere/a.json"), base),
            "/elsewhere/a.json"
        );
    }

    #[test]
    fn a_regular_file_is_read_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular_file(&path, 10).unwrap(), b"0123456789");
        let err = read_regular_file(&path, 9).unwrap_err();
        assert!(
            matches!(err.problem, FileProblem::TooLarge { limit: 9 }),
            "{err}"
        );
        assert!(err.to_string().starts_with(&path.display().to_string()));
    }

    #[test]
    fn a_directory_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_regular_file(dir.path(), 10).unwrap_err();
        assert!(
            err.to_string().contains("not a regular file (a directory)"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_broken_links_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read_regular_file(&zero, u64::MAX).unwrap_err();
        assert!(err.to_string().contains("a character device"), "{err}");
        let fifo = dir.path().join("fifo.json");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let err = read_regular_file(&fifo, 10).unwrap_err();
        assert!(err.to_string().contains("a named pipe"), "{err}");
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("nowhere.json", &dangling).unwrap();
        assert!(read_regular_file(&dangling, 10).unwrap_err().is_not_found());
        let looping = dir.path().join("loop.json");
        std::os::unix::fs::symlink("loop.json", &looping).unwrap();
        let err = read_regular_file(&looping, 10).unwrap_err();
        assert!(matches!(err.problem, FileProblem::Io(_)), "{err}");
    }
}
