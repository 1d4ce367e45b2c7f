//! Schemas → types: the typing decisions (formats, open enums, allOf merging, unions, hoisting of
//! inline schemas) and the module each type lives in.
//!
//! This module owns the type space: the names given (components first, then hoisted inline
//! schemas), the types defined by module, and the registered schema names. `convert` turns one
//! schema into a type reference or a definition, `objects` merges an object's `allOf` parts into
//! one list of fields, and `finish` makes the last passes once every spec is lowered.

mod convert;
mod finish;
mod objects;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use openapiv3::{ReferenceOr, Schema};

use super::names::{self, Scope};
use super::{TypeDef, TypeKind, TypeModule, TypeRef, Validators};
use crate::diag::{Diagnostic, Diagnostics, pointer_token};
use crate::read::LoadedSpec;

pub(super) use convert::docs_of;
pub(super) use finish::{box_recursive_fields, name_default_fns};

/// All types of all specs generated together, by module.
#[derive(Debug, Default)]
pub struct TypeSpace {
    modules: BTreeMap<String, TypeModule>,
    scopes: BTreeMap<String, Scope>,
    /// (module, schema key) → Rust name, so a shared schema lowered from two specs is one type.
    /// Every component gets its name before any inline schema is named, so that an inline schema
    /// never takes a component's name.
    components: BTreeMap<(String, String), String>,
    /// The components already defined (or being defined: a recursive reference stops there).
    lowered: BTreeSet<(String, String)>,
    /// Names registered with poem-openapi, unique in a served document: component keys first, then
    /// the names of hoisted inline schemas.
    schema_scope: Scope,
    /// Registered schema name → where it was defined, to refuse two different schemas under one name.
    schema_names: BTreeMap<String, (String, String, PathBuf, String)>,
    /// The validation constraints of named aliases (`type Id = String` with a `maxLength`), applied
    /// wherever the alias is used (a Rust alias cannot carry them).
    alias_validators: BTreeMap<(String, String), Validators>,
    /// Inline schemas given a named type, by module, spec and shape (see [`shape_key`]): an inline
    /// schema written again elsewhere (Asana repeats one list of field names per operation, Stripe
    /// one enumeration per property) is that same type, not a new one.
    hoisted: BTreeMap<(String, PathBuf, String), Hoisted>,
    /// Features seen but not supported, with where: kept for the corpus report.
    pub unsupported: Vec<Diagnostic>,
    diags: Diagnostics,
}

/// A hoisted inline schema's type, and the documentation every place it is written at agrees on.
#[derive(Debug)]
struct Hoisted {
    ty: TypeRef,
    docs: Option<String>,
}

/// What makes two inline schemas one type: the schema as written, less what describes or qualifies
/// one use of it (its description, title, example, default, and whether it may be null, read or
/// written only, or is deprecated), which the field or parameter using it carries.
fn shape_key(schema: &Schema) -> String {
    let mut value = serde_json::to_value(schema).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        for key in [
            "description",
            "title",
            "example",
            "externalDocs",
            "default",
            "nullable",
            "readOnly",
            "writeOnly",
            "deprecated",
        ] {
            map.remove(key);
        }
    }
    value.to_string()
}

/// The result of lowering one schema where it is used.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub ty: TypeRef,
    pub validators: Validators,
    pub nullable: bool,
    pub docs: Option<String>,
    pub default: Option<serde_json::Value>,
    pub deprecated: bool,
}

impl TypeSpace {
    /// A view for lowering the schemas of one spec.
    pub fn for_spec<'a>(&'a mut self, spec: &'a LoadedSpec, api_module: &str) -> SpecTypes<'a> {
        SpecTypes {
            space: self,
            spec,
            api_module: api_module.to_owned(),
        }
    }

    pub fn into_modules(mut self, diags: &mut Diagnostics) -> BTreeMap<String, TypeModule> {
        diags.extend(std::mem::take(&mut self.diags));
        self.modules
    }

    fn scope(&mut self, module: &str) -> &mut Scope {
        self.scopes
            .entry(module.to_owned())
            .or_insert_with(|| Scope::with_reserved(&[]))
    }
}

/// Lowering of one spec's schemas into the shared [`TypeSpace`].
pub struct SpecTypes<'a> {
    space: &'a mut TypeSpace,
    spec: &'a LoadedSpec,
    pub(super) api_module: String,
}

