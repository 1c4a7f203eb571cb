//! Stage timings for the benchmark: with `MLGEN_TIMINGS=1` in the environment each pipeline
//! stage (parse, validate, model, compile, render, diff/write) prints its wall time to stderr
//! when it ends. Off by default and free when off: one environment lookup per process.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("MLGEN_TIMINGS").is_some_and(|v| v == "1"))
}

/// Times one stage from creation until drop.
pub(crate) struct Stage {
    name: &'static str,
    start: Option<Instant>,
}

/// Starts timing `name`; prints `mlgen timing: <name> <ms> ms` when the guard drops.
pub(crate) fn stage(name: &'static str) -> Stage {
    Stage {
        name,
        start: enabled().then(Instant::now),
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            eprintln!(
                "mlgen timing: {} {:.2} ms",
                self.name,
                start.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
}
