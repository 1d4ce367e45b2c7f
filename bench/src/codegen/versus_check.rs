//! `cargo check` of generated code side by side: for TMF622 v5, Kubernetes and Asana, the crate
//! obakit generates against the crate openapi-generator's `rust-axum` generates from the same
//! document: check time and peak resident memory. Target: at most half of rust-axum's, both.
//!
//! Dependencies are built first, the same way on both sides: a crate with the generated crate's
//! manifest and an empty `lib.rs` is checked into the side's target folder, then the generated
//! crate itself is checked there, timed and capped (`--check-cap-seconds`, `--check-cap-mb`).
//! The figures are of the generated crate alone, once (each check takes minutes).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use super::anchor::{self, Anchor};
use super::capped::{self, Cap, Run};
use super::versus_generation::slug;
use crate::Ctx;
use crate::report::{Figure, Target, number};

/// The documents checked: a mid-sized TM Forum API, the largest document, and a large one.
const DOCUMENTS: &[&str] = &[
    "tmf622-product-ordering-v5.0.0.yaml",
    "kubernetes.swagger.json",
    "asana.yaml",
];

/// At most this fraction of rust-axum's check time and peak memory.
const TARGET: f64 = 0.5;

/// Priming a target folder builds every dependency: at most this long.
const PRIME_SECONDS: u64 = 3600;

/// One side's crate, generated and ready to check.
struct Crate {
    dir: PathBuf,
    package: String,
}

pub(crate) fn figures(ctx: &Ctx, anchor: &Anchor) -> anyhow::Result<Vec<Figure>> {
    let work = ctx.work.join("versus/check");
    let mut figures = Vec::new();
    for label in DOCUMENTS {
        let document = ctx.corpus.join(label);
        if !document.is_file() {
            eprintln!(
                "cargo check side by side: {} is not in the corpus",
                document.display()
            );
            continue;
        }
        let slug = slug(label);
        let logs = work.join("logs");
        let ours = obakit_crate(ctx, &document, &work.join("obakit").join(&slug))?;
        let theirs_dir = work.join("rust-axum").join(&slug);
        let theirs_log = logs.join(format!("{slug}.rust-axum.generate.log"));
        let generated =
            anchor.generate(&document, &theirs_dir, &theirs_log, ctx.versus.generate_cap)?;
        if !generated.succeeded() {
            let why = generated
                .over_cap()
                .unwrap_or_else(|| anchor::failure(&theirs_log));
            figures.push(
                Figure::from_rounds(
                    format!("cargo check {label}"),
                    "-",
                    "s",
                    anchor.name(),
                    &[(f64::NAN, f64::NAN)],
                    Target::None,
                )
                .with_note(format!("openapi-generator cannot generate it: {why}")),
            );
            continue;
        }
        let manifest = theirs_dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)?;
        let (text, fixed) = semver_version(&text);
        // Its own workspace: the folder is inside obakit's.
        std::fs::write(&manifest, format!("{text}\n[workspace]\n"))?;
        let theirs = Crate {
            dir: theirs_dir,
            package: "openapi".to_owned(),
        };
        let cap = ctx.versus.check_cap;
        eprintln!("cargo check side by side: {label}: obakit's crate");
        let (ours_run, ours_log) = check(&ours, &work.join("target-obakit"), &logs, cap)?;
        eprintln!(
            "cargo check side by side: {label}: obakit {} s (CPU {} s), {} MB{}; rust-axum's crate",
            number(ours_run.wall_s),
            number(ours_run.cpu_s),
            ours_run.peak_bytes / 1_000_000,
            ours_run
                .over_cap()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        );
        let (theirs_run, theirs_log) =
            match check(&theirs, &work.join("target-rust-axum"), &logs, cap) {
                Ok(checked) => checked,
                Err(e) => {
                    figures.push(
                        Figure::from_rounds(
                            format!("cargo check {label}"),
                            "-",
                            "s",
                            anchor.name(),
                            &[(ours_run.wall_s, f64::NAN)],
                            Target::None,
                        )
                        .with_note(format!("rust-axum's crate cannot be checked: {e:#}")),
                    );
                    continue;
                }
            };
        eprintln!(
            "cargo check side by side: {label}: rust-axum {} s (CPU {} s), {} MB{}",
            number(theirs_run.wall_s),
            number(theirs_run.cpu_s),
            theirs_run.peak_bytes / 1_000_000,
            theirs_run
                .over_cap()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        );
        let (ours_lines, _) = anchor::rust_size(&ours.dir.join("src"));
        let (theirs_lines, _) = anchor::rust_size(&theirs.dir.join("src"));
        let sides = [
            side_note("obakit", &ours_run, &ours_log),
            side_note("rust-axum", &theirs_run, &theirs_log),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
        let note = format!(
            "deps pre-built; CPU {} s vs {} s; {ours_lines} vs {theirs_lines} lines{}{}",
            number(ours_run.cpu_s),
            number(theirs_run.cpu_s),
            if fixed {
                "; rust-axum's manifest version made semver (it writes the document's as is)"
            } else {
                ""
            },
            if sides.is_empty() {
                String::new()
            } else {
                format!("; {}", sides.join("; "))
            }
        );
        figures.push(figure(
            format!("cargo check {label}"),
            "s",
            anchor,
            (ours_run.wall_s, theirs_run.wall_s),
            (&ours_run, &theirs_run),
            &note,
        ));
        figures.push(figure(
            format!("cargo check peak RSS {label}"),
            "MB",
            anchor,
            (
                ours_run.peak_bytes as f64 / 1e6,
                theirs_run.peak_bytes as f64 / 1e6,
            ),
            (&ours_run, &theirs_run),
            "resident memory of cargo and rustc, sampled every 100 ms",
        ));
    }
    Ok(figures)
}

