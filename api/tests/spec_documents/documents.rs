//! The documents of `spec/` loaded as JSON, their `$ref`s resolved and their nodes walked: what
//! every check below reads the specs through.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub(crate) const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(crate) fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// Every OpenAPI document in `spec/`, sorted by name.
pub(crate) fn spec_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(spec_dir())
        .expect("spec/ is readable")
        .map(|entry| entry.expect("spec/ entry is readable").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    paths.sort();
    paths
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// The documents of `spec/` as JSON values, keyed by file name.
pub(crate) struct Specs {
    pub(crate) docs: BTreeMap<String, Value>,
}

/// Where a `$ref` points: the file holding the target, the JSON pointer inside it, and the node.
pub(crate) struct Target<'a> {
    pub(crate) file: &'a str,
    pub(crate) pointer: String,
    pub(crate) node: &'a Value,
}

impl Specs {
    pub(crate) fn load() -> Self {
        let docs = spec_paths()
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("spec file is readable");
                let value: Value = serde_yaml::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not YAML/JSON: {e}", path.display()));
                (file_name(path), value)
            })
            .collect();
        Specs { docs }
    }

    pub(crate) fn from_docs<'s>(docs: impl IntoIterator<Item = (&'s str, Value)>) -> Self {
        Specs {
            docs: docs
                .into_iter()
                .map(|(name, doc)| (name.to_owned(), doc))
                .collect(),
        }
    }

    pub(crate) fn doc(&self, file: &str) -> &Value {
        &self.docs[file]
    }

    /// Resolves `reference`, written in `file`. Only relative references to files beside `file` exist in `spec/`.
    pub(crate) fn resolve(&self, file: &str, reference: &str) -> Result<Target<'_>, String> {
        let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target_file = if file_part.is_empty() {
            file
        } else {
            file_part.trim_start_matches("./")
        };
        let (target_file, doc) = self.docs.get_key_value(target_file).ok_or_else(|| {
            format!("{file}: `$ref: {reference}` names a file that is not in spec/")
        })?;
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(format!(
                "{file}: `$ref: {reference}` has a fragment that is not a JSON pointer"
            ));
        }
        let node = doc.pointer(fragment).ok_or_else(|| {
            format!("{file}: `$ref: {reference}` points at nothing in {target_file}")
        })?;
        Ok(Target {
            file: target_file,
            pointer: fragment.to_owned(),
            node,
        })
    }

    /// Follows `$ref`s from `node` (found in `file`) to a node that is not a reference.
    pub(crate) fn deref<'a>(
        &'a self,
        file: &'a str,
        node: &'a Value,
    ) -> Result<Target<'a>, String> {
        let mut target = Target {
            file,
            pointer: String::new(),
            node,
        };
        for _ in 0..32 {
            match target.node.get("$ref").and_then(Value::as_str) {
                Some(reference) => target = self.resolve(target.file, reference)?,
                None => return Ok(target),
            }
        }
        Err(format!("{file}: a chain of more than 32 `$ref`s"))
    }

    /// Every operation: (file, path, method, operation).
    pub(crate) fn operations(&self) -> Vec<(&str, &str, &str, &Value)> {
        let mut operations = Vec::new();
        for (file, doc) in &self.docs {
            let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for (path, item) in paths {
                for method in HTTP_METHODS {
                    if let Some(operation) = item.get(method) {
                        operations.push((file.as_str(), path.as_str(), method, operation));
                    }
                }
            }
        }
        operations
    }
}

/// Calls `visit` on every node of `value` with its JSON pointer.
pub(crate) fn walk<'a>(value: &'a Value, pointer: &str, visit: &mut dyn FnMut(&'a Value, &str)) {
    visit(value, pointer);
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                walk(child, &format!("{pointer}/{escaped}"), visit);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, &format!("{pointer}/{index}"), visit);
            }
        }
        _ => {}
    }
}

/// Every `$ref` of `file`: (pointer of the referencing node, reference).
pub(crate) fn refs_of(doc: &Value) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    walk(doc, "", &mut |node, pointer| {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            refs.push((pointer.to_owned(), reference.to_owned()));
        }
    });
    refs
}

/// The reasons why some `$ref`s of the documents do not resolve.
pub(crate) fn unresolved_refs(specs: &Specs) -> Vec<String> {
    let mut failures = Vec::new();
    for (file, doc) in &specs.docs {
        for (pointer, reference) in refs_of(doc) {
            if let Err(reason) = specs.resolve(file, &reference) {
                failures.push(format!("{file}#{pointer}: {reason}"));
            }
        }
    }
    failures
}
