//! Where a catalog comes from: Tray's HTTP API, or a directory in the API's layout.
//!
//! The directory layout is `DIR/connectors.json` (the body of `GET /core/v1/connectors`) and
//! `DIR/operations/<name>/<version>.json` (the body of the operations endpoint), each path segment escaped so that no
//! name can climb out of DIR. `trayscope export` writes this layout and `crawl --from-dir` reads it, so both use the
//! functions here. Both sources hand back validated model values; this module never writes to the store.

use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;

use crate::api::{ApiClient, ApiError};
use crate::files::{FileError, FileProblem, read_regular_file};
use crate::model::{self, ConnectorVersion, ModelError, Operation};

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path}: not valid JSON at line {line}, column {column}: {error}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        error: String,
    },
}

impl SourceError {
    /// True for errors that mean the token was refused: nothing else in the crawl can succeed.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, SourceError::Api(ApiError::Unauthorized { .. }))
    }
}

pub type Result<T, E = SourceError> = std::result::Result<T, E>;

/// A catalog source.
#[derive(Debug, Clone)]
pub enum Source {
    Http(ApiClient),
    Dir { root: PathBuf, max_body_bytes: u64 },
}

impl Source {
    /// What to record as the snapshot's source: the base URL or the directory, never a credential.
    pub fn describe(&self) -> String {
        match self {
            Source::Http(client) => client.base().as_str().trim_end_matches('/').to_owned(),
            Source::Dir { root, .. } => format!("dir:{}", root.display()),
        }
    }

    /// Every (name, version) the catalog lists.
    pub async fn connectors(&self) -> Result<Vec<ConnectorVersion>> {
        match self {
            Source::Http(client) => {
                let (url, body) = client.list_connectors().await?;
                model::parse_connectors_body(&format!("GET {url}"), &body)
                    .map_err(|e| redacted(client, e))
            }
            Source::Dir {
                root,
                max_body_bytes,
            } => {
                let path = root.join("connectors.json");
                let body = read_json(&path, *max_body_bytes).await?;
                Ok(model::parse_connectors_body(
                    &path.display().to_string(),
                    &body,
                )?)
            }
        }
    }

    /// The operations of one listed connector version. A version the listing named but the source does not have
    /// (HTTP 404, or no file) is an error: a snapshot never has silent holes.
    pub async fn operations(&self, name: &str, version: &str) -> Result<Vec<Operation>> {
        match self {
            Source::Http(client) => {
                let (url, body) = client.list_operations(name, version).await?;
                model::parse_operations_body(&format!("GET {url}"), name, version, body)
                    .map_err(|e| redacted(client, e))
            }
            Source::Dir {
                root,
                max_body_bytes,
            } => {
                let path = operations_path(root, name, version);
                let body = read_json(&path, *max_body_bytes).await?;
                Ok(model::parse_operations_body(
                    &path.display().to_string(),
                    name,
                    version,
                    body,
                )?)
            }
        }
    }
}

/// A model error about what a server sent, with anything that looks like our credential redacted: the error is
/// printed and stored in `snapshots.error`.
fn redacted(client: &ApiClient, error: ModelError) -> SourceError {
    SourceError::Model(error.map_text(|text| client.redact(text)))
}

/// Characters kept as they are in a file name; everything else is percent-escaped.
const FILE_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_');

/// A name or version as one safe path segment: `a/b` becomes `a%2Fb`, and `.` or `..` are escaped whole.
pub fn file_segment(text: &str) -> String {
    if text.is_empty() || text.bytes().all(|b| b == b'.') {
        return text.bytes().map(|b| format!("%{b:02X}")).collect();
    }
    utf8_percent_encode(text, FILE_SEGMENT).to_string()
}

/// The inverse of [`file_segment`].
pub fn from_file_segment(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// `DIR/operations/<name>/<version>.json`.
pub fn operations_path(root: &Path, name: &str, version: &str) -> PathBuf {
    root.join("operations")
        .join(file_segment(name))
        .join(format!("{}.json", file_segment(version)))
}

async fn read_json(path: &Path, limit: u64) -> Result<Value> {
    let owned = path.to_owned();
    let bytes = tokio::task::spawn_blocking(move || read_regular_file(&owned, limit))
        .await
        .map_err(|e| FileError {
            path: path.to_owned(),
            problem: FileProblem::Io(std::io::Error::other(e)),
        })??;
    parse_json_file(path, &bytes)
}

/// Reads and parses a JSON file of at most `limit` bytes: a regular file, or a symlink to one.
pub fn read_json_file(path: &Path, limit: u64) -> Result<Value> {
    parse_json_file(path, &read_regular_file(path, limit)?)
}

/// Parses a JSON file, naming the file and the position of the first error. A UTF-8 byte order mark, which JSON
/// does not allow but some editors add, is skipped (as the audit does for exports).
pub fn parse_json_file(path: &Path, bytes: &[u8]) -> Result<Value> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| SourceError::Json {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        error: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_names_cannot_leave_the_directory() {
        assert_eq!(file_segment("slack"), "slack");
        assert_eq!(file_segment("9.0"), "9.0");
        assert_eq!(file_segment("a/b"), "a%2Fb");
        assert_eq!(file_segment(".."), "%2E%2E");
        assert_eq!(file_segment("."), "%2E");
        assert_eq!(file_segment("x y%"), "x%20y%25");
        for odd in ["a/b", "..", ".", "x y%", "é", "a\\b"] {
            assert_eq!(from_file_segment(&file_segment(odd)), odd);
        }
        let p = operations_path(Path::new("/r"), "../../etc", "1.0");
        assert_eq!(p, Path::new("/r/operations/..%2F..%2Fetc/1.0.json"));
    }
}
