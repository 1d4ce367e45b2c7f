//! `obakit serve` (or `mock-orange`) as a child process, for tests that need what only the binary
//! does: https with its certificate reloaded on SIGHUP, the metrics listener, a kill -9.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long a started server may take to answer.
pub const START: Duration = Duration::from_secs(60);

/// A running `obakit serve`; killed when dropped.
pub struct Served {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Served {
    /// `obakit serve --listen 127.0.0.1:PORT` with `args` after, run in `dir`, with `env` set.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::command("serve", dir, args, env)
    }

    /// `obakit mock-orange --listen 127.0.0.1:PORT` with `args` after.
    pub fn mock_orange(dir: &Path, args: &[&str]) -> Self {
        Self::command("mock-orange", dir, args, &[])
    }

    fn command(subcommand: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_obakit"));
        command
            .arg(subcommand)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .current_dir(dir)
            .env(
                "RUST_LOG",
                std::env::var("OBAKIT_TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::null())
            .stderr(if std::env::var_os("OBAKIT_TEST_SHOW_SERVER").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start obakit {subcommand}: {e}"));
        Self { child, port }
    }

    /// Waits until it answers `GET /ping` over http; fails the test after `timeout`.
    pub async fn wait_for_ping(&self, timeout: Duration) {
        let ping = format!("http://127.0.0.1:{}/ping", self.port);
        super::wait_until("the server answers ping", timeout, async || {
            reqwest::get(&ping)
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal by name (`HUP`, `TERM`…) with `kill`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Whether the process has ended.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
