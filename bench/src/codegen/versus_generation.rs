//! Generation side by side: `obakit-codegen generate` of each corpus document against
//! openapi-generator's `generate -g rust-axum` of the same document, both as processes from start
//! to written files, back to back in each round. Target: obakit in at most 1/20 of the time.

use std::path::PathBuf;

use super::anchor::{self, Anchor};
use crate::Ctx;
use crate::report::{Figure, Target, number};

/// At most this fraction of openapi-generator's time.
const TARGET: f64 = 1.0 / 20.0;

pub(crate) fn figures(ctx: &Ctx, anchor: &Anchor) -> anyhow::Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let work = ctx.work.join("versus/generate");
    for document in corpus(ctx)? {
        let label = super::file_name(&document);
        let slug = slug(&label);
        let (ours_out, theirs_out) = (
            work.join("obakit").join(&slug),
            work.join("rust-axum").join(&slug),
        );
        let (ours_log, theirs_log) = (
            work.join("logs").join(format!("{slug}.obakit.log")),
            work.join("logs").join(format!("{slug}.rust-axum.log")),
        );
        let name = format!("generate {label}");
        let mut rounds = Vec::new();
        let mut cpu = Vec::new();
        let mut problem = None;
        for _ in 0..ctx.rounds {
            let ours = anchor::obakit_generate(
                &ctx.versus.obakit_codegen,
                &document,
                &ours_out,
                &ours_log,
                ctx.versus.generate_cap,
            )?;
            let theirs =
                anchor.generate(&document, &theirs_out, &theirs_log, ctx.versus.generate_cap)?;
            if !ours.succeeded() {
                problem = Some(format!(
                    "obakit-codegen fails: {}",
                    ours.over_cap()
                        .unwrap_or_else(|| anchor::failure(&ours_log))
                ));
            } else if !theirs.succeeded() {
                problem = Some(format!(
                    "openapi-generator cannot generate it: {}",
                    theirs
                        .over_cap()
                        .unwrap_or_else(|| anchor::failure(&theirs_log))
                ));
            }
            if problem.is_some() {
                // A generator that fails fails the same way every round.
                rounds = vec![(ours.wall_s * 1000.0, f64::NAN)];
                break;
            }
            rounds.push((ours.wall_s * 1000.0, theirs.wall_s * 1000.0));
            cpu.push((ours.cpu_s, theirs.cpu_s));
        }
        if let Some(problem) = problem {
            eprintln!("generate side by side: {label}: {problem}");
            figures.push(
                Figure::from_rounds(name, "-", "ms", anchor.name(), &rounds, Target::None)
                    .with_note(problem),
            );
            continue;
        }
        let (ours_lines, _) = anchor::rust_size(&ours_out);
        let (theirs_lines, _) = anchor::rust_size(&theirs_out);
        let figure = Figure::from_rounds(
            name,
            "-",
            "ms",
            anchor.name(),
            &rounds,
            Target::RatioAtMost(TARGET),
        );
        let (ours_cpu, theirs_cpu) = cpu.last().copied().unwrap_or_default();
        eprintln!(
            "generate side by side: {label}: obakit-codegen {} ms, openapi-generator {} ms",
            number(figure.value),
            number(figure.baseline)
        );
        figures.push(figure.with_note(format!(
            "CPU {} s vs {} s; {ours_lines} vs {theirs_lines} lines of Rust",
            number(ours_cpu),
            number(theirs_cpu)
        )));
    }
    Ok(figures)
}

/// The corpus documents, in name order.
fn corpus(ctx: &Ctx) -> anyhow::Result<Vec<PathBuf>> {
    anyhow::ensure!(
        ctx.corpus.is_dir(),
        "no corpus at {} (set --corpus or OBAKIT_BENCH_CORPUS)",
        ctx.corpus.display()
    );
    super::corpus_files(&ctx.corpus)
}

/// A folder or crate name for a document: its file name without extension, lower case, dashes.
pub(crate) fn slug(file: &str) -> String {
    let stem = file
        .trim_end_matches(".json")
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
