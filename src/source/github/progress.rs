//! The progress bar on stderr: repositories resolved and listed of the total, requests sent,
//! rate-limit pauses. The blob batches that follow the listings are not counted in the bar.

use super::stats::Stats;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

/// A progress bar that draws only when enabled and stderr is a terminal.
// NOTE: log lines (warnings, -v request logs) are written past the bar rather than through
// `ProgressBar::suspend`, so each one can leave a copy of the bar above it.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(enabled: bool, total: usize, stats: Arc<Stats>) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let template = "{spinner} reading GitHub repositories {pos}/{len} [{bar:30}] {requests}";
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            // The counters are read at every redraw, so they move between repositories too.
            .with_key(
                "requests",
                move |_: &ProgressState, writer: &mut dyn std::fmt::Write| {
                    let counters = stats.snapshot();
                    let _ = write!(
                        writer,
                        "{} requests, {} rate-limit pauses",
                        counters.requests(),
                        counters.rate_limit_pauses
                    );
                },
            )
            .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    /// Marks `count` repositories as resolved and listed.
    pub fn advance(&self, count: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(count as u64);
        }
    }

    /// Removes the bar, so that the report and later messages start on a clean line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
