//! The generator against real-world documents (the ogen pattern): every document of the OpenAPI corpus
//! is generated on its own with the default settings. The corpus lives outside the repository, in
//! `../shared/openapi-corpus/` beside it (its README says where each document comes from; they are not
//! ours to redistribute), or in the folder `OBAKIT_CORPUS` names. Each document
//!
//! - reports exactly the unsupported features `tests/data/corpus/unsupported.toml` lists for it: a
//!   feature reported but not listed fails, and so does one listed but no longer reported (the list
//!   may only shrink); a document listed with `fails` must still fail to generate;
//! - generates code that compiles without a warning, each document as its own crate (see
//!   `support/mod.rs`), all in one `cargo check`, except the documents listed with `large` and
//!   `not_checked`. A `large` document's code is checked in a second `cargo check` of its own
//!   (`OBAKIT_CORPUS_CHECK=large`, CI's second corpus step), so that the first stays quick; a
//!   `not_checked` one's costs more to check than CI can give. Each entry says what it costs.
//!   `OBAKIT_CORPUS_CHECK=all` checks every document in the first `cargo check`.
//!
//! A table of the results (generated, compiled, operations kept, unsupported features, generation
//! time) is printed to stderr. Without the corpus folder the tests print that they skip, unless
//! `OBAKIT_CI` is set: then they fail.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use obakit_codegen::{Generated, Settings, generate};
use support::{ScratchCrate, in_ci, report};

const LIST: &str = "tests/data/corpus/unsupported.toml";

/// What the committed list says about one document.
#[derive(Default)]
struct Listed {
    /// The unsupported features it reports.
    unsupported: BTreeSet<String>,
    /// Why it does not generate yet, when it does not.
    fails: Option<String>,
    /// Why its output is left out of the compile check, with the measured cost.
    not_checked: Option<String>,
    /// What checking its output costs, when that is checked apart from the others.
    large: Option<String>,
}

/// One document's generation.
struct Run {
    /// The document's file name.
    file: String,
    generated: Result<Generated, String>,
    millis: f64,
    /// Operations the document declares, when it can be read.
    declared_operations: Option<usize>,
}

impl Run {
    /// The reported unsupported features (diagnostic messages), with how often each was reported.
    fn features(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        if let Ok(g) = &self.generated {
            for d in &g.unsupported {
                *out.entry(d.message.clone()).or_default() += 1;
            }
        }
        out
    }

    /// The crate compiling this document's output: `corpus-` and the file name without extension.
    fn crate_name(&self) -> String {
        let stem = self
            .file
            .trim_end_matches(".json")
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml");
        let slug: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        format!("corpus-{slug}")
    }
}

/// `OBAKIT_CORPUS`, else `../shared/openapi-corpus` beside the repository.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("OBAKIT_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => support::workspace_root().join("../shared/openapi-corpus"),
    }
}

/// The corpus folder, or `None` (after saying so) when it is missing outside CI.
fn corpus_or_skip(test: &str) -> Option<PathBuf> {
    let dir = corpus_dir();
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !in_ci(),
        "{}: the corpus folder is missing, and OBAKIT_CI is set",
        dir.display()
    );
    report(&format!(
        "{test}: skipped, {} not found (set OBAKIT_CI to make this a failure)\n",
        dir.display()
    ));
    None
}

/// The documents of the corpus, sorted by name.
fn documents(dir: &Path) -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "{} holds no document", dir.display());
    docs
}

/// Every document generated once per test binary (both tests use the same runs).
fn runs(dir: &Path) -> &'static [Run] {
    static RUNS: OnceLock<Vec<Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        documents(dir)
            .into_iter()
            .map(|path| {
                let start = Instant::now();
                let generated =
                    generate(&Settings::new(vec![path.clone()])).map_err(|e| e.to_string());
                let millis = start.elapsed().as_secs_f64() * 1000.0;
                Run {
                    file: file_name(&path),
                    generated,
                    millis,
                    declared_operations: declared_operations(&path),
                }
            })
            .collect()
    })
}

/// The operations under `paths` of the document as read (before anything is left out).
fn declared_operations(path: &Path) -> Option<usize> {
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let spec = obakit_codegen::read::read_spec(path).ok()?;
    let paths = spec.raw.get("paths")?.as_object()?;
    Some(
        paths
            .values()
            .filter_map(serde_json::Value::as_object)
            .map(|item| {
                item.keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .count()
            })
            .sum(),
    )
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a document has a file name")
        .to_string_lossy()
        .into_owned()
}