impl SpecTypes<'_> {
    pub fn spec(&self) -> &LoadedSpec {
        self.spec
    }

    pub fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.space
            .diags
            .push(Diagnostic::new(&self.spec.path, pointer, message));
    }

    /// Records a feature the generator does not support; generation goes on without it.
    pub fn unsupported(&mut self, pointer: &str, feature: &str) {
        self.space
            .unsupported
            .push(Diagnostic::new(&self.spec.path, pointer, feature));
    }

    fn module_of_component(&self, key: &str) -> String {
        match self.spec.schema_origins.get(key) {
            Some(origin) if origin != &self.spec.path => {
                names::value_name(&names::file_stem(origin))
            }
            _ => self.api_module.clone(),
        }
    }

    #[allow(dead_code)]
    fn origin_file(&self, key: &str) -> PathBuf {
        self.spec
            .schema_origins
            .get(key)
            .cloned()
            .unwrap_or_else(|| self.spec.path.clone())
    }

    /// Names every component schema of this spec (in the document's order), before any inline
    /// schema is named.
    pub fn reserve_components(&mut self) {
        let keys: Vec<String> = self
            .spec
            .document
            .components
            .iter()
            .flat_map(|c| c.schemas.keys().cloned())
            .collect();
        for key in keys {
            self.component_name(&key);
        }
    }

    /// The Rust name of a component schema, given on first request.
    fn component_name(&mut self, key: &str) -> (String, String) {
        let module = self.module_of_component(key);
        let entry = (module.clone(), key.to_owned());
        if let Some(name) = self.space.components.get(&entry) {
            return (module, name.clone());
        }
        let rust_name = self.space.scope(&module).unique(names::type_name(key));
        self.space.schema_scope.reserve(key);
        self.space.components.insert(entry, rust_name.clone());
        (module, rust_name)
    }

    /// Lowers a component schema by key and returns a reference to its type.
    pub fn component(&mut self, key: &str, pointer: &str) -> TypeRef {
        let (module, rust_name) = self.component_name(key);
        if !self.space.lowered.insert((module.clone(), key.to_owned())) {
            return TypeRef::Named {
                module,
                name: rust_name,
            };
        }
        let Some(schema) = self
            .spec
            .document
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(key))
            .cloned()
        else {
            self.error(pointer, format!("reference to a missing schema `{key}`"));
            return TypeRef::Any;
        };
        let schema_pointer = format!("/components/schemas/{}", pointer_token(key));
        let schema = match schema {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { reference } => {
                // A component that is only a reference is an alias of the referenced type.
                let target = self.reference(&reference, &schema_pointer);
                let validators = self.alias_validators(&target);
                if !validators.is_empty() {
                    self.space
                        .alias_validators
                        .insert((module.clone(), rust_name.clone()), validators);
                }
                self.define(
                    &module,
                    &rust_name,
                    key,
                    None,
                    TypeKind::Alias(target),
                    &schema_pointer,
                );
                return TypeRef::Named {
                    module,
                    name: rust_name,
                };
            }
        };
        let docs = docs_of(&schema);
        let kind = self.named_kind(&schema, &rust_name, &module, &schema_pointer);
        self.define(&module, &rust_name, key, docs, kind, &schema_pointer);
        TypeRef::Named {
            module,
            name: rust_name,
        }
    }

    fn define(
        &mut self,
        module: &str,
        rust_name: &str,
        schema_name: &str,
        docs: Option<String>,
        kind: TypeKind,
        pointer: &str,
    ) {
        let origin = (self.origin_file_for_module(module), pointer.to_owned());
        if let Some((m, n, file, ptr)) = self.space.schema_names.get(schema_name) {
            if m != module || n != rust_name {
                self.space.diags.push(Diagnostic::new(
                    &origin.0,
                    pointer,
                    format!(
                        "two different schemas are named `{schema_name}`: this one and {}#{ptr}; one served document cannot hold both (rename one)",
                        file.display()
                    ),
                ));
            }
        } else {
            self.space.schema_names.insert(
                schema_name.to_owned(),
                (
                    module.to_owned(),
                    rust_name.to_owned(),
                    origin.0.clone(),
                    pointer.to_owned(),
                ),
            );
        }
        let source = origin.0.clone();
        let entry = self
            .space
            .modules
            .entry(module.to_owned())
            .or_insert_with(|| TypeModule {
                name: module.to_owned(),
                source,
                types: BTreeMap::new(),
            });
        entry.types.insert(
            rust_name.to_owned(),
            TypeDef {
                rust_name: rust_name.to_owned(),
                schema_name: schema_name.to_owned(),
                docs,
                kind,
                origin,
            },
        );
    }

    fn origin_file_for_module(&self, module: &str) -> PathBuf {
        if module == self.api_module {
            return self.spec.path.clone();
        }
        self.spec
            .schema_origins
            .values()
            .find(|p| names::value_name(&names::file_stem(p)) == module)
            .cloned()
            .unwrap_or_else(|| self.spec.path.clone())
    }

    /// A `$ref` to a component schema.
    pub fn reference(&mut self, reference: &str, pointer: &str) -> TypeRef {
        match reference.strip_prefix("#/components/schemas/") {
            Some(key) => {
                let key = key.replace("~1", "/").replace("~0", "~");
                self.component(&key, pointer)
            }
            None => {
                self.error(
                    pointer,
                    format!("`{reference}` is not a reference to a component schema"),
                );
                TypeRef::Any
            }
        }
    }

    /// Lowers a schema where it is used; inline objects, enums and unions become types named `hint`.
    pub fn lower(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        module: &str,
        pointer: &str,
    ) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => {
                let ty = self.reference(reference, pointer);
                let validators = self.alias_validators(&ty);
                Lowered {
                    ty,
                    validators,
                    nullable: false,
                    docs: None,
                    default: None,
                    deprecated: false,
                }
            }
            ReferenceOr::Item(schema) => self.lower_inline(schema, hint, module, pointer),
        }
    }

    /// The constraints a named alias carries (none for other types).
    fn alias_validators(&self, ty: &TypeRef) -> Validators {
        match ty {
            TypeRef::Named { module, name } => self
                .space
                .alias_validators
                .get(&(module.clone(), name.clone()))
                .cloned()
                .unwrap_or_default(),
            _ => Validators::default(),
        }
    }

    pub fn lower_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        hint: &str,
        module: &str,
        pointer: &str,
    ) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.lower(
                &ReferenceOr::Reference {
                    reference: reference.clone(),
                },
                hint,
                module,
                pointer,
            ),
            ReferenceOr::Item(schema) => self.lower_inline(schema, hint, module, pointer),
        }
    }

    /// A Rust name unique in `module` and a schema name unique in a served document, from `hint`.
    pub(super) fn reserve_name(&mut self, hint: &str, module: &str) -> (String, String) {
        let rust_name = self.space.scope(module).unique(names::type_name(hint));
        let schema_name = self.space.schema_scope.unique(rust_name.clone());
        (rust_name, schema_name)
    }

    /// Defines a type named by [`Self::reserve_name`].
    pub(super) fn define_named(
        &mut self,
        module: &str,
        rust_name: &str,
        schema_name: &str,
        docs: Option<String>,
        kind: TypeKind,
        pointer: &str,
    ) -> TypeRef {
        self.define(module, rust_name, schema_name, docs, kind, pointer);
        TypeRef::Named {
            module: module.to_owned(),
            name: rust_name.to_owned(),
        }
    }

    /// Gives an inline object, enum or union its own named type, or the type an inline schema of
    /// the same shape already has.
    fn hoist(&mut self, schema: &Schema, hint: &str, module: &str, pointer: &str) -> TypeRef {
        let key = (module.to_owned(), self.spec.path.clone(), shape_key(schema));
        if let Some(hoisted) = self.space.hoisted.get_mut(&key) {
            if hoisted.docs.is_some() && hoisted.docs != docs_of(schema) {
                // Its uses describe it differently: the type keeps none of their descriptions.
                hoisted.docs = None;
                if let TypeRef::Named { module, name } = &hoisted.ty
                    && let Some(def) = self
                        .space
                        .modules
                        .get_mut(module)
                        .and_then(|m| m.types.get_mut(name))
                {
                    def.docs = None;
                }
            }
            return hoisted.ty.clone();
        }
        let ty = self.hoist_new(schema, hint, module, pointer);
        let docs = docs_of(schema);
        self.space.hoisted.insert(
            key,
            Hoisted {
                ty: ty.clone(),
                docs,
            },
        );
        ty
    }

    fn hoist_new(&mut self, schema: &Schema, hint: &str, module: &str, pointer: &str) -> TypeRef {
        let rust_name = self.space.scope(module).unique(names::type_name(hint));
        // Unique in the module, and registered under a name no component and no other inline
        // schema of any module has.
        let schema_name = self.space.schema_scope.unique(rust_name.clone());
        let docs = docs_of(schema);
        let kind = self.named_kind(schema, &rust_name, module, pointer);
        self.define(module, &rust_name, &schema_name, docs, kind, pointer);
        TypeRef::Named {
            module: module.to_owned(),
            name: rust_name,
        }
    }
}
