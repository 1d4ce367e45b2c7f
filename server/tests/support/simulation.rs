//! The simulator pointed at a partner: a run's configuration, and `obakit simulate` as a command
//! with the reference partner's credentials.

use obakit_simulator::simulate::{Credentials, SimulateConfig};

use super::reference;

/// A run against `url` with Basic `user`/`password`, events waited for up to 10 s.
pub fn config(url: &str, user: &str, password: &str) -> SimulateConfig {
    SimulateConfig {
        credentials: Credentials {
            basic: Some((user.into(), password.into())),
            ..Credentials::default()
        },
        event_timeout: std::time::Duration::from_secs(10),
        ..SimulateConfig::new(url)
    }
}

/// Runs `obakit simulate --target URL` with the reference partner's credentials and `extra` flags.
pub async fn simulate_command(url: &str, extra: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_obakit"));
    command
        .args(["simulate", "--quiet", "--target", url])
        .args([
            "--basic-user",
            reference::USER,
            "--basic-password",
            reference::PASSWORD,
        ])
        .args(extra)
        .env_remove("RUST_LOG");
    tokio::task::spawn_blocking(move || command.output().expect("run obakit"))
        .await
        .expect("join")
}
