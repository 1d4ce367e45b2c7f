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
            move || write_batches(&queue, &stop, || std::io::stderr().lock())
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
/// `open` gives the output for one batch: stderr is locked only while a batch is written, so
/// that the program's own `eprintln!`s between batches never wait for this thread.
fn write_batches<W: Write>(
    queue: &Receiver<Vec<u8>>,
    stop: &AtomicBool,
    mut open: impl FnMut() -> W,
) {
    loop {
        let stopping = stop.load(Ordering::Acquire);
        let mut disconnected = false;
        if let Ok(first) = queue.try_recv() {
            let mut out = open();
            let _ = out.write_all(&first);
            loop {
                match queue.try_recv() {
                    Ok(line) => {
                        let _ = out.write_all(&line);
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        disconnected = true;
                        break;
                    }
                }
            }
            let _ = out.flush();
        }
        if stopping || disconnected {
            return;
        }
        std::thread::park_timeout(WRITE_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One batch appended to a shared buffer, as stderr's lock appends to stderr.
    struct Batch<'a>(&'a std::cell::RefCell<Vec<u8>>);

    impl Write for Batch<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_queued_line_is_written_in_order_before_the_writer_stops() {
        let (lines, queue) = sync_channel(4);
        let stop = Arc::new(AtomicBool::new(false));
        let writer = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let out = std::cell::RefCell::new(Vec::new());
                write_batches(&queue, &stop, || Batch(&out));
                out.into_inner()
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

    #[test]
    fn the_output_is_free_between_batches_for_the_programs_own_writes() {
        let stderr = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (lines, queue) = sync_channel(4);
        let stop = Arc::new(AtomicBool::new(false));
        let writer = std::thread::spawn({
            let (stop, stderr) = (stop.clone(), stderr.clone());
            move || {
                write_batches(&queue, &stop, || {
                    Locked(stderr.lock().expect("not poisoned"))
                })
            }
        });
        lines.send(b"queued\n".to_vec()).expect("queued");
        // An `eprintln!` between batches: it must get the output, not wait for the writer's end.
        let hang_guard = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut out) = stderr.try_lock()
                && out.as_slice() == b"queued\n"
            {
                out.extend_from_slice(b"direct\n");
                break;
            }
            assert!(
                std::time::Instant::now() < hang_guard,
                "stderr stayed locked"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        stop.store(true, Ordering::Release);
        writer.thread().unpark();
        writer.join().expect("joined");
        assert_eq!(
            stderr.lock().expect("not poisoned").as_slice(),
            b"queued\ndirect\n"
        );
    }

    struct Locked<'a>(std::sync::MutexGuard<'a, Vec<u8>>);

    impl Write for Locked<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
