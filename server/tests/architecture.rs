//! ARCHITECTURE.md's invariants, checked on the source: every file of every workspace crate starts
//! with `//!`; SQL only in `store/`; the domain knows no poem, sqlx or generated type, and the
//! use cases no poem, sqlx or wire type; the simulator's crate depends on no server; and the
//! server's modules keep the layering ARCHITECTURE.md writes in its `layers` block (each module
//! uses only modules of lower layers, so there is no circle).
//!
//! The layering is read from ARCHITECTURE.md itself, so the map and the check cannot drift apart.
//! That the simulator and mock Orange know neither store nor domain is Cargo's to enforce: their
//! crate cannot name what it does not depend on, and this file checks its manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The workspace root (this file is in `server/tests/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, as (path relative to `dir`, source).
fn sources(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, std::fs::read_to_string(&path).expect("UTF-8"));
            }
        }
    }
    files
}

/// The source without comments (line comments and doc comments), so that a module named in a
/// comment does not count as used.
fn code_of(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string literal (a URL) keeps the line: only comment-led lines and
            // trailing comments after code outside quotes are cut.
            Some(at) if line[..at].matches('"').count() % 2 == 0 => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file of `server/src` belongs to (`http/partner.rs` → `http`).
fn module_of(file: &str) -> Option<&str> {
    let first = file.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then_some(name)
}

/// The top-level modules a source names through `crate::…`.
fn used_modules(code: &str) -> Vec<String> {
    let mut used: Vec<String> = code
        .match_indices("crate::")
        .filter(|(at, _)| {
            // `obakit_crate::` or `$crate::` are not this crate's paths.
            !code[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        })
        .map(|(at, _)| {
            code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect();
    // `use crate::{a, b}` names several.
    for (at, _) in code.match_indices("crate::{") {
        let group = &code[at + "crate::{".len()..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        used.extend(
            group
                .split(',')
                .map(|part| part.trim().split("::").next().unwrap_or_default().trim())
                .filter(|name| !name.is_empty())
                .map(str::to_owned),
        );
    }
    used.sort();
    used.dedup();
    used
}

/// The `layers` block of ARCHITECTURE.md: one line per layer, highest first, module names
/// separated by spaces. Returns each module's layer (0 = lowest).
fn layers(architecture: &str) -> BTreeMap<String, usize> {
    let start = architecture
        .find("```layers\n")
        .expect("ARCHITECTURE.md has a ```layers block");
    let block = &architecture[start + "```layers\n".len()..];
    let block = &block[..block.find("```").expect("the block ends")];
    let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut layer_of = BTreeMap::new();
    for (index, line) in lines.iter().enumerate() {
        for module in line.split_whitespace() {
            let previous = layer_of.insert(module.to_owned(), lines.len() - 1 - index);
            assert!(previous.is_none(), "{module} is in two layers");
        }
    }
    layer_of
}

/// Every use of a module against the layering: (file, module used, why).
fn layering_violations(
    files: &BTreeMap<String, String>,
    layer_of: &BTreeMap<String, usize>,
) -> Vec<String> {
    let mut violations = Vec::new();
    for (file, source) in files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let Some(&own) = layer_of.get(module) else {
            violations.push(format!("{file}: module `{module}` is in no layer"));
            continue;
        };
        for used in used_modules(&code_of(source)) {
            if used == module {
                continue;
            }
            match layer_of.get(&used) {
                Some(&layer) if layer < own => {}
                Some(_) => violations.push(format!(
                    "{file}: `{module}` uses `crate::{used}`, which is not in a lower layer"
                )),
                // Macros and items of lib.rs itself are not modules.
                None => {}
            }
        }
    }
    violations
}

#[test]
fn the_server_modules_keep_the_layering_architecture_md_writes() {
    let architecture =
        std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let layer_of = layers(&architecture);
    let files = sources(&root().join("server/src"));
    let violations = layering_violations(&files, &layer_of);
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn a_use_against_the_layering_is_caught() {
    let layer_of = layers("```layers\nroutes\nhttp admin\nwire\ndomain\n```\n");
    let mut files = BTreeMap::new();
    files.insert(
        "admin/changes.rs".to_owned(),
        "//! x\nuse crate::wire::event;\n// crate::http in a comment is no use\n".to_owned(),
    );
    assert!(layering_violations(&files, &layer_of).is_empty());
    files.insert(
        "admin/api.rs".to_owned(),
        "//! x\nuse crate::{domain::License, http::InboundAuth};\n".to_owned(),
    );
    let violations = layering_violations(&files, &layer_of);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("crate::http"), "{violations:?}");
    files.insert("grown.rs".to_owned(), "//! a new module\n".to_owned());
    assert!(
        layering_violations(&files, &layer_of)
            .iter()
            .any(|v| v.contains("in no layer"))
    );
}

/// The folders of the workspace's member crates, read from the root manifest.
fn members() -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("the root Cargo.toml");
    let manifest: toml::Table = toml::from_str(&manifest).expect("a TOML manifest");
    manifest["workspace"]["members"]
        .as_array()
        .expect("workspace.members is a list")
        .iter()
        .map(|m| m.as_str().expect("a member folder").to_owned())
        .collect()
}

#[test]
fn every_source_file_of_every_crate_starts_with_a_module_doc_comment() {
    let members = members();
    assert!(
        members.iter().any(|m| m == "simulator"),
        "the simulator is a member: {members:?}"
    );
    let mut missing = Vec::new();
    for member in &members {
        let dir = format!("{member}/src");
        let files = sources(&root().join(&dir));
        assert!(!files.is_empty(), "{dir} holds no .rs file");
        for (file, source) in files {
            if !source.starts_with("//!") {
                missing.push(format!("{dir}/{file}"));
            }
        }
    }
    assert!(missing.is_empty(), "no `//!` first line: {missing:?}");
}

#[test]
fn sql_is_written_only_in_the_store() {
    const STATEMENTS: [&str; 5] = [
        "SELECT ",
        "INSERT INTO",
        "DELETE FROM",
        "CREATE TABLE",
        "ALTER TABLE",
    ];
    let mut found = Vec::new();
    for (file, source) in sources(&root().join("server/src")) {
        if file.starts_with("store/") {
            continue;
        }
        for (number, line) in code_of(&source).lines().enumerate() {
            let in_string = line.split('"').skip(1).step_by(2);
            if in_string
                .into_iter()
                .any(|text| STATEMENTS.iter().any(|s| text.contains(s)))
            {
                found.push(format!("server/src/{file}:{}", number + 1));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside store/: {found:?}");
}

#[test]
fn the_domain_knows_no_poem_sqlx_or_generated_type() {
    let found = names_used(
        "domain",
        &["poem", "sqlx", "obakit_api", "crate::wire", "crate::store"],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn the_use_cases_know_no_http_driver_or_wire_type() {
    // A use case holds the store's connections as opaque handles; statements, rows and the wire
    // are the store's and the wire mapping's.
    let found = names_used("usecase", &["poem", "sqlx", "obakit_api", "crate::wire"]);
    assert!(found.is_empty(), "{found:?}");
}

/// Where the files of `server/src/{module}` name one of `names` as a whole path segment.
fn names_used(module: &str, names: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, source) in sources(&root().join("server/src").join(module)) {
        let code = code_of(&source);
        for name in names {
            let uses = code.match_indices(name).any(|(at, _)| {
                !code[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    && !code[at + name.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if uses {
                found.push(format!("{module}/{file} names {name}"));
            }
        }
    }
    found
}

/// The crates of this workspace that `manifest` depends on, in any dependency table (normal, dev,
/// build, per target), under their package names.
fn workspace_dependencies(manifest: &str) -> Vec<String> {
    let manifest: toml::Table = toml::from_str(manifest).expect("a TOML manifest");
    let targets = manifest.get("target").and_then(toml::Value::as_table);
    let sections = std::iter::once(&manifest).chain(
        targets
            .into_iter()
            .flat_map(|t| t.values().filter_map(toml::Value::as_table)),
    );
    let mut names: Vec<String> = sections
        .flat_map(|section| {
            ["dependencies", "dev-dependencies", "build-dependencies"]
                .into_iter()
                .filter_map(|kind| section.get(kind).and_then(toml::Value::as_table))
        })
        .flat_map(|table| table.iter())
        .map(|(name, spec)| {
            // `alias = { package = "obakit-server", … }` depends on obakit-server all the same.
            spec.get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(name)
                .to_owned()
        })
        .filter(|name| name.starts_with("obakit-"))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The only workspace crates the simulator may use: the generated contract and its runtime.
const SIMULATOR_MAY_DEPEND_ON: [&str; 2] = ["obakit-api", "obakit-runtime"];

#[test]
fn the_simulator_crate_depends_on_no_server() {
    let manifest =
        std::fs::read_to_string(root().join("simulator/Cargo.toml")).expect("simulator/Cargo.toml");
    let outside: Vec<String> = workspace_dependencies(&manifest)
        .into_iter()
        .filter(|name| !SIMULATOR_MAY_DEPEND_ON.contains(&name.as_str()))
        .collect();
    assert!(
        outside.is_empty(),
        "obakit-simulator must know only the contract, yet depends on {outside:?}"
    );
}

#[test]
fn a_dependency_of_the_simulator_on_the_server_is_caught() {
    let clean = "[dependencies]\nobakit-api.workspace = true\nserde = \"1\"\n";
    assert_eq!(workspace_dependencies(clean), ["obakit-api"]);
    for manifest in [
        "[dependencies]\nobakit-server.workspace = true\n",
        "[dev-dependencies]\nobakit-server = { path = \"../server\" }\n",
        "[dependencies]\nserver = { package = \"obakit-server\", path = \"../server\" }\n",
        "[target.'cfg(unix)'.dependencies]\nobakit-server.workspace = true\n",
    ] {
        assert_eq!(
            workspace_dependencies(manifest),
            ["obakit-server"],
            "{manifest}"
        );
    }
}
