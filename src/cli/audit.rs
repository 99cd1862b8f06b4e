//! `audit`: check Tray workflow and project exports against a complete snapshot, show the findings, gate CI.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};

use super::Context;
use super::crawl::open;
use super::output::{Outcome, Stream, emit, write_file};
use trayscope::audit::{self, AuditOptions, FailOn, IgnoreFile, render};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Export files, or directories searched recursively for *.json (hidden entries skipped)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Snapshot to judge against [default: the latest complete one]
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,

    /// Output format
    #[arg(long, value_enum, default_value_t = AuditFormat::Human)]
    pub format: AuditFormat,

    /// The same as --format json (kept for scripts written against earlier releases)
    #[arg(long, hide = true, conflicts_with = "format")]
    pub json: bool,

    /// Lowest severity that fails the gate (exit 1): error, warning, note (or info), never
    #[arg(long, default_value = "error", value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: FailOn,

    /// Ignore file (TOML) [default: .trayscope-ignore.toml in the current directory, when present]
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,

    /// Deprecation policy (TOML) with announced sunsets [default: `deprecations` in trayscope.toml, else
    /// deprecations.toml in the home, when present]
    #[arg(long, value_name = "FILE")]
    pub deprecations: Option<PathBuf>,

    /// Raise a pin the policy deprecates to error when its sunset is at most DAYS away, so the gate fails before
    /// the day
    #[arg(long, default_value_t = 30, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub sunset_within: u32,

    /// Write the report to FILE instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Also write the connectorMapping array for Tray's project import, moving every outdated, deprecated or
    /// retired pin to the newest version (or to the policy's replacement)
    #[arg(long, value_name = "FILE")]
    pub emit_connector_mapping: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    FailOn::parse(text).ok_or_else(|| {
        format!("{text:?} is not a severity: expected error, warning, note (or info) or never")
    })
}

pub fn run_audit(cx: &Context, args: AuditArgs) -> Result<Outcome> {
    let base = std::env::current_dir().context("reading the current directory")?;
    let ignore = IgnoreFile::find(args.ignore_file.as_deref(), &base)?;
    let policy = cx.policy(args.deprecations.as_deref())?;
    let mut store = open(cx)?;
    let options = AuditOptions {
        paths: args.paths.clone(),
        snapshot: args.snapshot,
        ignore,
        policy,
        sunset_within: i64::from(args.sunset_within),
        fail_on: args.fail_on,
        today: cx.today,
        base_dir: base,
        threads: 0,
        severity_overrides: cx.settings.severity.clone(),
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
    if let Some(path) = &args.emit_connector_mapping {
        write_file(path, |out| render::connector_mapping(&report, out))
            .with_context(|| format!("writing the connector mapping to {}", path.display()))?;
    }
    let format = match (args.json, args.format) {
        (true, _) | (_, AuditFormat::Json) => render::Format::Json,
        (_, AuditFormat::Human) => render::Format::Human,
        (_, AuditFormat::Sarif) => render::Format::Sarif,
        (_, AuditFormat::Junit) => render::Format::Junit,
        (_, AuditFormat::Github) => render::Format::Github,
    };
    let style = render::HumanStyle {
        color: args.out.is_none() && cx.color.enabled(Stream::Stdout),
    };
    emit(
        args.out.as_deref(),
        Outcome::gate(report.gate_failed()),
        |out| render::render(&report, format, style, out),
    )
}
