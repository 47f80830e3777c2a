//! How far long work has got: a bar on a terminal (indicatif), plain log lines elsewhere (a
//! service's log, a test's output), never both. Loading plugins on a cold compile cache,
//! pulling or pushing a package, an eval, a backup or a restore each show one.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Work of `total` steps (or bytes), named `what`.
pub struct Progress {
    what: String,
    total: u64,
    done: u64,
    bar: Option<ProgressBar>,
    started: Instant,
    /// When a log line last said how far it got (at most one every few seconds).
    logged: Instant,
}

/// Between two log lines of the same work.
const LOG_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// `total` steps of `what` ("loading plugins"); 0 if unknown (a spinner).
    pub fn steps(what: &str, total: u64) -> Progress {
        Progress::start(what, total, "{msg:>20} [{bar:30}] {pos}/{len} {wide_msg:.dim}")
    }

    /// `total` bytes of `what` ("pulling …"); 0 if unknown.
    pub fn bytes(what: &str, total: u64) -> Progress {
        Progress::start(what, total, "{msg:>20} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
    }

    fn start(what: &str, total: u64, template: &str) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = if total == 0 { ProgressBar::new_spinner() } else { ProgressBar::new(total) };
            let style = match total {
                0 => ProgressStyle::with_template("{spinner} {msg} {elapsed}"),
                _ => ProgressStyle::with_template(template),
            };
            bar.set_style(
                style.unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "),
            );
            bar.set_message(what.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if bar.is_none() {
            match total {
                0 => tracing::info!("{what}"),
                _ => tracing::info!("{what}: 0 of {total}"),
            }
        }
        let now = Instant::now();
        Progress { what: what.to_owned(), total, done: 0, bar, started: now, logged: now }
    }

    /// `n` more done, the last on `item` (a plugin's name, a question).
    pub fn advance(&mut self, n: u64, item: &str) {
        self.done += n;
        match &self.bar {
            Some(bar) => {
                bar.inc(n);
                bar.set_message(format!("{} {item}", self.what));
            }
            None if self.logged.elapsed() >= LOG_EVERY => {
                self.logged = Instant::now();
                tracing::info!("{}: {} of {} ({item})", self.what, self.done, self.total);
            }
            None => {}
        }
    }

    /// Done: the bar is cleared and one line says so, with how long it took.
    pub fn finish(self, summary: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let took = self.started.elapsed().as_secs_f64();
        tracing::info!("{}: {summary} in {took:.1} s", self.what);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