/// The manifest with its package `version` made a semver one (`0.0.0`) when it is not: rust-axum
/// writes the document's `info.version` as it is (Kubernetes': `unversioned.0.0`), which cargo
/// refuses. Returns whether it changed.
fn semver_version(manifest: &str) -> (String, bool) {
    let mut fixed = false;
    let text = manifest
        .lines()
        .map(|line| {
            let version = line
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'));
            let semver = version.is_some_and(|v| {
                let core = v.split(['-', '+']).next().unwrap_or_default();
                let parts: Vec<&str> = core.split('.').collect();
                parts.len() == 3
                    && parts
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            });
            if version.is_some() && !semver && !fixed {
                fixed = true;
                "version = \"0.0.0\"".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, fixed)
}

/// A figure whose target only holds when the capped sides allow a verdict: a check stopped at the
/// cap gives a bound, not a value.
fn figure(
    name: String,
    unit: &'static str,
    anchor: &Anchor,
    (ours, theirs): (f64, f64),
    (ours_run, theirs_run): (&Run, &Run),
    note: &str,
) -> Figure {
    let ratio = ours / theirs;
    // Ours stopped: the ratio is a lower bound, a verdict only when it already misses. Theirs
    // stopped: an upper bound, a verdict only when it already meets.
    let known = match (ours_run.over_cap(), theirs_run.over_cap()) {
        (None, None) => true,
        (Some(_), None) => ratio > TARGET,
        (None, Some(_)) => ratio <= TARGET,
        (Some(_), Some(_)) => false,
    };
    let target = if known {
        Target::RatioAtMost(TARGET)
    } else {
        Target::None
    };
    Figure::from_rounds(name, "-", unit, anchor.name(), &[(ours, theirs)], target).with_note(note)
}

/// What a side's note says beyond its figures: stopped at the cap, failed, or checked more than
/// the generated crate.
fn side_note(side: &str, run: &Run, log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let checked = text
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("Checking") || l.starts_with("Compiling")
        })
        .count();
    let mut said = Vec::new();
    if let Some(cap) = run.over_cap() {
        said.push(format!("{cap}, so at least"));
    } else if !run.succeeded() {
        let errors = text.lines().filter(|l| l.starts_with("error")).count();
        said.push(format!("check fails ({errors} error lines)"));
    }
    if checked > 1 {
        said.push(format!("{checked} crates checked"));
    }
    (!said.is_empty()).then(|| format!("{side}: {}", said.join(", ")))
}

