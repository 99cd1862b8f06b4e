//! `audit`: check Tray workflow and project exports against a complete snapshot, show the findings, gate CI.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use super::{Outcome, open_existing, write_atomically};
use crate::audit::{self, AuditOptions, FailOn, IgnoreFile, render};
use crate::config::Settings;
use crate::home::Home;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Export files, or directories searched recursively for *.json (hidden entries skipped)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Snapshot to judge against (default: the latest complete one)
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,

    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Lowest severity that fails the gate (exit 1)
    #[arg(long, value_enum, default_value_t = FailOnArg::Error, value_name = "SEVERITY")]
    pub fail_on: FailOnArg,

    /// Ignore file (TOML); default: .trayscope-ignore.toml in the current directory, when present
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,

    /// Write the report to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Also write the connectorMapping array for Tray's project import, moving every outdated, deprecated or
    /// retired pin to the newest version
    #[arg(long, value_name = "FILE")]
    pub emit_connector_mapping: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Note,
    Never,
}

pub fn run_audit(home: &Home, settings: &Settings, args: AuditArgs) -> Result<Outcome> {
    let base = std::env::current_dir().context("reading the current directory")?;
    let ignore = match &args.ignore_file {
        Some(path) => Some(IgnoreFile::load(path, &base)?),
        None => {
            let default = base.join(audit::DEFAULT_IGNORE_FILE);
            if default.is_file() {
                Some(IgnoreFile::load(&default, &base)?)
            } else {
                None
            }
        }
    };
    let mut store = open_existing(home)?;
    let options = AuditOptions {
        paths: args.paths.clone(),
        snapshot: args.snapshot,
        ignore,
        fail_on: match args.fail_on {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Note => FailOn::Note,
            FailOnArg::Never => FailOn::Never,
        },
        today: chrono::Utc::now().date_naive(),
        base_dir: base,
        threads: 0,
        severity_overrides: settings.audit_severity.clone(),
    };
    let started = std::time::Instant::now();
    let report = audit::audit(&mut store, &options).context("auditing Tray exports")?;
    tracing::info!(
        "audited {} files ({} steps) against snapshot {} in {} ms",
        report.files_scanned,
        report.steps_scanned,
        report.snapshot.id,
        started.elapsed().as_millis()
    );
    let format = match args.format {
        FormatArg::Human => render::Format::Human,
        FormatArg::Json => render::Format::Json,
        FormatArg::Sarif => render::Format::Sarif,
        FormatArg::Junit => render::Format::Junit,
        FormatArg::Github => render::Format::Github,
    };
    if let Some(path) = &args.emit_connector_mapping {
        write_atomically(path, |out| render::connector_mapping(&report, out))
            .with_context(|| format!("writing the connector mapping to {}", path.display()))?;
    }
    match &args.out {
        Some(path) => {
            write_atomically(path, |out| {
                render::render(&report, format, render::HumanStyle::default(), out)
            })
            .with_context(|| format!("writing the report to {}", path.display()))?;
        }
        None => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut out = super::stdout();
            render::render(&report, format, render::HumanStyle { color }, &mut out)?;
            out.flush()?;
        }
    }
    Ok(if report.gate_failed() {
        Outcome::GateFailed
    } else {
        Outcome::Success
    })
}
