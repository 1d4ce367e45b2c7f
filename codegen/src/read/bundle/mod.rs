//! Cross-file `$ref`s: makes a document self-contained by copying or inlining everything it references.
//!
//! A reference to a component of another file (`other.yaml#/components/schemas/X`, or Swagger 2.0's
//! `#/definitions/X`) copies the component into the root document under its own name; every other
//! reference into another file is replaced by the node it points to. Copied and inlined nodes are walked
//! in the context of *their* file, so their own relative references resolve from there. A component is
//! registered before its content is walked, which is what keeps recursive schemas from looping.
//!
//! [`place`] decides between copying and inlining and does either, [`alias`] handles root components that
//! only point at a file, [`merge`] moves the copies into the document and reports name clashes,
//! [`provenance`] maps bundled pointers back to their files, [`files`] identifies files on disk.

mod alias;
mod files;
mod kind;
mod merge;
mod place;
mod provenance;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Diagnostics};

use super::load::load_file;
use super::pointer::{self, split_ref};
use super::refs::{self, RefVisitor, Site};
use super::version::Dialect;

use self::files::{SourceFile, identity, normalize};
use self::kind::Kind;
use self::merge::Added;
use self::place::Plan;
pub(crate) use self::provenance::Provenance;

/// The self-contained document plus where its parts came from.
#[derive(Debug)]
pub(crate) struct Bundle {
    pub(crate) document: Value,
    /// Schema name → the file defining it, in the order of the bundled schema section.
    pub(crate) schema_origins: IndexMap<String, PathBuf>,
    /// Pointer prefixes of the bundled document that came from other files.
    pub(crate) provenance: Provenance,
}

/// Bundles `root` (already loaded from `root_path`) into one self-contained document.
pub(crate) fn bundle(root_path: &Path, root: Value, dialect: Dialect) -> (Bundle, Diagnostics) {
    let mut bundler = Bundler {
        dialect,
        files: vec![SourceFile {
            path: root_path.to_path_buf(),
            value: root.clone(),
        }],
        by_identity: HashMap::from([(identity(root_path), Some(ROOT))]),
        frames: vec![Frame {
            file: ROOT,
            source: String::new(),
            bundled: Some(String::new()),
        }],
        copied: HashMap::new(),
        added: IndexMap::new(),
        inlining: Vec::new(),
        provenance: Provenance::default(),
        aliases: HashMap::new(),
        alias_origins: HashMap::new(),
        in_mapping: false,
        diags: Diagnostics::default(),
    };
    bundler.find_aliases(&root, root_path);
    let mut document = root;
    refs::walk(
        &mut document,
        &Site::root(""),
        dialect == Dialect::Swagger2,
        &mut bundler,
    );
    let schema_origins = bundler.merge(&mut document, root_path);
    let Bundler {
        provenance, diags, ..
    } = bundler;
    (
        Bundle {
            document,
            schema_origins,
            provenance,
        },
        diags,
    )
}

/// The root document is always the first file.
const ROOT: usize = 0;

/// The content being walked: which file, and how its pointers map into the bundled document.
struct Frame {
    file: usize,
    /// Pointer in `file` of the node the frame started at.
    source: String,
    /// Pointer in the bundled document of that node, when it lands at a known place.
    bundled: Option<String>,
}

/// The state of one bundling run; the walk calls it back at every reference.
struct Bundler {
    dialect: Dialect,
    files: Vec<SourceFile>,
    /// Canonical path → index into `files`, `None` when the file failed to load.
    by_identity: HashMap<PathBuf, Option<usize>>,
    frames: Vec<Frame>,
    /// (file, pointer) already copied → the local `$ref` that now names it.
    copied: HashMap<(usize, String), String>,
    /// Components copied from other files, by kind and name, in the order first met.
    added: IndexMap<(Kind, String), Added>,
    /// (file, pointer) being inlined right now, to stop cycles.
    inlining: Vec<(usize, String)>,
    provenance: Provenance,
    /// Root components that only refer to another file: slot pointer → (file, pointer, kind, name).
    aliases: HashMap<String, (usize, String, Kind, String)>,
    /// Schemas of the root whose content came from another file through such an alias.
    alias_origins: HashMap<String, PathBuf>,
    /// True while a discriminator mapping value is resolved: its diagnostics point at the value itself.
    in_mapping: bool,
    diags: Diagnostics,
}

