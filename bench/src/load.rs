//! Load from a second process: `oha` or `wrk` for throughput (closed loop, fixed connections and
//! duration), and a timed client for heavy single requests (whole body read before the clock
//! stops).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;

/// The HTTP load generator found on this machine.
#[derive(Debug, Clone)]
pub(crate) enum Tool {
    Oha(PathBuf),
    Wrk(PathBuf),
}

impl Tool {
    /// `oha` if present, else `wrk`; `prefer` (`oha` or `wrk`) picks one when both are there.
    pub(crate) fn find(prefer: Option<&str>) -> anyhow::Result<Self> {
        let oha = which("oha").map(Tool::Oha);
        let wrk = which("wrk").map(Tool::Wrk);
        let found = match prefer {
            Some("wrk") => wrk.or(oha),
            _ => oha.or(wrk),
        };
        found.ok_or_else(|| {
            anyhow::anyhow!(
                "neither oha nor wrk is installed: run bench/run (it installs one), \
                 or `cargo install oha --locked`, or `apt-get install -y wrk`"
            )
        })
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Oha(_) => "oha",
            Self::Wrk(_) => "wrk",
        }
    }

    /// Closed-loop load: `connections` connections for `duration`, on `cpu` if given.
    pub(crate) fn throughput(
        &self,
        url: &str,
        headers: &[(String, String)],
        connections: usize,
        duration: Duration,
        cpu: Option<usize>,
    ) -> anyhow::Result<Throughput> {
        let secs = duration.as_secs().max(1);
        match self {
            Self::Oha(path) => {
                let mut command = crate::procs::pinned(cpu, path);
                command
                    .arg("-z")
                    .arg(format!("{secs}s"))
                    .arg("-c")
                    .arg(connections.to_string())
                    .arg("--no-tui")
                    .arg("--output-format")
                    .arg("json");
                for (name, value) in headers {
                    command.arg("-H").arg(format!("{name}: {value}"));
                }
                command.arg(url);
                let out = run(&mut command)?;
                parse_oha(&out)
            }
            Self::Wrk(path) => {
                let mut command = crate::procs::pinned(cpu, path);
                command
                    .arg("-t1")
                    .arg("-c")
                    .arg(connections.to_string())
                    .arg("-d")
                    .arg(format!("{secs}s"))
                    .arg("--latency");
                for (name, value) in headers {
                    command.arg("-H").arg(format!("{name}: {value}"));
                }
                command.arg(url);
                let out = run(&mut command)?;
                parse_wrk(&out)
            }
        }
    }
}

/// What a throughput run measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Throughput {
    pub(crate) rps: f64,
    pub(crate) p99_ms: f64,
    /// Answers other than 2xx, plus connection errors.
    pub(crate) errors: u64,
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn run(command: &mut Command) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn parse_oha(out: &str) -> anyhow::Result<Throughput> {
    let json: serde_json::Value =
        serde_json::from_str(out).with_context(|| format!("oha output: {out}"))?;
    let rps = json["summary"]["requestsPerSec"]
        .as_f64()
        .ok_or_else(|| anyhow::anyhow!("no requestsPerSec in oha output"))?;
    let p99_ms = json["latencyPercentiles"]["p99"]
        .as_f64()
        .unwrap_or(f64::NAN)
        * 1000.0;
    let mut errors = 0;
    if let Some(codes) = json["statusCodeDistribution"].as_object() {
        for (code, n) in codes {
            if !code.starts_with('2') {
                errors += n.as_u64().unwrap_or(0);
            }
        }
    }
    if let Some(kinds) = json["errorDistribution"].as_object() {
        for (kind, n) in kinds {
            // Requests cut by the end of the run are not errors of the server.
            if !kind.contains("deadline") {
                errors += n.as_u64().unwrap_or(0);
            }
        }
    }
    Ok(Throughput {
        rps,
        p99_ms,
        errors,
    })
}

fn parse_wrk(out: &str) -> anyhow::Result<Throughput> {
    let mut rps = None;
    let mut p99_ms = f64::NAN;
    let mut errors = 0;
    for line in out.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            rps = rest.trim().parse::<f64>().ok();
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99_ms = wrk_duration_ms(rest.trim()).unwrap_or(f64::NAN);
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += rest.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            errors += rest
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1))
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Ok(Throughput {
        rps: rps.ok_or_else(|| anyhow::anyhow!("no Requests/sec in wrk output: {out}"))?,
        p99_ms,
        errors,
    })
}

fn wrk_duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// A client for the partner server with its credentials.
#[derive(Clone)]
pub(crate) struct Partner {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    pub(crate) user: String,
    pub(crate) password: String,
}

/// One timed request: status, body, and the time until the last byte.
pub(crate) struct Timed {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: bytes::Bytes,
    pub(crate) ms: f64,
}

impl Partner {
    pub(crate) fn new(base: &str, user: &str, password: &str) -> anyhow::Result<Self> {
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(600))
                .build()?,
            user: user.to_owned(),
            password: password.to_owned(),
        })
    }

    /// The `authorization` header the load tools send.
    pub(crate) fn auth_header(&self) -> (String, String) {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.user, self.password));
        ("authorization".to_owned(), format!("Basic {encoded}"))
    }

    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<Timed> {
        let start = Instant::now();
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .send()
            .await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await?;
        Ok(Timed {
            status,
            content_type,
            body,
            ms: crate::baseline::millis(start.elapsed()),
        })
    }

    pub(crate) async fn post_json(&self, path: &str, body: Vec<u8>) -> anyhow::Result<Timed> {
        let start = Instant::now();
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await?;
        Ok(Timed {
            status,
            content_type,
            body,
            ms: crate::baseline::millis(start.elapsed()),
        })
    }
}
