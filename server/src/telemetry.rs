//! Structured logs: a tracing subscriber filtered by `RUST_LOG` (default `info`), written to
//! stderr so that a command's own output on stdout (reports, listings) stays clean.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; a second call (tests) is a no-op.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Colours only for a terminal: escape codes garble log files, and writing them cost a
        // quarter of the CPU of a small request (bench/run, ping).
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
