//! The reports directory the nightly job keeps: one dated report per night, `latest.*`, and `index.html`.
//!
//! A night writes `<YYYY-MM-DD>-<snapshot>.{md,json,html}`: the diff against the previous complete snapshot, or on
//! the first night (nothing to compare with) a summary of the catalog. `index.html` is rebuilt from the JSON files
//! found in the directory, so it heals itself if a report is deleted by hand. Every file is written whole or not
//! at all (temporary file, then rename): a reader never sees half a report. This module never touches the store.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::diff::{Report, SnapshotRef};
use crate::report::{self, Format};
use crate::store::Catalog;

#[derive(Debug, thiserror::Error)]
pub enum NightlyError {
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: io::Error },
}

/// What the first night reports: the catalog as it stands.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogSummary {
    /// Always `"catalog-summary"`, so readers of the JSON tell it from a diff report.
    pub kind: &'static str,
    pub snapshot: SnapshotRef,
    pub connectors: u64,
    pub connector_versions: u64,
    pub operations: u64,
    pub services: u64,
    pub outdated_versions: u64,
    /// Connector versions whose service is superseded (the deprecation rule), already on the first night.
    pub deprecated: Vec<DeprecatedVersion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeprecatedVersion {
    pub connector: String,
    pub version: String,
    pub service: String,
    pub service_version: i64,
    pub latest: String,
}

impl CatalogSummary {
    pub fn of(catalog: &Catalog) -> CatalogSummary {
        let standings = catalog.standings();
        let names: std::collections::BTreeSet<&str> =
            catalog.entries.iter().map(|e| e.name.as_str()).collect();
        let services: std::collections::BTreeSet<(&str, i64)> = catalog
            .entries
            .iter()
            .map(|e| (e.service.name.as_str(), e.service.version))
            .collect();
        let latest_of = |name: &str| {
            catalog
                .versions_of(name)
                .map(|e| &e.version)
                .max()
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        let mut deprecated: Vec<DeprecatedVersion> = catalog
            .entries
            .iter()
            .zip(&standings)
            .filter(|(_, s)| s.deprecated)
            .map(|(e, _)| DeprecatedVersion {
                connector: e.name.clone(),
                version: e.version.to_string(),
                service: e.service.name.clone(),
                service_version: e.service.version,
                latest: latest_of(&e.name),
            })
            .collect();
        deprecated.sort_by(|a, b| (&a.connector, &a.version).cmp(&(&b.connector, &b.version)));
        CatalogSummary {
            kind: "catalog-summary",
            snapshot: SnapshotRef {
                snapshot: catalog.snapshot.id,
                finished_at: catalog.snapshot.finished_at.clone(),
            },
            connectors: names.len() as u64,
            connector_versions: catalog.entries.len() as u64,
            operations: catalog
                .entries
                .iter()
                .map(|e| e.operations.len() as u64)
                .sum(),
            services: services.len() as u64,
            outdated_versions: standings.iter().filter(|s| s.outdated).count() as u64,
            deprecated,
        }
    }
}

/// What one night reports.
pub enum Night<'a> {
    Diff(&'a Report),
    First(&'a CatalogSummary),
}

/// The file stem of a night's reports: `<YYYY-MM-DD>-<snapshot>`, the date the snapshot finished (UTC).
pub fn stem(snapshot: i64, finished_at: Option<&str>) -> String {
    let date = finished_at
        .and_then(|t| t.get(..10))
        .filter(|d| d.len() == 10)
        .unwrap_or("undated");
    format!("{date}-{snapshot}")
}

/// Writes a night's three reports, refreshes `latest.*` and rebuilds `index.html`. Returns the files written.
pub fn write_night(
    dir: &Path,
    stem: &str,
    night: &Night<'_>,
) -> Result<Vec<PathBuf>, NightlyError> {
    let io_at = |path: &Path| {
        let path = path.to_owned();
        move |error| NightlyError::Io { path, error }
    };
    std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    let mut written = Vec::new();
    for format in [Format::Markdown, Format::Json, Format::Html] {
        let mut bytes = Vec::new();
        match night {
            Night::Diff(report) => report::render(report, format, &mut bytes),
            Night::First(summary) => report::render_catalog_summary(summary, format, &mut bytes),
        }
        .map_err(io_at(dir))?;
        for name in [
            format!("{stem}.{}", format.extension()),
            format!("latest.{}", format.extension()),
        ] {
            let path = dir.join(name);
            write_whole(&path, &bytes).map_err(io_at(&path))?;
            written.push(path);
        }
    }
    let index = dir.join("index.html");
    let mut page = Vec::new();
    report::render_nights_index(&scan(dir), &mut page).map_err(io_at(&index))?;
    write_whole(&index, &page).map_err(io_at(&index))?;
    written.push(index);
    Ok(written)
}

/// One night's report as `index.html` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NightEntry {
    pub stem: String,
    pub date: String,
    pub snapshot: i64,
    /// `None` for a first night (a catalog summary).
    pub from: Option<i64>,
    /// Headline counts of a diff, in display order.
    pub counts: Vec<(String, u64)>,
    pub total_changes: u64,
    pub breaking: u64,
}

/// Every night report in `dir`, newest first. Files that are not night reports are skipped.
pub fn scan(dir: &Path) -> Vec<NightEntry> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut nights: Vec<NightEntry> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".json")?.to_owned();
            let (date, snapshot) = parse_stem(&stem)?;
            let bytes = std::fs::read(entry.path()).ok()?;
            let value: Value = serde_json::from_slice(&bytes).ok()?;
            Some(entry_from(stem, date, snapshot, &value))
        })
        .collect();
    nights.sort_by(|a, b| (b.snapshot, &b.date).cmp(&(a.snapshot, &a.date)));
    nights
}

