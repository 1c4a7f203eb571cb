//! A time limit on rendering. Team templates can loop (nested loops over the spec's lists, or
//! `range`) for minutes without recursing or writing a byte, and Tera cannot be interrupted,
//! so in a commit hook a hostile template would simply hang it. The watchdog ends the process
//! with exit code 2 and a message when rendering takes longer than the limit. Rendering happens
//! before anything is written, and writing is a transaction that survives a kill anyway, so
//! ending the process at any moment leaves the output directory recoverable.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long rendering may take: the largest spec renders in well under a second.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(60);

/// Armed until dropped.
#[derive(Debug)]
pub struct Watchdog {
    done: Arc<(Mutex<bool>, Condvar)>,
}

impl Watchdog {
    /// Arms the watchdog for `what` (e.g. "rendering"): the limit is [`DEFAULT_LIMIT`] or
    /// `MLGEN_RENDER_TIMEOUT_SECS`.
    pub fn arm(what: &'static str) -> Self {
        let limit = std::env::var("MLGEN_RENDER_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(DEFAULT_LIMIT, Duration::from_secs_f64);
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let watched = Arc::clone(&done);
        std::thread::spawn(move || {
            let (lock, signal) = &*watched;
            let Ok(guard) = lock.lock() else { return };
            let Ok((finished, _)) = signal.wait_timeout_while(guard, limit, |done| !*done) else {
                return;
            };
            if !*finished {
                eprintln!(
                    "error: {what} took longer than {} s (a team template looping?); stopped. \
                     Nothing was written by this run. Raise the limit with \
                     MLGEN_RENDER_TIMEOUT_SECS if the templates really need it",
                    limit.as_secs_f64()
                );
                std::process::exit(2);
            }
        });
        Self { done }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (lock, signal) = &*self.done;
        if let Ok(mut done) = lock.lock() {
            *done = true;
        }
        signal.notify_all();
    }
}
