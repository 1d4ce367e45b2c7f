//! Structured logs: a tracing subscriber filtered by `RUST_LOG` (default `info`), written to
//! stderr so that a command's own output on stdout (reports, listings) stays clean.
//!
//! Lines are formatted on the request's thread but written by a thread of their own
//! (tracing-appender's non-blocking writer): a request never waits for stderr, whose writes cost
//! more than the rest of a small answer (bench/run, ping). The writer is not lossy: when its queue
//! is full, logging waits rather than dropping lines.

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Lines queued for the writer thread before logging waits for it.
const QUEUED_LINES: usize = 128_000;

/// Keeps the writer thread alive; dropping it writes the lines still queued.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _writer: WorkerGuard,
}

/// Installs the global subscriber; a second call (tests) is a no-op. Hold the guard until the
/// program ends so the last lines are written.
pub fn init() -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("obakit-log")
        .finish(std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Colours only for a terminal: escape codes garble log files, and writing them cost a
        // quarter of the CPU of a small request (bench/run, ping).
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer)
        .try_init();
    LogGuard { _writer: guard }
}
