//! Read stage: files on disk → one self-contained OpenAPI 3.0 document per input spec.
//!
//! Loads YAML or JSON, converts Swagger 2.0 to OpenAPI 3.0, resolves `$ref`s that point into other
//! files (copying external component schemas into the document and remembering where each came
//! from), and deserializes into `openapiv3::OpenAPI`. Every problem becomes a [`Diagnostic`] with the
//! file and JSON pointer. This is the only module that knows the on-disk formats.
//!
//! The steps, one submodule each: `load` (file → JSON value), `version` (which specification), `bundle`
//! (cross-file references, in the document's own dialect so Swagger 2.0 fragments are converted along with
//! the rest), `swagger2` (2.0 → 3.0), `parse` (JSON → openapiv3, with pointers on failure). `refs` knows
//! where references can occur; `pointer` handles JSON pointers and `$ref` strings.

mod bundle;
mod load;
mod parse;
mod pointer;
mod refs;
mod swagger2;
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
}

/// Reads one spec file (and every file it references).
///
/// Problems are collected across all steps that can still run: a broken reference does not hide a type
/// error elsewhere. The diagnostics come back sorted by file and pointer.
pub fn read_spec(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    let root = load::load_file(path)?;
    let dialect = version::detect(&root, path)?;
    let (bundle, mut diags) = bundle::bundle(path, root, dialect);
    let bundle::Bundle {
        document: bundled,
        schema_origins,
        provenance,
    } = bundle;

    let raw = match dialect {
        Dialect::OpenApi3 => bundled,
        Dialect::Swagger2 => {
            let (converted, conversion) = swagger2::convert(&bundled, path);
            diags.extend(conversion);
            converted
        }
    };
    // Bundling or conversion problems can leave references that point nowhere; they are reported already.
    let check_references = diags.is_empty();
    let locate = Locator {
        path,
        dialect,
        provenance: &provenance,
    };

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
