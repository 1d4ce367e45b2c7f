//! What the corpus and golden tests share: compiling generated code the way a user's crate compiles it.
//!
//! Generated code names its types `crate::<module>::types::X`, so each generated `api.rs` is included at
//! the root of its own small crate. That crate depends on `obakit-runtime` by path (the runtime generated
//! code calls, `::obakit_runtime`) and on every crate `obakit-runtime` itself depends on, with the workspace's
//! versions and features (poem, poem-openapi, reqwest, serde, serde_json, chrono, ...), and denies
//! warnings. The crates of one test form one scratch cargo workspace, checked by one `cargo check`
//! invocation, with a copy of the workspace's `Cargo.lock` (same versions, `--offline` works) and a
//! target folder that outlives the run (`target/corpus/target`), so that reruns are incremental.
//!
//! `cargo check` rather than `cargo build`: the crates are libraries whose only generic code (the
//! server wrappers) is not instantiated, so code generation would prove nothing more, and checking
//! takes about half the time. `OBAKIT_COMPILE_MODE=build` builds instead.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The obakit workspace root (a virtual manifest).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

/// `<target>/corpus`: the scratch workspaces and their shared target folder.
pub(crate) fn scratch_root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the test scratch folder is inside the target folder")
        .join("corpus")
}

/// True when the tests run in CI, where a missing input is a failure rather than a skip.
pub(crate) fn in_ci() -> bool {
    std::env::var_os("OBAKIT_CI").is_some_and(|v| !v.is_empty())
}

/// Writes to the test's real stderr, past libtest's output capture, so reports show in CI logs.
pub(crate) fn report(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// One crate of a scratch workspace.
pub(crate) struct ScratchCrate {
    /// Package name, also its folder name.
    pub(crate) name: String,
    /// The content of `src/lib.rs`.
    pub(crate) lib_rs: String,
    /// Generator output written under `src/generated/`, when the crate compiles a fresh generation.
    pub(crate) generated: Option<obakit_codegen::Files>,
}

impl ScratchCrate {
    /// A crate whose root is the generated `api.rs` at `api_rs` (absolute, or relative to `src/`),
    /// with every warning an error.
    pub(crate) fn including(
        name: &str,
        api_rs: &str,
        generated: Option<obakit_codegen::Files>,
    ) -> Self {
        let api_rs = toml::Value::String(api_rs.to_owned()).to_string();
        Self {
            name: name.to_owned(),
            lib_rs: format!(
                "//! Written by obakit-codegen's tests: generated code compiled as a user's crate would.\n\
                 #![deny(warnings)]\n\
                 include!({api_rs});\n"
            ),
            generated,
        }
    }
}

/// What one `cargo check` of a scratch workspace found.
pub(crate) struct CompileReport {
    /// Per crate: compiled without a diagnostic, or the rendered diagnostics.
    pub(crate) results: BTreeMap<String, Result<(), String>>,
    pub(crate) elapsed: Duration,
    /// cargo's own messages (progress, and why it stopped when it failed).
    pub(crate) cargo_stderr: String,
    pub(crate) command: String,
}

impl CompileReport {
    pub(crate) fn failures(&self) -> Vec<String> {
        self.results
            .iter()
            .filter_map(|(name, r)| r.as_ref().err().map(|e| format!("── {name}\n{e}")))
            .collect()
    }
}

/// Writes the crates as the scratch workspace `<target>/corpus/<workspace>` and checks them all with one
/// cargo invocation (`--keep-going`: one failing crate does not hide the others).
pub(crate) fn compile(workspace: &str, crates: &[ScratchCrate]) -> CompileReport {
    let ws = scratch_root().join(workspace);
    std::fs::create_dir_all(&ws).expect("scratch workspace folder");
    write_workspace(&ws, crates);
    let target = scratch_root().join("target");
    let mode = match std::env::var("OBAKIT_COMPILE_MODE").as_deref() {
        Ok("build") => "build",
        _ => "check",
    };
    let start = Instant::now();
    let run = |offline: bool| {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&ws).env("CARGO_TARGET_DIR", &target).args([
            mode,
            "--workspace",
            "--keep-going",
            "--message-format=json",
        ]);
        if offline {
            cmd.arg("--offline");
        }
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run cargo for {}: {e}", ws.display()));
        let command = format!(
            "cd {} && CARGO_TARGET_DIR={} cargo {mode} --workspace --keep-going{}",
            ws.display(),
            target.display(),
            if offline { " --offline" } else { "" }
        );
        (output, command)
    };
    let (mut output, mut command) = run(true);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success()
        && !stdout_has_artifacts(&output.stdout)
        && stderr.contains("offline")
    {
        // A dependency the workspace's own build did not need is not in the local registry cache yet.
        (output, command) = run(false);
    }
    let elapsed = start.elapsed();
    let cargo_stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let names: BTreeSet<&str> = crates.iter().map(|c| c.name.as_str()).collect();
    let mut diagnostics: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut compiled: BTreeSet<String> = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(name) = msg["manifest_path"]
            .as_str()
            .and_then(|p| Path::new(p).parent())
            .filter(|dir| dir.parent() == Some(ws.as_path()))
            .and_then(|dir| dir.file_name())
            .and_then(|n| n.to_str())
            .filter(|n| names.contains(n))
        else {
            continue;
        };
        match msg["reason"].as_str() {
            Some("compiler-artifact") => {
                compiled.insert(name.to_owned());
            }
            Some("compiler-message") => {
                let level = msg["message"]["level"].as_str().unwrap_or("");
                if matches!(
                    level,
                    "error" | "warning" | "error: internal compiler error"
                ) {
                    let rendered = msg["message"]["rendered"].as_str().unwrap_or("");
                    diagnostics
                        .entry(name.to_owned())
                        .or_default()
                        .push(rendered.to_owned());
                }
            }
            _ => {}
        }
    }
    let results = crates
        .iter()
        .map(|c| {
            let result = match diagnostics.remove(&c.name) {
                Some(d) => Err(d.join("")),
                None if compiled.contains(&c.name) => Ok(()),
                None => Err(format!(
                    "cargo did not compile this crate; its output ends with:\n{}",
                    tail(&cargo_stderr, 40)
                )),
            };
            (c.name.clone(), result)
        })
        .collect();
    CompileReport {
        results,
        elapsed,
        cargo_stderr,
        command,
    }
}

