//! Writes a complete snapshot back out in the API's directory layout (see [`crate::source`]).
//!
//! Every element comes out as Tray served it (unknown fields included; object keys in canonical order), so crawling
//! the export with `--from-dir` gives the same catalog. The export is assembled in a temporary directory beside the
//! target and renamed into place at the end: it never leaves a half-written catalog where the user asked for one.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::model::join_operation_element;
use crate::source::operations_path;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} exists and is not an empty directory; choose a new --out")]
    NotEmpty { path: PathBuf },
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ExportSummary {
    pub snapshot: i64,
    pub connector_versions: u64,
    pub operations: u64,
}

pub fn export(
    store: &mut Store,
    snapshot: Option<i64>,
    out: &Path,
) -> Result<ExportSummary, ExportError> {
    let info = store.complete_snapshot(snapshot)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |error| ExportError::Io { path, error }
    };
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(io(out))?;
        if entries.next().is_some() {
            return Err(ExportError::NotEmpty {
                path: out.to_owned(),
            });
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".trayscope-export-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;

    let catalog = store.catalog(info.id)?;
    let mut connectors = Vec::with_capacity(catalog.entries.len());
    let mut operations = 0u64;
    for entry in &catalog.entries {
        connectors.push(store.json(entry.element)?);
        let mut elements = Vec::with_capacity(entry.operations.len());
        for op in &entry.operations {
            let meta = store.json(op.meta)?;
            let input = store.json(op.input_schema)?;
            let output = store.json(op.output_schema)?;
            elements.push(join_operation_element(meta, input, output));
        }
        operations += elements.len() as u64;
        let path = operations_path(staging.path(), &entry.name, entry.version.as_str());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        write_json(&path, &json!({ "elements": elements })).map_err(io(&path))?;
    }
    let listing = staging.path().join("connectors.json");
    write_json(&listing, &json!({ "elements": connectors })).map_err(io(&listing))?;

    if out.exists() {
        std::fs::remove_dir(out).map_err(io(out))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, out).map_err(io(out))?;
    Ok(ExportSummary {
        snapshot: info.id,
        connector_versions: catalog.entries.len() as u64,
        operations,
    })
}

fn write_json(path: &Path, value: &Value) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    std::fs::write(path, bytes)
}
