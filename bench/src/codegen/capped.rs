//! A command run under a wall-time and a memory cap, with what it cost: wall time, CPU time of the
//! whole process tree, and the tree's peak resident memory. A runaway `cargo check` is stopped and
//! reported as over the cap instead of hanging the run or taking the machine's memory.

use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// How far a command may go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cap {
    pub(crate) time: Duration,
    pub(crate) bytes: u64,
}

/// How a command ended.
#[derive(Debug)]
pub(crate) enum End {
    Exited(ExitStatus),
    OverTime,
    OverMemory,
}

/// What one capped command cost.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) end: End,
    pub(crate) wall_s: f64,
    /// User + system CPU seconds of the command and every process it waited for (cargo waits for
    /// its rustc); what a killed tree used is not counted.
    pub(crate) cpu_s: f64,
    /// Largest sum of the resident memory of the processes of its group, sampled every 100 ms
    /// (a process that ends sooner may not be sampled at all).
    pub(crate) peak_bytes: u64,
    cap: Cap,
}

impl Run {
    pub(crate) fn succeeded(&self) -> bool {
        matches!(self.end, End::Exited(s) if s.success())
    }

    /// `over the cap (...)` when the command was stopped.
    pub(crate) fn over_cap(&self) -> Option<String> {
        match self.end {
            End::Exited(_) => None,
            End::OverTime => Some(format!(
                "over the cap: stopped after {} s",
                self.cap.time.as_secs()
            )),
            End::OverMemory => Some(format!(
                "over the cap: stopped at {} MB resident after {:.0} s",
                self.cap.bytes / 1_000_000,
                self.wall_s
            )),
        }
    }
}

/// Runs `command` in a process group of its own, its output going to `log`; the group is killed
/// when it runs longer than `cap.time` or its resident memory passes `cap.bytes`.
pub(crate) fn run(mut command: Command, log: &Path, cap: Cap) -> anyhow::Result<Run> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let out = std::fs::File::create(log).with_context(|| format!("{}", log.display()))?;
    let err = out.try_clone()?;
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.stdin(Stdio::null()).stdout(out).stderr(err);
    let cpu_before = children_cpu_s()?;
    let start = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let group = i32::try_from(child.id()).context("process id")?;
    // The caller blocks on the child, so its wall time is exact (a poll would round it up to the
    // poll's period, which is most of a small document's generation); a sampler thread watches
    // memory and time and kills the group when it goes over.
    let done = AtomicBool::new(false);
    let (status, wall_s, peak_bytes, over) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut peak_bytes = 0;
            while !done.load(Ordering::Acquire) {
                peak_bytes = peak_bytes.max(group_rss(group));
                let over = if peak_bytes > cap.bytes {
                    Some(End::OverMemory)
                } else if start.elapsed() > cap.time {
                    Some(End::OverTime)
                } else {
                    None
                };
                if over.is_some() {
                    let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
                    return (peak_bytes, over);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            (peak_bytes, None)
        });
        let status = child.wait();
        let wall_s = start.elapsed().as_secs_f64();
        done.store(true, Ordering::Release);
        let (peak_bytes, over) = sampler.join().unwrap_or((0, None));
        (status, wall_s, peak_bytes, over)
    });
    let end = match over {
        Some(over) => over,
        None => End::Exited(status?),
    };
    Ok(Run {
        end,
        wall_s,
        cpu_s: children_cpu_s()? - cpu_before,
        peak_bytes,
        cap,
    })
}

/// CPU seconds of every child this process has waited for so far (and of their waited children).
fn children_cpu_s() -> anyhow::Result<f64> {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Ok(seconds(usage.user_time()) + seconds(usage.system_time()))
}

/// Sum of the resident memory of the processes in process group `group`, in bytes.
fn group_rss(group: i32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut total = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // After the command name (which may hold spaces): state, ppid, pgrp, ...
        let group_of = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2))
            .and_then(|g| g.parse::<i32>().ok());
        if group_of != Some(group) {
            continue;
        }
        let kb = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .unwrap_or(0);
        total += kb * 1024;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(seconds: u64) -> Cap {
        Cap {
            time: Duration::from_secs(seconds),
            bytes: 1 << 40,
        }
    }

    #[test]
    fn a_command_past_the_time_cap_is_stopped_and_reported_over_the_cap() {
        let log = std::env::temp_dir().join(format!("capped-{}.log", std::process::id()));
        let mut command = Command::new("sh");
        // The child's child must go too: the whole group is stopped.
        command.args(["-c", "sleep 30 & sleep 30"]);
        let run = run(command, &log, cap(1)).unwrap();
        assert!(matches!(run.end, End::OverTime), "{run:?}");
        assert!(run.wall_s < 10.0, "{run:?}");
        assert!(run.over_cap().is_some_and(|c| c.contains("over the cap")));
        let _ = std::fs::remove_file(log);
    }

    #[test]
    fn a_command_within_the_cap_ends_with_its_status() {
        let log = std::env::temp_dir().join(format!("capped-ok-{}.log", std::process::id()));
        let run = run(Command::new("true"), &log, cap(60)).unwrap();
        assert!(run.succeeded(), "{run:?}");
        assert!(run.over_cap().is_none());
        let _ = std::fs::remove_file(log);
    }
}