impl RefVisitor for Bundler {
    fn reference(&mut self, node: &mut Value, site: &Site<'_>) {
        let current = self.frame().file;
        let Some(reference) = refs::ref_str(node).map(str::to_owned) else {
            self.diag(
                current,
                &pointer::push(site.pointer, "$ref"),
                "`$ref` must be a string".to_owned(),
            );
            return;
        };
        let Some((file, target)) = self.resolve(&reference, current, site.pointer) else {
            return;
        };

        if self.frames.len() == 1
            && let Some((alias_file, alias_target, kind, name)) =
                self.aliases.get(site.pointer).cloned()
            && alias_file == file
            && alias_target == target
        {
            *node = self.fill_alias(file, &target, kind, &name, site.pointer);
            return;
        }

        let must_inline = site.is_callback();
        if file == ROOT && !must_inline {
            // Local references of the root stay as written; references back into the root become local.
            if !reference.starts_with('#') {
                refs::set_ref(node, pointer::local_ref(&target));
            }
            return;
        }
        let plan = if must_inline || site.is_path_item() {
            Plan::Inline
        } else {
            self.plan(file, &target, site)
        };
        match plan {
            Plan::Copy(kind, name) => {
                let local = self.copy(kind, name, file, &target, site);
                refs::set_ref(node, local);
            }
            Plan::Inline => {
                if let Some(value) = self.inline(file, &target, &reference, site) {
                    *node = value;
                }
            }
        }
    }

    fn mapping(&mut self, target: &mut String, pointer: &str) {
        // Mapping values are schema names or references; only references need bundling.
        let looks_like_ref = target.contains('#')
            || [".yaml", ".yml", ".json"]
                .iter()
                .any(|e| target.ends_with(e));
        if !looks_like_ref {
            return;
        }
        let mut node = Value::Object(Map::from_iter([(
            "$ref".to_owned(),
            Value::String(target.clone()),
        )]));
        let site = Site::entry(pointer, "schemas", "mapping");
        self.in_mapping = true;
        self.reference(&mut node, &site);
        self.in_mapping = false;
        if let Some(r) = refs::ref_str(&node) {
            *target = r.to_owned();
        }
    }
}

impl Bundler {
    fn frame(&self) -> &Frame {
        self.frames.last().expect("the root frame is never popped")
    }

    fn diag(&mut self, file: usize, pointer: &str, message: String) {
        self.diags
            .push(Diagnostic::new(&self.files[file].path, pointer, message));
    }

    /// The file and pointer a reference denotes, after checking both exist.
    fn resolve(&mut self, reference: &str, current: usize, site: &str) -> Option<(usize, String)> {
        let at = if self.in_mapping {
            site.to_owned()
        } else {
            pointer::push(site, "$ref")
        };
        let target = match split_ref(reference) {
            Ok(t) => t,
            Err(why) => {
                self.diag(
                    current,
                    &at,
                    format!("cannot resolve `$ref` \"{reference}\": {why}"),
                );
                return None;
            }
        };
        let file = if target.file.is_empty() {
            current
        } else {
            let base = self.files[current].path.parent().unwrap_or(Path::new(""));
            let path = normalize(&base.join(&target.file));
            match self.open(&path) {
                Ok(Some(file)) => file,
                // The file's own diagnostics already say what is wrong with it.
                Ok(None) => return None,
                Err(why) => {
                    self.diag(
                        current,
                        &at,
                        format!(
                            "cannot resolve `$ref` \"{reference}\": cannot read {}: {why}",
                            path.display()
                        ),
                    );
                    return None;
                }
            }
        };
        if !self.has_node(file, &target.pointer) {
            let place = if file == current {
                "this file".to_owned()
            } else {
                self.files[file].path.display().to_string()
            };
            let node = if target.pointer.is_empty() {
                "/"
            } else {
                &target.pointer
            };
            self.diag(
                current,
                &at,
                format!("cannot resolve `$ref` \"{reference}\": {place} has no node at {node}"),
            );
            return None;
        }
        Some((file, target.pointer))
    }

    /// Whether `file` has a node at `at`; in the root, also below a component that aliases another file,
    /// where the node exists once the alias is filled in.
    fn has_node(&self, file: usize, at: &str) -> bool {
        if self.files[file].value.pointer(at).is_some() {
            return true;
        }
        file == ROOT
            && self
                .aliases
                .iter()
                .any(|(slot, (alias_file, alias_target, _, _))| {
                    at.strip_prefix(slot.as_str())
                        .filter(|rest| rest.starts_with('/'))
                        .is_some_and(|rest| {
                            self.files[*alias_file]
                                .value
                                .pointer(&format!("{alias_target}{rest}"))
                                .is_some()
                        })
                })
    }

    /// Loads a referenced file once. `Err`: it cannot be opened; `Ok(None)`: it failed to parse.
    fn open(&mut self, path: &Path) -> Result<Option<usize>, String> {
        let id = identity(path);
        if let Some(known) = self.by_identity.get(&id) {
            return Ok(*known);
        }
        std::fs::metadata(path).map_err(|e| e.to_string())?;
        let loaded = match load_file(path) {
            Ok(value) => {
                self.files.push(SourceFile {
                    path: path.to_path_buf(),
                    value,
                });
                Some(self.files.len() - 1)
            }
            Err(diags) => {
                self.diags.extend(diags);
                None
            }
        };
        self.by_identity.insert(id, loaded);
        Ok(loaded)
    }

    /// Where a node of the current frame, at `pointer` in its file, ends up in the bundled document.
    fn bundled_pointer(&self, pointer: &str) -> Option<String> {
        let frame = self.frame();
        let rest = pointer.strip_prefix(frame.source.as_str())?;
        frame.bundled.as_ref().map(|b| format!("{b}{rest}"))
    }
}
