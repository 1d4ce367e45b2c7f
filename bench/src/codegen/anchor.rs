//! The generator obakit's is measured against: openapi-generator's `rust-axum` generator (the jar
//! of the `openapi-generator-cli` wheel, which `bench/run` installs at a pinned version), run with
//! the machine's Java, and obakit's own `obakit-codegen` command, each as a user runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use super::capped::{self, Cap, Run};

/// openapi-generator, ready to run.
pub(crate) struct Anchor {
    java: PathBuf,
    jar: PathBuf,
    /// `openapi-generator version`, e.g. `7.26.0`.
    pub(crate) version: String,
}

impl Anchor {
    /// Checks that `java -jar JAR version` answers.
    pub(crate) fn new(java: &Path, jar: &Path) -> anyhow::Result<Self> {
        anyhow::ensure!(
            jar.is_file(),
            "no openapi-generator jar at {} (bench/run installs the openapi-generator-cli wheel)",
            jar.display()
        );
        let output = Command::new(java)
            .arg("-jar")
            .arg(jar)
            .arg("version")
            .output()
            .with_context(|| format!("running {}", java.display()))?;
        anyhow::ensure!(
            output.status.success(),
            "{} -jar {} version failed: {}",
            java.display(),
            jar.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let version = String::from_utf8_lossy(&output.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let java_version = Command::new(java)
            .arg("-version")
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .unwrap_or_default();
        eprintln!(
            "openapi-generator {version} (rust-axum), {}, on {java_version}",
            jar.display()
        );
        Ok(Self {
            java: java.to_path_buf(),
            jar: jar.to_path_buf(),
            version,
        })
    }

    /// The baseline's name in the table.
    pub(crate) fn name(&self) -> String {
        format!("rust-axum {}", self.version)
    }

    /// `openapi-generator generate -g rust-axum` of `document` into a fresh `out`. The spec's
    /// validation is skipped: obakit generates documents with such faults too, and the comparison
    /// is of generation, not of validation.
    pub(crate) fn generate(
        &self,
        document: &Path,
        out: &Path,
        log: &Path,
        cap: Cap,
    ) -> anyhow::Result<Run> {
        fresh(out)?;
        let mut command = Command::new(&self.java);
        command
            .arg("-jar")
            .arg(&self.jar)
            .args(["generate", "-g", "rust-axum", "--skip-validate-spec", "-i"])
            .arg(document)
            .arg("-o")
            .arg(out);
        capped::run(command, log, cap)
    }
}

/// `obakit-codegen generate` of `document` into a fresh `out`.
pub(crate) fn obakit_generate(
    obakit_codegen: &Path,
    document: &Path,
    out: &Path,
    log: &Path,
    cap: Cap,
) -> anyhow::Result<Run> {
    fresh(out)?;
    let mut command = Command::new(obakit_codegen);
    command.arg("generate").arg(document).arg("--out").arg(out);
    capped::run(command, log, cap)
}

fn fresh(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(())
}

/// Why a generator stopped, from its log: the first line that reads as the cause.
pub(crate) fn failure(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let cause = text
        .lines()
        .find(|l| l.contains("exceeds the limit"))
        .or_else(|| {
            text.lines()
                .find(|l| l.contains("Exception") || l.contains("ERROR") || l.starts_with("error"))
        })
        .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("no output");
    // Log lines read `[main] WARN  logger - message`: the message is what matters.
    let cause = cause.split_once(" - ").map_or(cause, |(_, m)| m).trim();
    if cause.chars().count() > 160 {
        format!("{}...", cause.chars().take(160).collect::<String>())
    } else {
        cause.to_owned()
    }
}

/// Lines of Rust under `dir`, and their bytes.
pub(crate) fn rust_size(dir: &Path) -> (usize, u64) {
    let (mut lines, mut bytes) = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let (l, b) = rust_size(&path);
            lines += l;
            bytes += b;
        } else if path.extension().is_some_and(|e| e == "rs")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            lines += text.lines().count();
            bytes += text.len() as u64;
        }
    }
    (lines, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failure_named_is_the_yaml_limit_openapi_generator_logs() {
        let log = std::env::temp_dir().join(format!("anchor-{}.log", std::process::id()));
        std::fs::write(
            &log,
            "[main] WARN  i.s.v.p.util.DeserializationUtils - The incoming YAML document exceeds the limit: 3145728 code points.\n\
             io.swagger.v3.parser.util.DeserializationUtils$SnakeException: ...\n",
        )
        .unwrap();
        assert_eq!(
            failure(&log),
            "The incoming YAML document exceeds the limit: 3145728 code points."
        );
        let _ = std::fs::remove_file(log);
    }
}