/// The committed list, by document file name.
fn listed() -> BTreeMap<String, Listed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(LIST);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    table
        .into_iter()
        .map(|(doc, entry)| {
            let unsupported = entry
                .get("unsupported")
                .and_then(toml::Value::as_array)
                .unwrap_or_else(|| panic!("{LIST}: [\"{doc}\"] needs `unsupported = [...]`"))
                .iter()
                .map(|v| {
                    v.as_str()
                        .unwrap_or_else(|| panic!("{LIST}: [\"{doc}\"]: features are strings"))
                        .to_owned()
                })
                .collect();
            let text = |key: &str| {
                entry.get(key).map(|v| {
                    v.as_str()
                        .unwrap_or_else(|| panic!("{LIST}: [\"{doc}\"]: `{key}` is a string"))
                        .to_owned()
                })
            };
            let listed = Listed {
                unsupported,
                fails: text("fails"),
                not_checked: text("not_checked"),
                large: text("large"),
            };
            (doc, listed)
        })
        .collect()
}

/// True when `OBAKIT_CORPUS_CHECK=all` asks to check the documents CI leaves out.
fn check_all() -> bool {
    std::env::var("OBAKIT_CORPUS_CHECK").is_ok_and(|v| v == "all")
}

/// True when `OBAKIT_CORPUS_CHECK=large` asks for the check of the `large` documents.
fn check_large() -> bool {
    std::env::var("OBAKIT_CORPUS_CHECK").is_ok_and(|v| v == "large")
}

/// The crate compiling each run's output.
fn crates_of<'r>(runs: impl Iterator<Item = &'r Run>) -> Vec<ScratchCrate> {
    runs.filter_map(|run| {
        let files = run.generated.as_ref().ok()?.files.clone();
        Some(ScratchCrate::including(
            &run.crate_name(),
            "generated/api.rs",
            Some(files),
        ))
    })
    .collect()
}

