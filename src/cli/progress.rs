//! The crawl's progress on a terminal: a spinner while the catalog is listed, then a bar of connector versions with
//! a whole-number rate and an ETA. Nothing at all when stderr is not a terminal or with `-q`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use trayscope::crawl::{Progress, Silent};

/// The progress a crawl should show on this stderr.
pub fn for_stderr(quiet: bool) -> Box<dyn Progress> {
    if quiet || !std::io::stderr().is_terminal() {
        Box::new(Silent)
    } else {
        Box::new(Bar::new())
    }
}

struct Bar(ProgressBar);

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        // Until the listing is in there is no total: a spinner, not "0/0 ETA 0s".
        bar.set_style(
            ProgressStyle::with_template("{spinner} listing the catalog… {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }
}

/// `24.5/s`: one decimal, never tantivy-style `24.4873/s`.
fn rate(state: &ProgressState, out: &mut dyn std::fmt::Write) {
    let _ = write!(out, "{:.1}/s", state.per_sec());
}

impl Progress for Bar {
    fn listed(&self, total: u64) {
        self.0.set_length(total);
        self.0.set_style(
            ProgressStyle::with_template(
                "{spinner} crawling [{bar:30}] {pos}/{len} versions  {rate}  ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", rate)
            .progress_chars("=> "),
        );
    }
    fn fetched(&self, _connector: &str, _version: &str) {
        self.0.inc(1);
    }
    fn finished(&self) {
        self.0.finish_and_clear();
    }
}
