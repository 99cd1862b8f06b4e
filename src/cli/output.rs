//! Where output goes: stdout (buffered) or a file written whole, logs on stderr, colour only where it belongs, and
//! a closed pipe handled the same way by every command.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context as _, Result};

/// What a command concluded, mapped to the exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: a gate found something.
    GateFailed,
}

impl Outcome {
    /// `GateFailed` when `failed`.
    pub fn gate(failed: bool) -> Outcome {
        if failed {
            Outcome::GateFailed
        } else {
            Outcome::Success
        }
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Which stream a colour decision is for.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl ColorChoice {
    /// Whether to use ANSI colour and bold on `stream`: `always`, `never`, or with `auto` only when the stream is a
    /// terminal and `NO_COLOR` is unset (or empty). The one place that decides it.
    pub fn enabled(self, stream: Stream) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                let terminal = match stream {
                    Stream::Stdout => io::stdout().is_terminal(),
                    Stream::Stderr => io::stderr().is_terminal(),
                };
                terminal && !no_color
            }
        }
    }
}

/// Logs go to stderr, with colour only when [`ColorChoice::enabled`] says so; `-q` leaves only errors. A routine
/// event is INFO (shown with `-v`), a problem the user should act on WARN. `TRAYSCOPE_LOG` (a tracing filter)
/// overrides the level.
pub fn init_logging(verbose: u8, quiet: bool, color: ColorChoice) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    // Only our own crate logs at the chosen level: dependency internals stay at warn.
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRAYSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("warn,trayscope={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(color.enabled(Stream::Stderr))
        .with_target(false)
        .try_init();
}

/// A status line on stderr (a crawl's or a night's summary), unless `-q`. Printed whether or not stderr is a
/// terminal: cron logs need it.
pub fn status(quiet: bool, line: &str) {
    if !quiet {
        eprintln!("{line}");
    }
}

/// A warning on stderr that does not change the exit code, unless `-q`.
pub fn warn(quiet: bool, line: &str) {
    if !quiet {
        eprintln!("warning: {line}");
    }
}

/// Writes what `render` produces to `path` (whole or not at all: rendered in memory, then a temporary file renamed
/// into place) or, without a path, to stdout. If stdout is closed early (`trayscope … | head`), the command ends
/// with `outcome` all the same: a gate's verdict never turns into success because its reader stopped listening.
pub fn emit(
    path: Option<&Path>,
    outcome: Outcome,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Outcome> {
    match path {
        Some(path) => {
            write_file(path, render).with_context(|| format!("writing {}", path.display()))?;
            Ok(outcome)
        }
        None => {
            let mut out = io::BufWriter::with_capacity(64 << 10, io::stdout().lock());
            match render(&mut out).and_then(|()| out.flush()) {
                Ok(()) => Ok(outcome),
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                    // Nothing more can be written; dropping the buffer must not try again.
                    std::mem::forget(out);
                    Ok(outcome)
                }
                Err(error) => Err(error).context("writing to stdout"),
            }
        }
    }
}

/// Renders into memory, then writes `path` whole (its directory is created if needed).
pub fn write_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let mut bytes = Vec::new();
    render(&mut bytes)?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    trayscope::nightly::write_whole(path, &bytes)?;
    Ok(())
}

/// `trayscope man-pages DIR`: `trayscope.1` and `trayscope-<command>.1`, generated from the same definitions as
/// `--help`.
pub fn write_man_pages(dir: &Path) -> Result<Outcome> {
    let command = <super::Cli as clap::CommandFactory>::command();
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut pages = vec![("trayscope".to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        // clap names are `&'static str`; this command runs once and exits.
        let name: &'static str =
            Box::leak(format!("trayscope-{}", sub.get_name()).into_boxed_str());
        pages.push((name.to_owned(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        write_file(&path, |out| clap_mangen::Man::new(page).render(out))?;
    }
    Ok(Outcome::Success)
}