#[test]
fn corpus_documents_report_exactly_the_listed_unsupported_features() {
    let Some(dir) =
        corpus_or_skip("corpus_documents_report_exactly_the_listed_unsupported_features")
    else {
        return;
    };
    let runs = runs(&dir);
    let mut listed = listed();
    let mut problems = Vec::new();
    for run in runs {
        let Some(entry) = listed.remove(&run.file) else {
            problems.push(format!(
                "{}: not in {LIST}; add [\"{}\"] with unsupported = {:?}",
                run.file,
                run.file,
                run.features().keys().collect::<Vec<_>>()
            ));
            continue;
        };
        match (&run.generated, &entry.fails) {
            (Err(_), Some(_)) => continue,
            (Err(e), None) => {
                problems.push(format!("{}: generation failed:\n{e}", run.file));
                continue;
            }
            (Ok(_), Some(_)) => {
                problems.push(format!(
                    "{}: generates now: remove its `fails` from {LIST}",
                    run.file
                ));
            }
            (Ok(_), None) => {}
        }
        let expected = &entry.unsupported;
        let reported: BTreeSet<String> = run.features().into_keys().collect();
        for new in reported.difference(expected) {
            let places: Vec<String> = run
                .generated
                .as_ref()
                .map(|g| {
                    g.unsupported
                        .iter()
                        .filter(|d| &d.message == new)
                        .map(|d| format!("#{}", d.pointer))
                        .collect()
                })
                .unwrap_or_default();
            problems.push(format!(
                "{}: reports `{new}`, which {LIST} does not list (at {})",
                run.file,
                places.join(", ")
            ));
        }
        for gone in expected.difference(&reported) {
            problems.push(format!(
                "{}: no longer reports `{gone}`: remove it from {LIST} (the list may only shrink)",
                run.file
            ));
        }
    }
    for doc in listed.keys() {
        problems.push(format!("{LIST} lists {doc}, which is not in the corpus"));
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn corpus_documents_generate_code_that_compiles_without_warnings() {
    let Some(dir) = corpus_or_skip("corpus_documents_generate_code_that_compiles_without_warnings")
    else {
        return;
    };
    let runs = runs(&dir);
    let listed = listed();
    let left_out = |run: &Run| {
        let entry = listed.get(&run.file)?;
        let why = match (&entry.not_checked, &entry.large) {
            (Some(why), _) => format!("not checked: {why}"),
            (None, Some(cost)) => format!("checked apart (`OBAKIT_CORPUS_CHECK=large`): {cost}"),
            (None, None) => return None,
        };
        (!check_all()).then_some(why)
    };
    let crates = crates_of(runs.iter().filter(|run| left_out(run).is_none()));
    let compiled = support::compile("corpus", &crates);

    let mut table = String::from(
        "\nOpenAPI corpus: generate each document, compile its output\n\n\
         | document | generated | compiles | operations kept | unsupported features | generation ms |\n\
         |---|---|---|---|---|---:|\n",
    );
    let mut problems = Vec::new();
    for run in runs {
        let fails = listed.get(&run.file).is_some_and(|l| l.fails.is_some());
        let compiles = match (&run.generated, compiled.results.get(&run.crate_name())) {
            (Err(e), _) => {
                if !fails {
                    problems.push(format!("{}: generation failed:\n{e}", run.file));
                }
                "—".to_owned()
            }
            (Ok(_), Some(Ok(()))) => "yes".to_owned(),
            (Ok(_), Some(Err(e))) => {
                problems.push(format!(
                    "{} ({}) does not compile:\n{e}",
                    run.file,
                    run.crate_name()
                ));
                "no".to_owned()
            }
            (Ok(_), None) => left_out(run).expect("only documents left out have no crate"),
        };
        let features: Vec<String> = run
            .features()
            .into_iter()
            .map(|(f, n)| if n == 1 { f } else { format!("{f} (×{n})") })
            .collect();
        let kept = run
            .generated
            .as_ref()
            .map_or_else(|_| "—".to_owned(), |g| g.operations.to_string());
        let declared = run
            .declared_operations
            .map_or_else(|| "?".to_owned(), |n| n.to_string());
        table.push_str(&format!(
            "| {} | {} | {compiles} | {kept} of {declared} | {} | {:.0} |\n",
            run.file,
            if run.generated.is_ok() { "yes" } else { "no" },
            if features.is_empty() {
                "—".to_owned()
            } else {
                features.join("; ")
            },
            run.millis
        ));
    }
    table.push_str(&format!(
        "\ncompiled in {:.1} s ({} crates, one cargo invocation: {})\n",
        compiled.elapsed.as_secs_f64(),
        crates.len(),
        compiled.command
    ));
    report(&table);
    assert!(
        problems.is_empty(),
        "\n{}\n\ncargo's output ends with:\n{}",
        problems.join("\n\n"),
        support::tail(&compiled.cargo_stderr, 30)
    );
}

/// The second corpus check: the `large` documents, each as its own crate, in one `cargo check` of
/// their own. Runs when `OBAKIT_CORPUS_CHECK=large` (CI's second corpus step), and says it skips
/// otherwise.
#[test]
fn large_corpus_documents_generate_code_that_compiles_without_warnings() {
    let test = "large_corpus_documents_generate_code_that_compiles_without_warnings";
    if !check_large() {
        report(&format!(
            "{test}: skipped, OBAKIT_CORPUS_CHECK is not `large` (CI's second corpus step sets it)\n"
        ));
        return;
    }
    let Some(dir) = corpus_or_skip(test) else {
        return;
    };
    let runs = runs(&dir);
    let listed = listed();
    let large: Vec<&Run> = runs
        .iter()
        .filter(|run| {
            listed
                .get(&run.file)
                .is_some_and(|l| l.large.is_some() && l.not_checked.is_none())
        })
        .collect();
    let crates = crates_of(large.iter().copied());
    let compiled = support::compile("corpus-large", &crates);
    let mut problems = Vec::new();
    for run in &large {
        match (&run.generated, compiled.results.get(&run.crate_name())) {
            (Ok(_), Some(Ok(()))) => {}
            (Ok(_), Some(Err(e))) => problems.push(format!(
                "{} ({}) does not compile:\n{e}",
                run.file,
                run.crate_name()
            )),
            (Ok(_), None) => problems.push(format!("{}: cargo did not check it", run.file)),
            (Err(e), _) => problems.push(format!("{}: generation failed:\n{e}", run.file)),
        }
    }
    report(&format!(
        "\nOpenAPI corpus, large documents: {} checked in {:.1} s, one cargo invocation: {}\n",
        large
            .iter()
            .map(|r| r.file.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        compiled.elapsed.as_secs_f64(),
        compiled.command
    ));
    assert!(
        problems.is_empty(),
        "\n{}\n\ncargo's output ends with:\n{}",
        problems.join("\n\n"),
        support::tail(&compiled.cargo_stderr, 30)
    );
}
