//! The reports directory the nightly job keeps: one dated report per night, `latest.*`, and `index.html`.
//!
//! A night writes `<YYYY-MM-DD>-<snapshot>.{md,json,html}`: the diff against the previous complete snapshot, or on
//! the first night (nothing to compare with) a summary of the catalog. The directory is the record of which
//! snapshots have been reported (a `<date>-<snapshot>.json` file). `index.html` is rebuilt from the JSON files
//! found in the directory, so it heals itself if a report is deleted by hand. Every file is written whole or not
//! at all (temporary file, then rename): a reader never sees half a report. This module never touches the store.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diff::{CatalogSummary, Report};
use crate::report::NightEntry;
use crate::report::{self, Format, RenderOptions};

use super::NightlyError;

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

/// Writes one night's three reports (`<stem>.{md,json,html}`) and, when no newer night is in `dir`, makes them
/// `latest.*` too. `index.html` is left to [`refresh_index`], so that a run writing several nights rebuilds it once.
/// Returns the files written.
pub fn write_night(
    dir: &Path,
    stem: &str,
    snapshot: i64,
    night: &Night<'_>,
    max_chars: usize,
) -> Result<Vec<PathBuf>, NightlyError> {
    let io_at = |path: &Path| {
        let path = path.to_owned();
        move |error| NightlyError::Io { path, error }
    };
    std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    let newest = reported_snapshots(dir).last().copied();
    let is_latest = newest.is_none_or(|newest| snapshot >= newest);
    let full_report = format!("in `{stem}.json` and `{stem}.html` beside this file");
    let options = RenderOptions {
        max_chars,
        full_report: &full_report,
    };
    let mut written = Vec::new();
    // JSON last: its presence is what marks the night as reported.
    for format in [Format::Markdown, Format::Html, Format::Json] {
        let mut bytes = Vec::new();
        match night {
            Night::Diff(report) => report::render(report, format, &options, &mut bytes),
            Night::First(summary) => report::render_catalog_summary(summary, format, &mut bytes),
        }
        .map_err(io_at(dir))?;
        let mut names = vec![format!("{stem}.{}", format.extension())];
        if is_latest {
            names.push(format!("latest.{}", format.extension()));
        }
        for name in names {
            let path = dir.join(name);
            write_whole(&path, &bytes).map_err(io_at(&path))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Rebuilds `index.html` from the night reports found in `dir`.
pub fn refresh_index(dir: &Path) -> Result<PathBuf, NightlyError> {
    let index = dir.join("index.html");
    let mut page = Vec::new();
    report::render_nights_index(&scan(dir), &mut page).map_err(|error| NightlyError::Io {
        path: index.clone(),
        error,
    })?;
    write_whole(&index, &page).map_err(|error| NightlyError::Io {
        path: index.clone(),
        error,
    })?;
    Ok(index)
}

/// The snapshots that have a report in `dir` (a `<date>-<snapshot>.json` file), in order. The reports directory is
/// the record of what was reported: nothing else is kept anywhere.
pub fn reported_snapshots(dir: &Path) -> Vec<i64> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut ids: Vec<i64> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let (_, snapshot) = parse_stem(name.strip_suffix(".json")?)?;
            Some(snapshot)
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
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
            Some(NightEntry::from_report_json(stem, date, snapshot, &value))
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

/// Checks, before anything is crawled, that reports can be written to `dir`: it is created if needed, and a
/// temporary file is written there and removed. A night whose reports could not be written would otherwise be
/// crawled for nothing.
pub fn check_writable(dir: &Path) -> Result<(), NightlyError> {
    let at = |error| NightlyError::ReportsDir {
        path: dir.to_owned(),
        error,
    };
    std::fs::create_dir_all(dir).map_err(at)?;
    let probe = tempfile::Builder::new()
        .prefix(".trayscope-probe-")
        .tempfile_in(dir)
        .map_err(at)?;
    probe.close().map_err(at)
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
