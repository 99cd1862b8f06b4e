//! `report`: (re)write the nightly reports of one snapshot, or of all, from the store — after a crash, after `prune`,
//! after an upgrade that changes the templates. The same code path as `nightly` ([`trayscope::nightly::write_reports`]).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Context;
use super::args::{FormatArgs, HumanOrJson, SunsetArgs};
use super::crawl::{json_line, open};
use super::nightly::{max_chars, parse_max_chars, reports_dir};
use super::output::{Outcome, emit};
use trayscope::nightly::{self, ReportOptions, Which};
use trayscope::report;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The complete snapshot to report [default: every complete snapshot newer than the newest one already reported
    /// in the directory, or the latest when it holds none]
    #[arg(long, value_name = "ID", conflicts_with = "all")]
    pub snapshot: Option<i64>,

    /// Every complete snapshot in the catalog
    #[arg(long)]
    pub all: bool,

    /// Directory for the reports [default: reports; or `reports_dir` in trayscope.toml, TRAYSCOPE_REPORTS]
    #[arg(long, value_name = "DIR")]
    pub reports: Option<PathBuf>,

    /// Longest Markdown report, in characters; a longer one is shortened, saying what it left out (0 = no limit)
    /// [default: 60000; or `max_chars` in trayscope.toml]
    #[arg(long, value_name = "N", value_parser = parse_max_chars)]
    pub max_chars: Option<usize>,

    #[command(flatten)]
    pub sunsets: SunsetArgs,

    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run_report(cx: &Context, args: ReportArgs) -> Result<Outcome> {
    let sunsets = args.sunsets.options(cx)?;
    let mut store = open(cx)?;
    let options = ReportOptions {
        dir: reports_dir(args.reports.clone(), &cx.settings),
        severity: cx.settings.severity.clone(),
        max_chars: max_chars(args.max_chars, &cx.settings),
        sunsets,
    };
    let which = match (args.snapshot, args.all) {
        (Some(id), _) => Which::One(id),
        (None, true) => Which::All,
        (None, false) => Which::Pending,
    };
    let nights = nightly::write_reports(&mut store, &options, which)?;
    emit(None, Outcome::Success, |out| match args.format.get() {
        HumanOrJson::Json => {
            let rows: Vec<serde_json::Value> = nights
                .iter()
                .map(|n| {
                    serde_json::json!({
                        "snapshot": n.snapshot,
                        "from": n.from,
                        "breaking": n.breaking,
                        "breaking_changes": n.breaking_changes,
                        "files": n.files,
                    })
                })
                .collect();
            json_line(out, &rows)
        }
        HumanOrJson::Human => {
            for night in &nights {
                writeln!(
                    out,
                    "snapshot {}: {} → {}",
                    night.snapshot,
                    match night.from {
                        Some(from) => format!(
                            "compared with snapshot {from}: {}",
                            report::plural(night.breaking_changes, "breaking change")
                        ),
                        None => "catalog summary".to_owned(),
                    },
                    night.html_report.display()
                )?;
            }
            writeln!(
                out,
                "{} written to {}; index.html rebuilt",
                report::plural(nights.len() as u64, "snapshot report"),
                options.dir.display()
            )
        }
    })
}
