//! The generator's figures: the time to generate each document (the OpenAPI corpus and obakit's
//! own specs) against the time to parse the same files, and the incremental build of `obakit-api`
//! after a one-line spec edit against the same build after a one-line edit of its Rust source.
//! Side by side with openapi-generator's `rust-axum` generator: generation time of each corpus
//! document (`versus_generation`) and `cargo check` of the generated crates (`versus_check`).

mod anchor;
mod capped;
mod versus_check;
mod versus_generation;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::Ctx;
use crate::baseline::millis;
use crate::report::{Figure, Target, median, number};

pub(crate) use anchor::Anchor;
pub(crate) use capped::Cap;

/// Generation time of each corpus document against openapi-generator's (`rust-axum`).
pub(crate) fn generation_side_by_side(ctx: &Ctx, anchor: &Anchor) -> anyhow::Result<Vec<Figure>> {
    versus_generation::figures(ctx, anchor)
}

/// `cargo check` time and peak memory of generated crates against rust-axum's.
pub(crate) fn check_side_by_side(ctx: &Ctx, anchor: &Anchor) -> anyhow::Result<Vec<Figure>> {
    versus_check::figures(ctx, anchor)
}

/// One document to time: its label, the settings it is generated with, and the files it reads.
struct Document {
    label: String,
    settings: obakit_codegen::Settings,
    files: Vec<PathBuf>,
}

fn documents(ctx: &Ctx) -> anyhow::Result<Vec<Document>> {
    let mut documents = Vec::new();
    if ctx.corpus.is_dir() {
        for path in corpus_files(&ctx.corpus)? {
            documents.push(Document {
                label: file_name(&path),
                settings: obakit_codegen::Settings::new(vec![path.clone()]),
                files: vec![path],
            });
        }
    } else {
        eprintln!(
            "generator: no corpus at {} (set --corpus or OBAKIT_BENCH_CORPUS); timing obakit's specs only",
            ctx.corpus.display()
        );
    }
    let spec = ctx.root.join("spec");
    let common = spec.join("common.yaml");
    for name in ["product-ordering.yaml", "user-service.yaml"] {
        let path = spec.join(name);
        documents.push(Document {
            label: format!("spec/{name}"),
            settings: obakit_codegen::Settings::new(vec![path.clone()]),
            files: vec![path, common.clone()],
        });
    }
    let settings = obakit_codegen::obakit_api_settings(&ctx.root)
        .map_err(|e| anyhow::anyhow!("obakit-api settings: {e}"))?;
    let mut files = settings.specs.clone();
    files.push(common);
    documents.push(Document {
        label: "obakit-api (both specs)".to_owned(),
        settings,
        files,
    });
    Ok(documents)
}

/// The YAML and JSON documents of the corpus folder, in name order.
fn corpus_files(corpus: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Parsing the files as the generator's YAML/JSON reader does, and nothing else.
fn parse(files: &[PathBuf]) -> anyhow::Result<usize> {
    let mut nodes = 0;
    for file in files {
        let text = std::fs::read_to_string(file)?;
        let value: serde_json::Value = if file.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text)?
        } else {
            serde_yaml::from_str(&text)?
        };
        nodes += value.as_object().map_or(0, |o| o.len());
    }
    Ok(nodes)
}

/// Generation time of every document against parsing it.
pub(crate) fn generation(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let mut figures = Vec::new();
    // Each round alternates generate and parse until both had this long, or 50 iterations.
    let budget = Duration::from_millis(if ctx.quick { 300 } else { 1500 });
    for document in documents(ctx)? {
        // Warm-up, and the check that the document generates at all.
        let generated = match obakit_codegen::generate(&document.settings) {
            Ok(generated) => generated,
            Err(e) => {
                let first = e.to_string().lines().next().unwrap_or_default().to_owned();
                figures.push(
                    Figure::from_rounds(
                        format!("generate {}", document.label),
                        "-",
                        "ms",
                        "parse",
                        &[(f64::NAN, f64::NAN)],
                        Target::None,
                    )
                    .with_note(format!("generation fails: {first}")),
                );
                continue;
            }
        };
        let bytes: usize = generated.files.values().map(String::len).sum();
        // A document the baseline's reader refuses (a number past serde_json's range, say) still
        // has its other figures measured.
        if let Err(e) = parse(&document.files) {
            figures.push(
                Figure::from_rounds(
                    format!("generate {}", document.label),
                    "-",
                    "ms",
                    "parse",
                    &[(f64::NAN, f64::NAN)],
                    Target::None,
                )
                .with_note(format!("the baseline cannot parse it: {e}")),
            );
            continue;
        }
        let mut rounds = Vec::new();
        for _ in 0..ctx.rounds {
            let (mut gen_ms, mut parse_ms) = (Vec::new(), Vec::new());
            let start = Instant::now();
            while gen_ms.len() < 3 || (start.elapsed() < budget * 2 && gen_ms.len() < 50) {
                let t = Instant::now();
                std::hint::black_box(obakit_codegen::generate(&document.settings).ok());
                gen_ms.push(millis(t.elapsed()));
                let t = Instant::now();
                std::hint::black_box(parse(&document.files)?);
                parse_ms.push(millis(t.elapsed()));
            }
            rounds.push((median(&gen_ms), median(&parse_ms)));
        }
        let figure = Figure::from_rounds(
            format!("generate {}", document.label),
            "-",
            "ms",
            "parse",
            &rounds,
            Target::None,
        );
        let note = format!(
            "{} KB in, {} KB of code out",
            document
                .files
                .iter()
                .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
                .sum::<u64>()
                / 1000,
            bytes / 1000
        );
        eprintln!(
            "generator: {} {} ms (parse {} ms)",
            document.label,
            number(figure.value),
            number(figure.baseline)
        );
        figures.push(figure.with_note(note));
    }
    Ok(figures)
}