fn parse_stem(stem: &str) -> Option<(String, i64)> {
    let (date, id) = stem.rsplit_once('-')?;
    let snapshot: i64 = id.parse().ok()?;
    let valid_date =
        date.len() == 10 && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok();
    (valid_date || date == "undated").then(|| (date.to_owned(), snapshot))
}

fn entry_from(stem: String, date: String, snapshot: i64, value: &Value) -> NightEntry {
    let count = |key: &str| value["summary"][key].as_u64().unwrap_or(0);
    if value["kind"] == "catalog-summary" {
        return NightEntry {
            stem,
            date,
            snapshot,
            from: None,
            counts: vec![
                (
                    "connector versions".into(),
                    value["connector_versions"].as_u64().unwrap_or(0),
                ),
                (
                    "deprecated".into(),
                    value["deprecated"].as_array().map_or(0, |a| a.len() as u64),
                ),
            ],
            total_changes: 0,
            breaking: 0,
        };
    }
    let counts: Vec<(String, u64)> = [
        ("breaking", "breaking"),
        ("deprecated", "connector-version-deprecated"),
        ("retired", "connector-version-removed"),
        ("new versions", "connector-version-added"),
        ("new service versions", "service-version-added"),
        ("operations changed", "operation-changed"),
    ]
    .into_iter()
    .map(|(label, key)| (label.to_owned(), count(key)))
    .collect();
    NightEntry {
        stem,
        date,
        snapshot,
        from: value["from"]["snapshot"].as_i64(),
        counts,
        total_changes: value["changes"].as_array().map_or(0, |a| a.len() as u64),
        breaking: count("breaking"),
    }
}

/// Writes `bytes` to `path` whole or not at all, readable by others (reports are for sharing).
pub fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".trayscope-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_dated_by_the_snapshot() {
        assert_eq!(stem(7, Some("2026-11-27T18:47:34.453Z")), "2026-11-27-7");
        assert_eq!(stem(7, None), "undated-7");
        assert_eq!(parse_stem("2026-11-27-7"), Some(("2026-11-27".into(), 7)));
        assert_eq!(parse_stem("latest"), None);
        assert_eq!(parse_stem("2026-13-40-7"), None);
        assert_eq!(parse_stem("notes-3"), None);
    }

    #[test]
    fn write_whole_replaces_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_whole(&path, b"one").unwrap();
        write_whole(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
