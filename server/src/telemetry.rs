//! Structured logs: a tracing subscriber filtered by `RUST_LOG` (default `info`), written to
//! stderr so that a command's own output on stdout (reports, listings) stays clean.
//!
//! Lines are formatted on the request's thread but written by a thread of their own, so a
//! request never waits for stderr, whose writes cost more than the rest of a small answer
//! (bench/run, ping). That thread wakes on a clock ([`WRITE_EVERY`]) and writes whatever is
//! queued, instead of being woken for each line as tracing-appender's non-blocking writer is: a
//! wake-up per line (a futex call on the request's thread, a context switch to the writer) cost
//! as much again as formatting the line. Nothing is dropped: when the queue is full, logging
//! waits for the writer, and dropping the guard writes what is still queued.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::EnvFilter;

/// Lines queued for the writer thread before logging waits for it.
const QUEUED_LINES: usize = 128_000;

/// How long a line may wait before the writer thread writes it: short enough to read logs as they
/// come, long enough that a busy server's lines are written in batches.
const WRITE_EVERY: Duration = Duration::from_millis(10);

/// Keeps the writer thread alive; dropping it writes the lines still queued, then stops it.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    stop: Arc<AtomicBool>,
    writer: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(writer) = self.writer.take() {
            writer.thread().unpark();
            let _ = writer.join();
        }
    }
}

/// Installs the global subscriber; a second call (tests) is a no-op. Hold the guard until the
/// program ends so the last lines are written.
pub fn init() -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (lines, queue) = sync_channel(QUEUED_LINES);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = std::thread::Builder::new()
        .name("obakit-log".to_owned())
        .spawn({
            let stop = stop.clone();
            move || write_batches(&queue, &stop, &mut std::io::stderr().lock())
        })
        .ok();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Colours only for a terminal: escape codes garble log files, and writing them cost a
        // quarter of the CPU of a small request (bench/run, ping).
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(move || QueuedLine {
            lines: lines.clone(),
        })
        .try_init();
    LogGuard { stop, writer }
}

/// One formatted event, handed to the writer thread (the subscriber writes each event once).
struct QueuedLine {
    lines: SyncSender<Vec<u8>>,
}

impl Write for QueuedLine {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        // Fails only once the writer thread is gone (the program is ending): the line then goes
        // straight to stderr rather than nowhere.
        if let Err(unsent) = self.lines.send(line.to_vec()) {
            std::io::stderr().write_all(&unsent.0)?;
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes what `queue` holds every [`WRITE_EVERY`], until `stop` is set and the queue is empty.
fn write_batches(queue: &Receiver<Vec<u8>>, stop: &AtomicBool, out: &mut impl Write) {
    loop {
        let stopping = stop.load(Ordering::Acquire);
        loop {
            match queue.try_recv() {
                Ok(line) => {
                    let _ = out.write_all(&line);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    let _ = out.flush();
                    return;
                }
            }
        }
        let _ = out.flush();
        if stopping {
            return;
        }
        std::thread::park_timeout(WRITE_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_queued_line_is_written_in_order_before_the_writer_stops() {
        let (lines, queue) = sync_channel(4);
        let stop = Arc::new(AtomicBool::new(false));
        let writer = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let mut out = Vec::new();
                write_batches(&queue, &stop, &mut out);
                out
            }
        });
        // More lines than the queue holds: sending waits for the writer instead of dropping.
        for n in 0..100 {
            lines
                .send(format!("line {n}\n").into_bytes())
                .expect("queued");
        }
        stop.store(true, Ordering::Release);
        writer.thread().unpark();
        let written = String::from_utf8(writer.join().expect("joined")).expect("utf-8");
        let expected: String = (0..100).map(|n| format!("line {n}\n")).collect();
        assert_eq!(written, expected);
    }
}