/// The files of the tree `cargo build -p obakit-api` needs.
const TREE: &[&str] = &[
    "Cargo.lock",
    "api/Cargo.toml",
    "api/build.rs",
    "api/src",
    "runtime/Cargo.toml",
    "runtime/src",
    "spec",
    "codegen/Cargo.toml",
    "codegen/src",
    "codegen/templates",
];

/// The incremental `cargo build -p obakit-api` (debug, as while developing) after a one-line edit
/// of `spec/user-service.yaml`, against the same after a one-line edit of `api/src/lib.rs`. Runs in a
/// copy of the tree with its own target folder, so nothing else building here is disturbed.
pub(crate) fn incremental_build(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let tree = ctx.work.join("build-tree");
    let target = ctx.work.join("build-target");
    copy_tree(&ctx.root, &tree)?;
    eprintln!(
        "incremental build: priming {} (the first run builds every dependency)",
        target.display()
    );
    cargo_build(&tree, &target).context("priming build")?;
    let spec = tree.join("spec/user-service.yaml");
    let lib = tree.join("api/src/lib.rs");
    let (spec_text, lib_text) = (
        std::fs::read_to_string(&spec)?,
        std::fs::read_to_string(&lib)?,
    );
    let mut rounds = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        for round in 0..ctx.rounds {
            let mark = format!("{}-{round}", std::process::id());
            std::fs::write(&spec, edit_spec(&spec_text, &mark)?)?;
            let spec_s = cargo_build(&tree, &target)?;
            std::fs::write(&lib, format!("{lib_text}// edited {mark}\n"))?;
            let lib_s = cargo_build(&tree, &target)?;
            eprintln!(
                "incremental build round {}: after a spec edit {} s, after an api/src/lib.rs edit {} s",
                round + 1,
                number(spec_s),
                number(lib_s)
            );
            rounds.push((spec_s, lib_s));
        }
        Ok(())
    })();
    std::fs::write(&spec, &spec_text)?;
    std::fs::write(&lib, &lib_text)?;
    result?;
    Ok(vec![
        Figure::from_rounds(
            "incremental build after a one-line spec edit",
            "-",
            "s",
            "lib.rs edit",
            &rounds,
            Target::None,
        )
        .with_note("cargo build -p obakit-api, debug; baseline: one-line edit of api/src/lib.rs"),
    ])
}

/// The spec with the first operation summary changed (it becomes a doc comment of the trait).
fn edit_spec(text: &str, mark: &str) -> anyhow::Result<String> {
    let mut done = false;
    let mut out = String::with_capacity(text.len() + 32);
    for line in text.lines() {
        if !done && line.trim_start().starts_with("summary:") {
            out.push_str(line);
            out.push_str(&format!(" (edited {mark})"));
            done = true;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    anyhow::ensure!(done, "no `summary:` line to edit");
    Ok(out)
}

/// Seconds of one `cargo build -p obakit-api`.
fn cargo_build(tree: &Path, target: &Path) -> anyhow::Result<f64> {
    let start = Instant::now();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "-p", "obakit-api", "--quiet"])
        .current_dir(tree)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .context("running cargo")?;
    anyhow::ensure!(
        output.status.success(),
        "cargo build in {} failed: {}",
        tree.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(start.elapsed().as_secs_f64())
}

/// Copies what the build needs into `tree`; files whose content is unchanged keep their time, so
/// cargo sees no change. The workspace is cut down to the three packages the build needs.
fn copy_tree(root: &Path, tree: &Path) -> anyhow::Result<()> {
    for entry in TREE {
        copy_path(&root.join(entry), &tree.join(entry))?;
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let mut kept = 0;
    let manifest: String = manifest
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim();
            if matches!(key, "members" | "default-members") {
                kept += 1;
                format!("{key} = [\"api\", \"runtime\", \"codegen\"]\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    anyhow::ensure!(kept == 2, "no workspace members in Cargo.toml");
    write_if_changed(&tree.join("Cargo.toml"), manifest.as_bytes())
}

fn copy_path(from: &Path, to: &Path) -> anyhow::Result<()> {
    if from.is_dir() {
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_path(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        write_if_changed(to, &std::fs::read(from)?)
    }
}

fn write_if_changed(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    if std::fs::read(path).ok().as_deref() == Some(content) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}