/// Builds the dependencies of `krate` into `target` (through a copy of its manifest with an empty
/// `lib.rs`), then checks `krate` alone under `cap`. Returns the run and its log.
fn check(krate: &Crate, target: &Path, logs: &Path, cap: Cap) -> anyhow::Result<(Run, PathBuf)> {
    let name = krate
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let side = krate
        .dir
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stub = krate.dir.with_file_name(format!("{name}-deps"));
    std::fs::create_dir_all(stub.join("src"))?;
    std::fs::copy(krate.dir.join("Cargo.toml"), stub.join("Cargo.toml"))?;
    let lock = krate.dir.join("Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, stub.join("Cargo.lock"))?;
    }
    std::fs::write(stub.join("src/lib.rs"), "")?;
    let prime_log = logs.join(format!("{name}.{side}.deps.log"));
    let primed = capped::run(
        cargo(&stub, target, "check"),
        &prime_log,
        Cap {
            time: std::time::Duration::from_secs(PRIME_SECONDS),
            bytes: cap.bytes,
        },
    )?;
    anyhow::ensure!(
        primed.succeeded(),
        "building the dependencies of {} failed; see {}",
        krate.dir.display(),
        prime_log.display()
    );
    // The same versions as the dependencies just built.
    std::fs::copy(stub.join("Cargo.lock"), &lock)?;
    let mut clean = cargo(&krate.dir, target, "clean");
    let _ = clean.args(["-p", &krate.package]).output();
    let log = logs.join(format!("{name}.{side}.check.log"));
    let run = capped::run(cargo(&krate.dir, target, "check"), &log, cap)?;
    Ok((run, log))
}

fn cargo(dir: &Path, target: &Path, subcommand: &str) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .arg(subcommand)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target);
    command
}

/// The crate a user would compile obakit's code for `document` in: `obakit-runtime` by path, the
/// crates the generated code names, the workspace's `Cargo.lock`, and a `lib.rs` that includes the
/// generated `api.rs`.
fn obakit_crate(ctx: &Ctx, document: &Path, dir: &Path) -> anyhow::Result<Crate> {
    let generated =
        obakit_codegen::generate(&obakit_codegen::Settings::new(vec![document.to_path_buf()]))
            .map_err(|e| anyhow::anyhow!("obakit-codegen fails on {}: {e}", document.display()))?;
    let slug = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let package = format!("obakit-{slug}");
    let _ = std::fs::remove_dir_all(dir);
    obakit_codegen::write_dir(&generated.files, &dir.join("src/generated"))
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", dir.display()))?;
    std::fs::write(
        dir.join("src/lib.rs"),
        "//! obakit's generated code, compiled as a user's crate.\ninclude!(\"generated/api.rs\");\n",
    )?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{}\n[workspace]\n",
            dependencies(&ctx.root)?
        ),
    )?;
    std::fs::copy(ctx.root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .context("copying Cargo.lock")?;
    Ok(Crate {
        dir: dir.to_path_buf(),
        package,
    })
}

/// `obakit-runtime` by path, then every dependency of `obakit-runtime` as the workspace declares
/// it (generated code names poem, poem-openapi, reqwest, serde, chrono and uuid itself).
fn dependencies(root: &Path) -> anyhow::Result<String> {
    let read = |path: PathBuf| -> anyhow::Result<toml::Table> {
        std::fs::read_to_string(&path)
            .with_context(|| path.display().to_string())?
            .parse()
            .with_context(|| path.display().to_string())
    };
    let workspace = read(root.join("Cargo.toml"))?;
    let runtime = read(root.join("runtime/Cargo.toml"))?;
    let declared = workspace["workspace"]["dependencies"]
        .as_table()
        .context("[workspace.dependencies]")?;
    let used = runtime["dependencies"]
        .as_table()
        .context("obakit-runtime's [dependencies]")?;
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
    Ok(out)
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
