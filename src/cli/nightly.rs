//! `nightly`: the cron job. The job itself is [`trayscope::nightly::run`]; this parses its flags and shows the
//! outcome: one summary line on stderr (for cron logs; `-q` drops it), and with `--format json` an object on stdout.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::args::{FormatArgs, HumanOrJson, SourceArgs, SunsetArgs};
use super::crawl::{json_line, report_index_update};
use super::output::{self, Outcome, emit};
use super::{Context, progress};
use trayscope::nightly::{self, NightlyOptions};
use trayscope::report;

#[derive(Debug, Args)]
pub struct NightlyArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Directory for the reports [default: reports; or `reports_dir` in trayscope.toml, TRAYSCOPE_REPORTS]
    #[arg(long, value_name = "DIR")]
    pub reports: Option<PathBuf>,

    /// How long to wait for another run to release the lock (e.g. 30s, 10m; at most 7d); 0 = fail at once
    #[arg(long, default_value = "0", value_name = "DURATION", value_parser = parse_wait)]
    pub wait: std::time::Duration,

    /// Exit 1 when the night has breaking changes (the reports are written first)
    #[arg(long)]
    pub fail_on_breaking: bool,

    /// Longest Markdown report, in characters; a longer one is shortened, saying what it left out (0 = no limit)
    /// [default: 60000; or `max_chars` in trayscope.toml]
    #[arg(long, value_name = "N", value_parser = parse_max_chars)]
    pub max_chars: Option<usize>,

    #[command(flatten)]
    pub sunsets: SunsetArgs,

    #[command(flatten)]
    pub format: FormatArgs,
}

/// The longest `--wait` accepted: a lock held for a week is a stuck run, not one to wait for.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

/// The reports directory: the flag, then `reports_dir` in the settings (or TRAYSCOPE_REPORTS), then `reports`.
pub fn reports_dir(flag: Option<PathBuf>, settings: &trayscope::config::Settings) -> PathBuf {
    flag.or_else(|| settings.reports_dir.clone())
        .unwrap_or_else(|| PathBuf::from("reports"))
}

/// The Markdown budget: the flag, then `max_chars` in the settings, then the default.
pub fn max_chars(flag: Option<usize>, settings: &trayscope::config::Settings) -> usize {
    flag.or(settings.max_chars)
        .unwrap_or(report::DEFAULT_MAX_CHARS)
}

/// `--max-chars`: 0 (no limit), or room for at least the headline and section headings.
pub fn parse_max_chars(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n == 0 || n >= 2_000 => Ok(n),
        _ => Err(format!(
            "{text:?} is not a budget: expected 0 (no limit) or at least 2000 characters"
        )),
    }
}

fn parse_wait(text: &str) -> Result<std::time::Duration, String> {
    let wait = trayscope::config::parse_duration(text)?;
    if wait > MAX_WAIT {
        return Err(format!("{text:?} is longer than the 7d this waits at most"));
    }
    Ok(wait)
}

pub fn run_nightly(cx: &Context, args: NightlyArgs) -> Result<Outcome> {
    // Before anything else: a policy that cannot be used stops the night before the crawl (exit 2), as an
    // unwritable reports directory does, rather than crawl a night whose reports would leave its sunsets out.
    let sunsets = args.sunsets.options(cx)?;
    let progress = progress::for_stderr(cx.quiet);
    let options = NightlyOptions {
        source: args.source.source(&cx.settings)?,
        crawl: args.source.crawl_options(&cx.settings),
        reports: reports_dir(args.reports.clone(), &cx.settings),
        wait: args.wait,
        severity: cx.settings.severity.clone(),
        max_chars: max_chars(args.max_chars, &cx.settings),
        sunsets,
        progress: progress.as_ref(),
    };
    let night = nightly::run(&cx.home, &options)?;
    report_index_update(cx, &night.index);
    output::status(
        cx.quiet,
        &report::describe_night(&night.crawl, &night.nights),
    );
    let tonight = night.tonight();
    let breaking_changes = tonight.map_or(0, |n| n.breaking_changes);
    let outcome = Outcome::gate(args.fail_on_breaking && breaking_changes > 0);
    match args.format.get() {
        HumanOrJson::Json => {
            let files: Vec<String> = night
                .nights
                .iter()
                .flat_map(|n| &n.files)
                .map(|p| p.display().to_string())
                .collect();
            let reported: Vec<i64> = night.nights.iter().map(|n| n.snapshot).collect();
            let body = serde_json::json!({
                "snapshot": night.crawl.snapshot,
                "from": tonight.and_then(|n| n.from),
                "breaking": tonight.map_or(0, |n| n.breaking),
                "breaking_changes": breaking_changes,
                "crawl": night.crawl,
                "reported": reported,
                "reports": files,
            });
            emit(None, outcome, |out| json_line(out, &body))
        }
        HumanOrJson::Human => Ok(outcome),
    }
}