fn stdout_has_artifacts(stdout: &[u8]) -> bool {
    String::from_utf8_lossy(stdout).contains("\"reason\":\"compiler-artifact\"")
}

/// The last `lines` lines of `text`.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn write_workspace(ws: &Path, crates: &[ScratchCrate]) {
    let members: Vec<String> = crates
        .iter()
        .map(|c| toml::Value::String(c.name.clone()).to_string())
        .collect();
    write_if_changed(
        &ws.join("Cargo.toml"),
        &format!(
            "# Written by obakit-codegen's tests (codegen/tests/support): generated code compiled as a user's crate would.\n\
             [workspace]\nresolver = \"3\"\nmembers = [{}]\n\n\
             [profile.dev]\ndebug = false\n",
            members.join(", ")
        ),
    );
    // The workspace's lock: the same versions as everything else, and resolvable offline. Cargo adds
    // the scratch crates and drops what they do not use.
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock")).expect("Cargo.lock");
    write_if_changed(&ws.join("Cargo.lock"), &lock);
    let dependencies = dependencies();
    for c in crates {
        let dir = ws.join(&c.name);
        write_if_changed(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [lib]\ndoctest = false\ntest = false\n\n[dependencies]\n{dependencies}",
                c.name
            ),
        );
        write_if_changed(&dir.join("src/lib.rs"), &c.lib_rs);
        let generated = dir.join("src/generated");
        match &c.generated {
            Some(files) => obakit_codegen::write_dir(files, &generated)
                .unwrap_or_else(|e| panic!("writing {}: {e}", generated.display())),
            None => {
                let _ = std::fs::remove_dir_all(&generated);
            }
        }
    }
    // Crates of earlier runs that are no longer wanted (a document removed from the corpus).
    for entry in std::fs::read_dir(ws).expect("scratch workspace").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && !crates.iter().any(|c| c.name == name) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// `obakit-runtime` by path, then every dependency of `obakit-runtime` as the workspace declares it
/// (generated code names poem, poem-openapi, reqwest, serde, chrono and uuid itself).
fn dependencies() -> String {
    let root = workspace_root();
    let read = |path: PathBuf| -> toml::Table {
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let workspace = read(root.join("Cargo.toml"));
    let runtime = read(root.join("runtime/Cargo.toml"));
    let declared = workspace["workspace"]["dependencies"]
        .as_table()
        .expect("[workspace.dependencies]");
    let used = runtime["dependencies"]
        .as_table()
        .expect("obakit-runtime's [dependencies]");
    let mut out = format!(
        "obakit-runtime = {{ path = {} }}\n",
        toml::Value::String(root.join("runtime").display().to_string())
    );
    for (name, spec) in used {
        let inherits = spec
            .get("workspace")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let spec = if inherits { &declared[name] } else { spec };
        out.push_str(&format!("{name} = {}\n", inline(spec)));
    }
    out
}

/// A TOML value on one line (tables inline).
fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::Table(t) => {
            let entries: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", inline(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Leaves files whose content did not change alone, so their timestamps do not trigger rebuilds.
fn write_if_changed(path: &Path, content: &str) {
    if std::fs::read_to_string(path).ok().as_deref() == Some(content) {
        return;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
