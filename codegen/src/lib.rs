//! obakit-codegen: OpenAPI documents in, typed poem-openapi server traits and reqwest clients out.
//!
//! Three stages, each its own module, each handing a finished value to the next:
//! [`read`] (files → self-contained OpenAPI 3.0 documents), [`model`] (documents → an intermediate
//! representation that owns every naming and typing decision) and [`write`] (model → Rust and
//! Markdown files). `api/build.rs`, the `obakit-codegen` binary and the tests all call [`generate`].
//! [`diff`] compares two revisions of a document on the first two stages (`obakit-codegen diff`).

pub mod diag;
pub mod diff;
pub mod model;
mod project;
pub mod read;
pub mod write;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Diagnostics};
pub use model::RoleSelection;
pub use project::{discover_api_specs, obakit_api_settings};
pub use write::{Files, WriteSettings};

/// The path generated code names the runtime by unless told otherwise: the `obakit-runtime` crate,
/// which a crate including generated code depends on.
pub const DEFAULT_RUNTIME_PATH: &str = "::obakit_runtime";

/// What to generate from which specs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The specs generated together (they may share schema files); each becomes one API module.
    pub specs: Vec<PathBuf>,
    pub roles: RoleSelection,
    pub write: WriteSettings,
    /// Paths in generated files are written relative to this folder, so output does not depend on
    /// where the checkout is.
    pub display_root: Option<PathBuf>,
}

impl Settings {
    /// Defaults for generating code into a crate that depends on `obakit-runtime` for the runtime.
    pub fn new(specs: Vec<PathBuf>) -> Self {
        Self {
            specs,
            roles: RoleSelection::default(),
            write: WriteSettings {
                runtime_path: DEFAULT_RUNTIME_PATH.to_owned(),
                provided_request_errors: false,
                regenerate_command: "obakit-codegen generate <specs> --out <folder>".to_owned(),
            },
            display_root: None,
        }
    }
}

impl Settings {
    /// The `obakit-codegen generate` arguments that reproduce these settings into `out`, with paths
    /// relative to the display root.
    pub fn command_line(&self, out: &Path) -> String {
        let root = self.display_root.as_deref();
        let mut words = vec!["generate".to_owned()];
        words.extend(
            self.specs
                .iter()
                .map(|p| relative(p, root).display().to_string()),
        );
        words.push(format!("--out {}", relative(out, root).display()));
        if self.write.runtime_path != DEFAULT_RUNTIME_PATH {
            words.push(format!("--runtime-path {}", self.write.runtime_path));
        }
        if let Some(roles) = &self.roles.servers {
            words.push(format!("--server-roles {}", roles.join(",")));
        }
        if let Some(roles) = &self.roles.clients {
            words.push(format!("--client-roles {}", roles.join(",")));
        }
        if self.write.provided_request_errors {
            words.push("--provided-request-errors".to_owned());
        }
        words.join(" ")
    }
}

