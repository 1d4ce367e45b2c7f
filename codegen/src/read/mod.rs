//! Read stage: files on disk → one self-contained OpenAPI 3.0 document per input spec.
//!
//! Loads YAML or JSON, converts Swagger 2.0 to OpenAPI 3.0 and lowers OpenAPI 3.1 to it, resolves `$ref`s that point into other
//! files (copying external component schemas into the document and remembering where each came
//! from), and deserializes into `openapiv3::OpenAPI`. Every problem becomes a [`Diagnostic`] with the
//! file and JSON pointer. This is the only module that knows the on-disk formats.
//!
//! The steps, one submodule each: `load` (file → JSON value), `version` (which specification), `bundle`
//! (cross-file references, in the document's own dialect so Swagger 2.0 fragments are converted along with
//! the rest), `swagger2` (2.0 → 3.0), `openapi31` (3.1 → 3.0), `tolerate` (constructs that break the
//! rules cost only their schema or operation, with a warning), `parse` (JSON → openapiv3, with pointers on
//! failure). `refs` knows where references can occur; `schemas` where schemas can; `pointer` handles JSON
//! pointers and `$ref` strings; `loose_yaml` reads YAML with integers beyond 64 bits.

mod bundle;
mod load;
mod loose_yaml;
mod openapi31;
mod operations;
mod parse;
mod pointer;
mod refs;
mod schemas;
mod swagger2;
mod tolerate;
mod version;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::diag::{Diagnostic, Diagnostics};

use self::bundle::Provenance;
use self::version::Dialect;

/// One input spec after reading: self-contained, OpenAPI 3.0, every `$ref` local.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The file given to the generator.
    pub path: PathBuf,
    /// The bundled document: external references were copied into `components`; all `$ref`s are local (`#/...`).
    pub document: openapiv3::OpenAPI,
    /// The same bundled document as JSON, for `x-` extensions and pointers the typed model does not carry.
    pub raw: serde_json::Value,
    /// For every entry of `components.schemas`: the file that defines it (`path` itself for local ones).
    pub schema_origins: IndexMap<String, PathBuf>,
    /// True when the input was Swagger 2.0 and was converted.
    pub converted_from_swagger2: bool,
    /// True when the input was OpenAPI 3.1 and was lowered to 3.0.
    pub lowered_from_openapi31: bool,
    /// What was read with a loss (a 3.1 keyword without 3.0 equivalent, a construct that breaks the
    /// rules and costs only its schema or operation), each with its file and pointer.
    pub warnings: Vec<Diagnostic>,
}

/// Reads one spec file (and every file it references).
///
/// Problems are collected across all steps that can still run: a broken reference does not hide a type
/// error elsewhere. The diagnostics come back sorted by file and pointer.
pub fn read_spec(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    let root = load::load_file(path)?;
    let dialect = version::detect(&root, path)?;
    let openapi31 = version::is_openapi_3_1(&root);
    let (bundle, mut diags) = bundle::bundle(path, root, dialect);
    let bundle::Bundle {
        document: bundled,
        schema_origins,
        provenance,
    } = bundle;

    let mut losses = Vec::new();
    let mut raw = match dialect {
        Dialect::OpenApi3 if openapi31 => {
            let mut lowered = bundled;
            losses.extend(openapi31::lower(&mut lowered));
            lowered
        }
        Dialect::OpenApi3 => bundled,
        Dialect::Swagger2 => {
            let (converted, conversion) = swagger2::convert(&bundled, path);
            diags.extend(conversion);
            converted
        }
    };
    losses.extend(tolerate::apply(&mut raw));
    // Bundling or conversion problems can leave references that point nowhere; they are reported already.
    let check_references = diags.is_empty();
    let locate = Locator {
        path,
        dialect,
        provenance: &provenance,
    };
    let mut warnings: Vec<Diagnostic> = losses
        .into_iter()
        .map(|(at, message)| locate.diagnostic(&at, message))
        .collect();
    warnings.sort();

    let document = match parse::parse(&raw) {
        Ok(document) => Some(document),
        Err(failures) => {
            for (at, message) in failures {
                diags.push(locate.diagnostic(&at, message));
            }
            None
        }
    };
    // After a clean bundle and conversion every reference is local and resolves; anything else is a bug.
    if check_references {
        for (at, message) in refs::dangling(&raw) {
            diags.push(locate.diagnostic(&at, message));
        }
    }
    diags.into_result(())?;
    let document = document.expect("a failed parse always leaves diagnostics");
    Ok(LoadedSpec {
        path: path.to_path_buf(),
        document,
        raw,
        schema_origins,
        converted_from_swagger2: dialect == Dialect::Swagger2,
        lowered_from_openapi31: openapi31,
        warnings,
    })
}

/// Turns a pointer into the final document into the file and pointer a reader should look at.
struct Locator<'a> {
    path: &'a Path,
    dialect: Dialect,
    provenance: &'a Provenance,
}

impl Locator<'_> {
    fn diagnostic(&self, at: &str, message: String) -> Diagnostic {
        let source = match self.dialect {
            Dialect::OpenApi3 => Some(at.to_owned()),
            Dialect::Swagger2 => swagger2::source_pointer(at),
        };
        match source {
            Some(source) => match self.provenance.locate(&source) {
                Some((file, pointer)) => Diagnostic::new(file, pointer, message),
                None => Diagnostic::new(self.path, source, message),
            },
            None => Diagnostic::new(
                self.path,
                at,
                format!(
                    "{message} (pointer into the document as converted to OpenAPI {})",
                    swagger2::CONVERTED_VERSION
                ),
            ),
        }
    }
}
