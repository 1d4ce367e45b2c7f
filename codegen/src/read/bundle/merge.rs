//! Copied components into the document: each under its name, clashes reported, origins recorded.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::diag::Diagnostic;

use super::super::pointer;
use super::Bundler;
use super::kind::Kind;

/// One component copied from another file, with any other component that wanted the same name.
pub(super) struct Added {
    pub(super) origin: PathBuf,
    /// `file#pointer` of the copied node, for messages.
    pub(super) source: String,
    pub(super) value: Option<Value>,
    pub(super) rivals: Vec<Rival>,
}

/// A second, different node copied under a name already taken.
pub(super) struct Rival {
    pub(super) source: String,
    pub(super) value: Option<Value>,
    /// Where the reference that brought it in is.
    pub(super) site_file: PathBuf,
    pub(super) site_pointer: String,
}

impl Bundler {
    /// Moves the copied components into `document` and reports names taken twice by different content.
    /// Returns the origin of every schema, in the order of the final schema section.
    pub(super) fn merge(
        &mut self,
        document: &mut Value,
        root_path: &Path,
    ) -> IndexMap<String, PathBuf> {
        let mut origins = IndexMap::new();
        if let Some(local) = self.section(document, Kind::Schemas) {
            for name in local.keys() {
                let origin = self
                    .alias_origins
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| root_path.to_path_buf());
                origins.insert(name.clone(), origin);
            }
        }
        let added = std::mem::take(&mut self.added);
        // Grouped by kind so the document's sections come out in one fixed order.
        for kind in Kind::ALL {
            for ((_, name), copy) in added.iter().filter(|((k, _), _)| *k == kind) {
                self.report_rivals(kind, name, copy);
                if self.insert(document, root_path, kind, name, copy) && kind == Kind::Schemas {
                    origins.insert(name.clone(), copy.origin.clone());
                }
            }
        }
        origins
    }

    /// Other files' nodes that wanted the same name with different content.
    fn report_rivals(&mut self, kind: Kind, name: &str, copy: &Added) {
        for rival in copy.rivals.iter().filter(|r| r.value != copy.value) {
            let noun = kind.noun();
            self.diags.push(Diagnostic::new(
                &rival.site_file,
                &rival.site_pointer,
                format!(
                    "{noun} `{name}` from {} clashes with a different {noun} of the same name from {}",
                    rival.source, copy.source
                ),
            ));
        }
    }

    /// Adds one copy to its section; true when it was added, false when the root already had the name.
    fn insert(
        &mut self,
        document: &mut Value,
        root_path: &Path,
        kind: Kind,
        name: &str,
        copy: &Added,
    ) -> bool {
        let section_path = kind
            .section(self.dialect)
            .expect("copied only for kinds with a section");
        let section_pointer = pointer::from_tokens(section_path);
        let slot = pointer::from_tokens(&with_name(section_path, name));
        let noun = kind.noun();
        let value = copy.value.clone().unwrap_or(Value::Null);
        let Some(section) = section_mut(document, section_path) else {
            let message = format!(
                "cannot add {noun} `{name}` from {}: {section_pointer} is not a mapping",
                copy.source
            );
            self.diags
                .push(Diagnostic::new(root_path, section_pointer, message));
            return false;
        };
        match section.get(name) {
            None => {
                section.insert(name.to_owned(), value);
                true
            }
            Some(existing) if *existing == value => false,
            Some(_) => {
                let message = format!(
                    "{noun} `{name}` copied from {} clashes with a different {noun} of the same name at {}#{slot}",
                    copy.source,
                    root_path.display()
                );
                self.diags.push(Diagnostic::new(root_path, slot, message));
                false
            }
        }
    }

    pub(super) fn section<'d>(
        &self,
        document: &'d Value,
        kind: Kind,
    ) -> Option<&'d Map<String, Value>> {
        let path = kind.section(self.dialect)?;
        path.iter().try_fold(document, |v, k| v.get(k))?.as_object()
    }
}

pub(super) fn with_name(section: &[&str], name: &str) -> Vec<String> {
    section
        .iter()
        .map(|s| (*s).to_owned())
        .chain([name.to_owned()])
        .collect()
}

/// The mapping at `path` in `document`, created (at the end of its parent) when missing; `None` when
/// something else is in the way, which the parse step then reports.
fn section_mut<'d>(document: &'d mut Value, path: &[&str]) -> Option<&'d mut Map<String, Value>> {
    let mut at = document;
    for key in path {
        at = at
            .as_object_mut()?
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    at.as_object_mut()
}