/// The generated files and what was skipped.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Files,
    /// Features of the inputs the generator does not support (generation went on without them).
    pub unsupported: Vec<Diagnostic>,
    /// How many operations the generated code serves and calls, over all specs (an operation using
    /// an unsupported feature may be left out, and is then among `unsupported`).
    pub operations: usize,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Spec(Diagnostics),
    #[error("{0}")]
    Write(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads the specs, builds the model and writes every file in memory.
pub fn generate(settings: &Settings) -> Result<Generated, Error> {
    let mut diags = Diagnostics::default();
    let mut specs = Vec::new();
    for path in &settings.specs {
        match read::read_spec(path) {
            Ok(spec) => specs.push(spec),
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(Error::Spec(relative_diags(
            diags,
            settings.display_root.as_deref(),
        )));
    }
    let mut model = model::build(&specs, &settings.roles)
        .map_err(|d| Error::Spec(relative_diags(d, settings.display_root.as_deref())))?;
    if let Some(root) = &settings.display_root {
        relativize(&mut model, root);
    }
    let files = write::write(&model, &settings.write).map_err(Error::Write)?;
    let operations = model.apis.iter().map(|api| api.operations.len()).sum();
    Ok(Generated {
        files,
        unsupported: model.unsupported,
        operations,
    })
}

/// `path` relative to `root`, climbing out of it with `..` when needed; as it is without a root, or
/// when the two share no ancestor.
fn relative(path: &Path, root: Option<&Path>) -> PathBuf {
    let Some(root) = root else {
        return path.to_path_buf();
    };
    if let Ok(inside) = path.strip_prefix(root) {
        return inside.to_path_buf();
    }
    let path_parts: Vec<_> = path.components().collect();
    let root_parts: Vec<_> = root.components().collect();
    let common = path_parts
        .iter()
        .zip(&root_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 || path.is_absolute() != root.is_absolute() {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..root_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part);
    }
    out
}

fn relative_diags(mut diags: Diagnostics, root: Option<&Path>) -> Diagnostics {
    for d in &mut diags.0 {
        relative_diag(d, root);
    }
    diags
}

/// A diagnostic's file, and any other place its message names, relative to the display root.
fn relative_diag(d: &mut Diagnostic, root: Option<&Path>) {
    d.file = relative(&d.file, root);
    if let Some(root) = root {
        let prefix = format!("{}/", root.display());
        d.message = d.message.replace(&prefix, "");
    }
}

fn relativize(model: &mut model::Model, root: &Path) {
    for m in model.modules.values_mut() {
        m.source = relative(&m.source, Some(root));
        for t in m.types.values_mut() {
            t.origin.0 = relative(&t.origin.0, Some(root));
        }
    }
    for a in &mut model.apis {
        a.source = relative(&a.source, Some(root));
    }
    for d in &mut model.unsupported {
        relative_diag(d, Some(root));
    }
}

/// Writes files under `dir`, removing generated files that are no longer produced.
pub fn write_dir(files: &Files, dir: &Path) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    for existing in list_files(dir) {
        let rel = existing
            .strip_prefix(dir)
            .unwrap_or(&existing)
            .to_path_buf();
        if !files.contains_key(&rel) {
            std::fs::remove_file(&existing).map_err(io(&existing))?;
        }
    }
    for (rel, content) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // Unchanged files are left alone so their timestamps do not trigger rebuilds.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            std::fs::write(&path, content).map_err(io(&path))?;
        }
    }
    Ok(())
}

/// The differences between `files` and the folder `dir`: one line per stale, missing or extra file.
pub fn check_dir(files: &Files, dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, content) in files {
        match std::fs::read_to_string(dir.join(rel)) {
            Ok(existing) if &existing == content => {}
            Ok(_) => problems.push(format!("{} is stale", dir.join(rel).display())),
            Err(_) => problems.push(format!("{} is missing", dir.join(rel).display())),
        }
    }
    for existing in list_files(dir) {
        let rel = existing
            .strip_prefix(dir)
            .unwrap_or(&existing)
            .to_path_buf();
        if !files.contains_key(&rel) {
            problems.push(format!("{} is no longer generated", existing.display()));
        }
    }
    problems
}

fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::{Path, PathBuf};

    #[test]
    fn paths_are_written_relative_to_the_root_even_outside_it() {
        let root = Some(Path::new("/w/x"));
        assert_eq!(
            relative(Path::new("/w/x/a.yaml"), root),
            PathBuf::from("a.yaml")
        );
        assert_eq!(relative(Path::new("/w/out"), root), PathBuf::from("../out"));
        assert_eq!(relative(Path::new("/w/x"), root), PathBuf::new());
        assert_eq!(
            relative(Path::new("rel/a.yaml"), root),
            PathBuf::from("rel/a.yaml")
        );
        assert_eq!(relative(Path::new("/w/a"), None), PathBuf::from("/w/a"));
    }
}
