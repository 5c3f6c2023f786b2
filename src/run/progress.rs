//! Rendering progress: a bar on a terminal, else a plain line every few seconds (CI logs).

use std::time::{Duration, Instant};

/// Documents rendered so far, shown as they finish.
pub(super) struct Progress {
    /// Whether to show anything at all (not with `--quiet`, nor for a library caller).
    show: bool,
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: std::sync::atomic::AtomicUsize,
    last_line: std::sync::Mutex<Instant>,
}

impl Progress {
    pub(super) fn new(total: usize, show: bool) -> Progress {
        use std::io::IsTerminal;
        let bar = (show && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} documents, {eta} left",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix("ksp: rendering");
            bar
        });
        Progress {
            show,
            bar,
            total,
            done: 0.into(),
            last_line: std::sync::Mutex::new(Instant::now()),
        }
    }

    pub(super) fn add(&self, n: usize) {
        let done = self.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        match &self.bar {
            Some(bar) => bar.set_position(done as u64),
            None if self.show => {
                let mut last = self.last_line.lock().expect("not poisoned");
                if last.elapsed() >= Duration::from_secs(2) && done < self.total {
                    eprintln!("ksp: rendered {done} of {} documents", self.total);
                    *last = Instant::now();
                }
            }
            None => {}
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
