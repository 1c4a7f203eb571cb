//! Time and memory limits on rendering. Team templates can loop (nested loops over the spec's
//! lists, or `range`) for minutes without recursing or writing a byte, or double a string with
//! `set_global s = s ~ s` until the machine runs out of memory, and Tera can be neither
//! interrupted nor given an allocation budget; in a commit hook or on a shared CI runner a
//! hostile template would hang it or starve its neighbours. The watchdog ends the process with
//! exit code 2 and a message when rendering takes longer than the time limit or the process's
//! resident memory (Linux: `/proc/self/status`, sampled every 20 ms) exceeds the memory limit.
//! Rendering happens before anything is written, and writing is a transaction that survives a
//! kill anyway, so ending the process at any moment leaves the output directory recoverable.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long rendering may take: the largest spec renders in well under a second.
pub(crate) const DEFAULT_LIMIT: Duration = Duration::from_secs(60);

/// Most resident memory while rendering, in MiB: the largest spec needs about 130 MiB. A
/// string that doubles overshoots by at most one doubling before the next sample.
pub(crate) const DEFAULT_MEMORY_MIB: u64 = 1024;

/// How often memory is sampled.
const SAMPLE: Duration = Duration::from_millis(20);

/// Armed until dropped.
#[derive(Debug)]
pub(crate) struct Watchdog {
    done: Arc<(Mutex<bool>, Condvar)>,
}

impl Watchdog {
    /// Arms the watchdog for `what` (e.g. "rendering"): the limit is [`DEFAULT_LIMIT`] or
    /// `MLGEN_RENDER_TIMEOUT_SECS`.
    pub(crate) fn arm(what: &'static str) -> Self {
        let limit = std::env::var("MLGEN_RENDER_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(DEFAULT_LIMIT, Duration::from_secs_f64);
        let memory_mib = std::env::var("MLGEN_RENDER_MEMORY_MIB")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_MEMORY_MIB);
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let watched = Arc::clone(&done);
        std::thread::spawn(move || watch(&watched, what, limit, memory_mib));
        Self { done }
    }
}

fn watch(done: &(Mutex<bool>, Condvar), what: &str, limit: Duration, memory_mib: u64) {
    let started = Instant::now();
    let (lock, signal) = done;
    let Ok(mut finished) = lock.lock() else {
        return;
    };
    loop {
        if *finished {
            return;
        }
        let problem = if started.elapsed() >= limit {
            Some(format!(
                "took longer than {} s (a team template looping?); raise the limit with \
                 MLGEN_RENDER_TIMEOUT_SECS if the templates really need it",
                limit.as_secs_f64()
            ))
        } else {
            resident_mib().filter(|&mib| mib > memory_mib).map(|mib| {
                format!(
                    "used {mib} MiB, more than {memory_mib} MiB (a team template building \
                         a huge string?); raise the limit with MLGEN_RENDER_MEMORY_MIB if the \
                         templates really need it"
                )
            })
        };
        if let Some(problem) = problem {
            eprintln!("error: {what} {problem}. Stopped; nothing was written by this run");
            std::process::exit(2);
        }
        match signal.wait_timeout(finished, SAMPLE) {
            Ok((guard, _)) => finished = guard,
            Err(_) => return,
        }
    }
}

/// The process's resident memory in MiB, where the system tells.
fn resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
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
