//! `obakit-codegen diff`: what changed between two revisions of an API, judged from the side the code
//! was generated for, and which generated Rust items each change touches.
//!
//! Both documents go through the same read stage as `generate` (external `$ref`s resolved, Swagger 2.0
//! converted), so a revision that also changes the document's syntax is compared on what it means.
//! The comparison itself is structural and runs on the bundled JSON: operations are matched by method
//! and path (then by `operationId`, which finds moved paths), and schemas are compared by following
//! `$ref`s from each operation, so every change is attributed to the operations it affects. The
//! model the generator builds names the Rust items.
//!
//! Submodules: `document` (a bundled document: references, operations), `operations` (operation-level
//! changes: paths, roles, parameters, bodies, responses, security, callbacks), `schemas` (structural
//! schema comparison and renamed components), `severity` (who a change breaks), `rust_items` (the
//! generated names), `report` (text, Markdown, JSON).

mod document;
mod operations;
pub mod report;
mod rust_items;
mod schemas;
mod severity;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::read::{LoadedSpec, read_spec};

pub use severity::Severity;

/// Which side of each role the code was generated for.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Roles (`x-obakit-role`) whose operations you serve, beyond the default `partner`.
    pub serve: Vec<String>,
    /// Roles whose operations you call, beyond the default `orange`.
    pub call: Vec<String>,
}

impl DiffOptions {
    /// True when the operations of `role` are served by the code the report is for. `partner`
    /// (Orange calls the partner) is served and `orange` (the partner calls Orange) is called unless
    /// the options say otherwise; any other role, and operations without one, are served.
    pub fn serves(&self, role: &str) -> bool {
        if self.serve.iter().any(|r| r == role) {
            return true;
        }
        if self.call.iter().any(|r| r == role) {
            return false;
        }
        role != "orange"
    }
}

/// One change between the two revisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub severity: Severity,
    /// A stable, kebab-case name of what changed (`property-removed`, `enum-value-added`…).
    pub kind: &'static str,
    /// `METHOD /path` of the operation the change affects (its new path when it moved), or `None`
    /// for a document-level change.
    pub operation: Option<String>,
    /// Where the change is in the old document (RFC 6901 pointer after reading, with `#`).
    pub old_pointer: Option<String>,
    /// Where the change is in the new document.
    pub new_pointer: Option<String>,
    pub message: String,
    /// The generated Rust items the change touches, most specific last.
    pub rust: Vec<String>,
}

/// Every change between two revisions, in document order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub old: String,
    pub new: String,
    pub changes: Vec<Change>,
    /// Why Rust items could not be named for a revision (the model could not be built), if so.
    #[serde(skip)]
    pub notes: Vec<String>,
    /// The roles of either revision, each with whether its operations are served (else called).
    #[serde(skip)]
    pub roles: Vec<(String, bool)>,
}

impl Report {
    /// `you serve `partner`; you call `orange``, for the reports' headers.
    pub fn sides(&self) -> String {
        let list = |served: bool| {
            self.roles
                .iter()
                .filter(|(_, s)| *s == served)
                .map(|(r, _)| {
                    if r.is_empty() {
                        "operations without a role".to_owned()
                    } else {
                        format!("`{r}`")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (serve, call) = (list(true), list(false));
        match (serve.is_empty(), call.is_empty()) {
            (false, false) => format!("judged as the side that serves {serve} and calls {call}"),
            (false, true) => format!("judged as the side that serves {serve}"),
            (true, false) => format!("judged as the side that calls {call}"),
            (true, true) => "no operations".to_owned(),
        }
    }
}

/// The number of changes of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub breaking: usize,
    pub warning: usize,
    pub info: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.severity {
                Severity::Breaking => s.breaking += 1,
                Severity::Warning => s.warning += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }

    /// The most severe change, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.changes.iter().map(|c| c.severity).max()
    }
}

/// Why a diff could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{path}: cannot be read:\n{diags}")]
    Read { path: PathBuf, diags: Diagnostics },
}

/// Reads both documents and compares them.
pub fn diff_files(old: &Path, new: &Path, options: &DiffOptions) -> Result<Report, DiffError> {
    let read = |path: &Path| {
        read_spec(path).map_err(|diags| DiffError::Read {
            path: path.to_path_buf(),
            diags,
        })
    };
    let old_spec = read(old)?;
    let new_spec = read(new)?;
    Ok(diff_specs(&old_spec, &new_spec, options))
}

/// Compares two documents already read.
pub fn diff_specs(old: &LoadedSpec, new: &LoadedSpec, options: &DiffOptions) -> Report {
    let mut notes = Vec::new();
    let old_names = rust_items::RustNames::build(old, &mut notes);
    let new_names = rust_items::RustNames::build(new, &mut notes);
    let old_doc = document::Document::new(&old.raw, old_names);
    let new_doc = document::Document::new(&new.raw, new_names);
    let changes = operations::compare(&old_doc, &new_doc, options);
    let mut roles: Vec<(String, bool)> = Vec::new();
    for op in old_doc.operations().iter().chain(&new_doc.operations()) {
        if !roles.iter().any(|(r, _)| r == op.role()) {
            roles.push((op.role().to_owned(), options.serves(op.role())));
        }
    }
    Report {
        old: old.path.display().to_string(),
        new: new.path.display().to_string(),
        changes,
        notes,
        roles,
    }
}
