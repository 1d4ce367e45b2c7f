//! Copy or inline: what a reference into another file becomes, and doing it with the file's context.

use serde_json::Value;

use super::super::pointer;
use super::super::refs::{self, Site};
use super::super::version::Dialect;
use super::files::file_stem;
use super::kind::Kind;
use super::merge::{Added, Rival};
use super::{Bundler, Frame};

/// What to do with one reference into another file.
pub(super) enum Plan {
    Copy(Kind, String),
    Inline,
}

impl Bundler {
    /// Copy under a component name, or inline: by the target's place in its file, else by the reference's.
    pub(super) fn plan(&self, file: usize, target: &str, site: &Site<'_>) -> Plan {
        let tokens = pointer::tokens(target).unwrap_or_default();
        let slot = match tokens.as_slice() {
            [c, kind, name] if c == "components" => {
                Kind::from_components_key(kind).map(|k| (k, name.clone()))
            }
            [section, name] if section == "definitions" => Some((Kind::Schemas, name.clone())),
            [section, name] if section == "parameters" => Some((Kind::Parameters, name.clone())),
            [section, name] if section == "responses" => Some((Kind::Responses, name.clone())),
            // A schema in a file of its own, or at the top of a file of schemas: it has no other name.
            [] if site.is_schema() => Some((Kind::Schemas, file_stem(&self.files[file].path))),
            [name] if site.is_schema() => Some((Kind::Schemas, name.clone())),
            _ => None,
        };
        match slot {
            Some((kind, name)) if kind.section(self.dialect).is_some() => Plan::Copy(kind, name),
            _ => Plan::Inline,
        }
    }

    /// Copies the node into the root's section for `kind` (once per node) and returns the local `$ref`
    /// that names it. A different node that wants a taken name is remembered as a rival for `merge`.
    pub(super) fn copy(
        &mut self,
        kind: Kind,
        name: String,
        file: usize,
        target: &str,
        site: &Site<'_>,
    ) -> String {
        if let Some(local) = self.copied.get(&(file, target.to_owned())) {
            return local.clone();
        }
        let section = kind
            .section(self.dialect)
            .expect("planned only for kinds with a section");
        let bundled: Vec<&str> = section.iter().copied().chain([name.as_str()]).collect();
        let bundled = pointer::from_tokens(&bundled);
        let local = pointer::local_ref(&bundled);
        self.copied.insert((file, target.to_owned()), local.clone());

        let source = format!("{}#{}", self.files[file].path.display(), target);
        let key = (kind, name.clone());
        let rival = match self.added.get_mut(&key) {
            None => {
                let origin = self.files[file].path.clone();
                self.added.insert(
                    key.clone(),
                    Added {
                        origin,
                        source,
                        value: None,
                        rivals: Vec::new(),
                    },
                );
                None
            }
            Some(added) => {
                let current = self.frames.last().expect("root frame").file;
                added.rivals.push(Rival {
                    source,
                    value: None,
                    site_file: self.files[current].path.clone(),
                    site_pointer: pointer::push(site.pointer, "$ref"),
                });
                Some(added.rivals.len() - 1)
            }
        };

        let mut value = self.files[file]
            .value
            .pointer(target)
            .cloned()
            .unwrap_or(Value::Null);
        let map_key = section.last().copied().unwrap_or("schemas");
        if rival.is_none() {
            self.provenance.entries.push((
                bundled.clone(),
                self.files[file].path.clone(),
                target.to_owned(),
            ));
        }
        self.frames.push(Frame {
            file,
            source: target.to_owned(),
            bundled: rival.is_none().then_some(bundled.clone()),
        });
        refs::walk(
            &mut value,
            &Site::entry(target, map_key, &name),
            self.dialect == Dialect::Swagger2,
            self,
        );
        self.frames.pop();

        let added = self.added.get_mut(&key).expect("inserted above");
        match rival {
            None => added.value = Some(value),
            Some(i) => added.rivals[i].value = Some(value),
        }
        local
    }

    /// The node itself, its references resolved from its own file; `None` when it is being inlined
    /// already (a cycle that only a named component could express).
    pub(super) fn inline(
        &mut self,
        file: usize,
        target: &str,
        reference: &str,
        site: &Site<'_>,
    ) -> Option<Value> {
        let key = (file, target.to_owned());
        if self.inlining.contains(&key) {
            let current = self.frame().file;
            self.diag(
                current,
                &pointer::push(site.pointer, "$ref"),
                format!("`$ref` \"{reference}\" is circular and cannot be inlined (only schemas may refer to themselves)"),
            );
            return None;
        }
        let mut value = self.files[file].value.pointer(target).cloned()?;
        let bundled = self.bundled_pointer(site.pointer);
        if let Some(bundled) = &bundled {
            self.provenance.entries.push((
                bundled.clone(),
                self.files[file].path.clone(),
                target.to_owned(),
            ));
        }
        self.inlining.push(key);
        self.frames.push(Frame {
            file,
            source: target.to_owned(),
            bundled,
        });
        // The inlined node takes the reference's place, so it keeps the reference's position.
        let inner = Site {
            pointer: target,
            ..*site
        };
        refs::walk(&mut value, &inner, self.dialect == Dialect::Swagger2, self);
        self.frames.pop();
        self.inlining.pop();
        Some(value)
    }
}
