//! Root components that only point at another file take its content in place.

use std::path::Path;

use serde_json::Value;

use super::super::pointer::{self, split_ref};
use super::super::refs::{self, Site};
use super::super::version::Dialect;
use super::files::normalize;
use super::kind::Kind;
use super::merge::with_name;
use super::{Bundler, Frame, ROOT};

impl Bundler {
    /// Registers root components that are nothing but a reference into another file (`Pet: {$ref:
    /// pet.yaml}`, the usual way to split a spec): the component takes that file's content in place, and
    /// every other reference to the same node names the component instead of copying it again.
    pub(super) fn find_aliases(&mut self, root: &Value, root_path: &Path) {
        let base = root_path.parent().unwrap_or(Path::new(""));
        for kind in Kind::ALL {
            let Some(section) = kind.section(self.dialect) else {
                continue;
            };
            let Some(entries) = section
                .iter()
                .try_fold(root, |v, k| v.get(*k))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (name, entry) in entries {
                let Some(reference) = refs::ref_str(entry).filter(|r| !r.starts_with('#')) else {
                    continue;
                };
                let Ok(target) = split_ref(reference) else {
                    continue;
                };
                // Failures are reported when the walk reaches this reference; here they only disqualify.
                let Ok(Some(file)) = self.open(&normalize(&base.join(&target.file))) else {
                    continue;
                };
                if file == ROOT || self.files[file].value.pointer(&target.pointer).is_none() {
                    continue;
                }
                let slot = pointer::from_tokens(&with_name(section, name));
                self.copied
                    .entry((file, target.pointer.clone()))
                    .or_insert_with(|| pointer::local_ref(&slot));
                self.aliases
                    .insert(slot, (file, target.pointer, kind, name.clone()));
            }
        }
    }

    /// The content of an aliased root component, walked in the context of the file it comes from.
    pub(super) fn fill_alias(
        &mut self,
        file: usize,
        target: &str,
        kind: Kind,
        name: &str,
        slot: &str,
    ) -> Value {
        let mut value = self.files[file]
            .value
            .pointer(target)
            .cloned()
            .unwrap_or(Value::Null);
        let origin = self.files[file].path.clone();
        self.provenance
            .entries
            .push((slot.to_owned(), origin.clone(), target.to_owned()));
        let map_key = kind
            .section(self.dialect)
            .and_then(|s| s.last().copied())
            .unwrap_or("schemas");
        self.frames.push(Frame {
            file,
            source: target.to_owned(),
            bundled: Some(slot.to_owned()),
        });
        refs::walk(
            &mut value,
            &Site::entry(target, map_key, name),
            self.dialect == Dialect::Swagger2,
            self,
        );
        self.frames.pop();
        if kind == Kind::Schemas {
            self.alias_origins.insert(name.to_owned(), origin);
        }
        value
    }
}
