//! `diff` (two snapshots) and `schema-diff` (two schema files).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;

use super::Context;
use super::args::{HumanOrJson, SunsetArgs};
use super::crawl::open;
use super::nightly::parse_max_chars;
use super::output::{Outcome, emit};
use trayscope::diff::{self, Direction};
use trayscope::report::{self, Format};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Older snapshot [default: the complete snapshot before --to]
    #[arg(long, value_name = "ID")]
    pub from: Option<i64>,

    /// Newer snapshot [default: the latest complete snapshot]
    #[arg(long, value_name = "ID")]
    pub to: Option<i64>,

    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,

    /// The same as --format json (kept for scripts written against earlier releases)
    #[arg(long, hide = true, conflicts_with = "format")]
    pub json: bool,

    /// Write the report to this file instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Exit 1 when a change is breaking (the report is written first)
    #[arg(long)]
    pub fail_on_breaking: bool,

    /// Longest Markdown report, in characters; a longer one is shortened, saying what it left out (0 = no limit)
    /// [default: 60000; or `max_chars` in trayscope.toml]
    #[arg(long, value_name = "N", value_parser = parse_max_chars)]
    pub max_chars: Option<usize>,

    #[command(flatten)]
    pub sunsets: SunsetArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
    Html,
    Human,
}

impl From<DiffFormat> for Format {
    fn from(format: DiffFormat) -> Format {
        match format {
            DiffFormat::Markdown => Format::Markdown,
            DiffFormat::Json => Format::Json,
            DiffFormat::Html => Format::Html,
            DiffFormat::Human => Format::Human,
        }
    }
}

pub fn run_diff(cx: &Context, args: DiffArgs) -> Result<Outcome> {
    let sunsets = args.sunsets.options(cx)?;
    let mut store = open(cx)?;
    let (from, to) = store.snapshot_pair(args.from, args.to)?;
    let report = diff::report_between(
        &mut store,
        from,
        to,
        &cx.settings.severity,
        sunsets.as_ref(),
    )
    .with_context(|| format!("diffing snapshot {from} → {to}"))?;
    let format = if args.json {
        Format::Json
    } else {
        args.format.into()
    };
    let outcome = Outcome::gate(args.fail_on_breaking && report.breaking_changes() > 0);
    let full_report = format!(
        "printed by `trayscope diff --from {from} --to {to} --format html` (or `--format json`)"
    );
    let options = report::RenderOptions {
        max_chars: super::nightly::max_chars(args.max_chars, &cx.settings),
        full_report: &full_report,
    };
    emit(args.out.as_deref(), outcome, |out| {
        report::render(&report, format, &options, out)
    })
}

#[derive(Debug, Args)]
pub struct SchemaDiffArgs {
    /// The old schema (a JSON file)
    pub old: PathBuf,

    /// The new schema (a JSON file)
    pub new: PathBuf,

    /// Which way data flows: input (what a workflow sends) or output (what it reads)
    #[arg(long, value_enum)]
    pub direction: DirectionArg,

    /// Output format
    #[arg(long, value_enum, default_value_t = HumanOrJson::Human)]
    pub format: HumanOrJson,

    /// Write the result to this file instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Exit 1 when a change is breaking
    #[arg(long)]
    pub fail_on_breaking: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DirectionArg {
    Input,
    Output,
}

pub fn run_schema_diff(args: SchemaDiffArgs) -> Result<Outcome> {
    let old = read_schema(&args.old)?;
    let new = read_schema(&args.new)?;
    let direction = match args.direction {
        DirectionArg::Input => Direction::Input,
        DirectionArg::Output => Direction::Output,
    };
    let changes = diff::diff_schemas(&old, &new, direction);
    let outcome = Outcome::gate(args.fail_on_breaking && diff::schema::is_breaking(&changes));
    emit(args.out.as_deref(), outcome, |out| match args.format {
        HumanOrJson::Json => report::render_schema_diff_json(&changes, direction, out),
        HumanOrJson::Human => report::render_schema_diff_human(&changes, direction, out),
    })
}

fn read_schema(path: &Path) -> Result<serde_json::Value> {
    Ok(trayscope::source::read_json_file(
        path,
        trayscope::files::MAX_SCHEMA_FILE_BYTES,
    )?)
}
