//! Schemas → types: the typing decisions (formats, open enums, allOf merging, unions, hoisting of
//! inline schemas) and the module each type lives in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::names::{self, Scope};
use super::{
    EnumDef, EnumVariant, Field, ObjectDef, PropertyBounds, TypeDef, TypeKind, TypeModule, TypeRef,
    UnionDef, UnionVariant, Validators,
};
use crate::diag::{Diagnostic, Diagnostics, pointer_token};
use crate::read::LoadedSpec;

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
    /// Features seen but not supported, with where: kept for the corpus report.
    pub unsupported: Vec<Diagnostic>,
    diags: Diagnostics,
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
            form_types: Vec::new(),
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
    form_types: Vec<TypeRef>,
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

    /// Marks a type as posted as a form, so it gets serde impls.
    pub fn mark_form(&mut self, ty: &TypeRef) {
        self.form_types.push(ty.clone());
    }

    /// Finishes this spec: applies form marks and returns nothing (diagnostics stay in the space).
    pub fn finish(self) -> Diagnostics {
        for ty in self.form_types {
            mark_serde(&mut self.space.modules, &ty);
        }
        Diagnostics::default()
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

    fn lower_inline(
        &mut self,
        schema: &Schema,
        hint: &str,
        module: &str,
        pointer: &str,
    ) -> Lowered {
        let data = &schema.schema_data;
        let mut validators = Validators::default();
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                self.hoist(schema, hint, module, pointer)
            }
            SchemaKind::Type(Type::String(s)) => {
                validators.min_length = s.min_length;
                validators.max_length = s.max_length;
                validators.pattern = s.pattern.clone();
                string_type(&s.format)
            }
            SchemaKind::Type(Type::Integer(i)) => {
                validators.minimum = i.minimum.map(|v| (v as f64, i.exclusive_minimum));
                validators.maximum = i.maximum.map(|v| (v as f64, i.exclusive_maximum));
                validators.multiple_of = i.multiple_of.map(|v| v as f64);
                match &i.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                    VariantOrUnknownOrEmpty::Unknown(f) if f == "uint32" => TypeRef::U32,
                    VariantOrUnknownOrEmpty::Unknown(f) if f == "uint64" => TypeRef::U64,
                    _ => TypeRef::I64,
                }
            }
            SchemaKind::Type(Type::Number(n)) => {
                validators.minimum = n.minimum.map(|v| (v, n.exclusive_minimum));
                validators.maximum = n.maximum.map(|v| (v, n.exclusive_maximum));
                validators.multiple_of = n.multiple_of;
                match &n.format {
                    VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                    _ => TypeRef::F64,
                }
            }
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => {
                validators.min_items = a.min_items;
                validators.max_items = a.max_items;
                validators.unique_items = a.unique_items;
                match &a.items {
                    Some(items) => {
                        let item = self.lower_boxed(
                            items,
                            &format!("{hint}Item"),
                            module,
                            &format!("{pointer}/items"),
                        );
                        if !item.validators.is_empty() && item.ty.is_scalar() {
                            validators.items = Some(Box::new(item.validators));
                        }
                        TypeRef::Vec(Box::new(item.ty))
                    }
                    None => TypeRef::Vec(Box::new(TypeRef::Any)),
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                if o.properties.is_empty() {
                    match &o.additional_properties {
                        Some(AdditionalProperties::Schema(s)) => {
                            validators.min_properties = o.min_properties;
                            validators.max_properties = o.max_properties;
                            let value = self.lower(
                                s,
                                &format!("{hint}Value"),
                                module,
                                &format!("{pointer}/additionalProperties"),
                            );
                            if !value.validators.is_empty() && value.ty.is_scalar() {
                                validators.items = Some(Box::new(value.validators));
                            }
                            TypeRef::Map(Box::new(value.ty))
                        }
                        _ => TypeRef::Any,
                    }
                } else {
                    self.hoist(schema, hint, module, pointer)
                }
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 && is_bare(data) => {
                // `allOf: [$ref]` only decorates a reference (description, nullable): it is that type.
                let inner = self.lower(&all_of[0], hint, module, &format!("{pointer}/allOf/0"));
                validators = inner.validators;
                inner.ty
            }
            SchemaKind::AllOf { .. } | SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.hoist(schema, hint, module, pointer)
            }
            SchemaKind::Not { .. } => {
                self.unsupported(pointer, "not");
                TypeRef::Any
            }
            SchemaKind::Any(any) => {
                if !any.properties.is_empty()
                    || !any.all_of.is_empty()
                    || !any.one_of.is_empty()
                    || !any.any_of.is_empty()
                    || any.enumeration.iter().any(|v| v.is_string())
                {
                    self.hoist(schema, hint, module, pointer)
                } else if let Some(items) = &any.items {
                    let item = self.lower_boxed(
                        items,
                        &format!("{hint}Item"),
                        module,
                        &format!("{pointer}/items"),
                    );
                    TypeRef::Vec(Box::new(item.ty))
                } else {
                    match any.typ.as_deref() {
                        Some("string") => string_type(&match any.format.as_deref() {
                            Some("date-time") => {
                                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime)
                            }
                            Some("date") => VariantOrUnknownOrEmpty::Item(StringFormat::Date),
                            Some(other) => VariantOrUnknownOrEmpty::Unknown(other.to_owned()),
                            None => VariantOrUnknownOrEmpty::Empty,
                        }),
                        Some("integer") => TypeRef::I64,
                        Some("number") => TypeRef::F64,
                        Some("boolean") => TypeRef::Bool,
                        _ => TypeRef::Any,
                    }
                }
            }
        };
        Lowered {
            ty,
            validators,
            nullable: data.nullable,
            docs: docs_of(schema),
            default: data.default.clone(),
            deprecated: data.deprecated,
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

    /// Gives an inline object, enum or union its own named type.
    fn hoist(&mut self, schema: &Schema, hint: &str, module: &str, pointer: &str) -> TypeRef {
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

    /// The definition of a named type from its schema.
    fn named_kind(
        &mut self,
        schema: &Schema,
        rust_name: &str,
        module: &str,
        pointer: &str,
    ) -> TypeKind {
        let strings =
            |values: Vec<Option<String>>| values.into_iter().flatten().collect::<Vec<_>>();
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                TypeKind::Enum(enum_def(strings(s.enumeration.clone())))
            }
            SchemaKind::Any(any)
                if any.properties.is_empty()
                    && any.all_of.is_empty()
                    && any.one_of.is_empty()
                    && any.any_of.is_empty()
                    && any.enumeration.iter().any(|v| v.is_string()) =>
            {
                TypeKind::Enum(enum_def(
                    any.enumeration
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                ))
            }
            SchemaKind::Type(Type::Object(o))
                if o.properties.is_empty()
                    && matches!(
                        o.additional_properties,
                        Some(AdditionalProperties::Schema(_) | AdditionalProperties::Any(true))
                    ) =>
            {
                // A map (`additionalProperties` and no `properties`): an alias of `BTreeMap`.
                let mut bounds = Validators {
                    min_properties: o.min_properties,
                    max_properties: o.max_properties,
                    ..Validators::default()
                };
                let value = match &o.additional_properties {
                    Some(AdditionalProperties::Schema(s)) => {
                        let value = self.lower(
                            s,
                            &format!("{rust_name}Value"),
                            module,
                            &format!("{pointer}/additionalProperties"),
                        );
                        if !value.validators.is_empty() && value.ty.is_scalar() {
                            bounds.items = Some(Box::new(value.validators));
                        }
                        value.ty
                    }
                    _ => TypeRef::Any,
                };
                if !bounds.is_empty() {
                    self.space
                        .alias_validators
                        .insert((module.to_owned(), rust_name.to_owned()), bounds);
                }
                TypeKind::Alias(TypeRef::Map(Box::new(value)))
            }
            SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } | SchemaKind::Any(_)
                if !matches!(&schema.schema_kind, SchemaKind::Any(a) if !a.one_of.is_empty() || !a.any_of.is_empty()) =>
            {
                let mut collected = Collected::default();
                self.collect_object(schema, pointer, &mut collected, 0);
                if collected.properties.is_empty() && !collected.saw_object {
                    // A non-object named schema (an integer, an array...): an alias.
                    let lowered = self.lower_inline_alias(schema, rust_name, module, pointer);
                    return TypeKind::Alias(lowered);
                }
                TypeKind::Object(self.object_def(collected, rust_name, module))
            }
            SchemaKind::OneOf { one_of } => self.union_def(
                one_of,
                true,
                schema,
                rust_name,
                module,
                &format!("{pointer}/oneOf"),
            ),
            SchemaKind::AnyOf { any_of } => self.union_def(
                any_of,
                false,
                schema,
                rust_name,
                module,
                &format!("{pointer}/anyOf"),
            ),
            SchemaKind::Any(any) if !any.one_of.is_empty() => self.union_def(
                &any.one_of,
                true,
                schema,
                rust_name,
                module,
                &format!("{pointer}/oneOf"),
            ),
            SchemaKind::Any(any) => self.union_def(
                &any.any_of,
                false,
                schema,
                rust_name,
                module,
                &format!("{pointer}/anyOf"),
            ),
            _ => TypeKind::Alias(self.lower_inline_alias(schema, rust_name, module, pointer)),
        }
    }

    fn lower_inline_alias(
        &mut self,
        schema: &Schema,
        rust_name: &str,
        module: &str,
        pointer: &str,
    ) -> TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(_)) => TypeRef::Any,
            _ => {
                let lowered =
                    self.lower_inline(schema, &format!("{rust_name}Value"), module, pointer);
                if !lowered.validators.is_empty() {
                    self.space.alias_validators.insert(
                        (module.to_owned(), rust_name.to_owned()),
                        lowered.validators,
                    );
                }
                lowered.ty
            }
        }
    }

    /// Gathers the properties of an object, following `allOf` parts (merged, in order).
    fn collect_object(
        &mut self,
        schema: &Schema,
        pointer: &str,
        out: &mut Collected,
        depth: usize,
    ) {
        if depth > 32 {
            self.error(pointer, "allOf nests more than 32 levels (a cycle?)");
            return;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                out.saw_object = true;
                for (name, prop) in &o.properties {
                    out.add(
                        name,
                        prop.clone(),
                        format!("{pointer}/properties/{}", pointer_token(name)),
                    );
                }
                out.required.extend(o.required.iter().cloned());
                out.bound(o.min_properties, o.max_properties);
                let schema = match &o.additional_properties {
                    Some(AdditionalProperties::Schema(s)) => Some(Some((**s).clone())),
                    Some(AdditionalProperties::Any(true)) => Some(None),
                    _ => None,
                };
                if let Some(schema) = schema
                    && out.additional.is_none()
                {
                    out.additional = Some((format!("{pointer}/additionalProperties"), schema));
                }
            }
            SchemaKind::Any(a) => {
                if !a.properties.is_empty() || a.typ.as_deref() == Some("object") {
                    out.saw_object = true;
                }
                for (name, prop) in &a.properties {
                    out.add(
                        name,
                        prop.clone(),
                        format!("{pointer}/properties/{}", pointer_token(name)),
                    );
                }
                out.required.extend(a.required.iter().cloned());
                out.bound(a.min_properties, a.max_properties);
                for (i, part) in a.all_of.iter().enumerate() {
                    self.collect_part(part, &format!("{pointer}/allOf/{i}"), out, depth);
                }
            }
            SchemaKind::AllOf { all_of } => {
                out.saw_object = true;
                for (i, part) in all_of.iter().enumerate() {
                    self.collect_part(part, &format!("{pointer}/allOf/{i}"), out, depth);
                }
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.unsupported(pointer, "oneOf/anyOf inside allOf");
            }
            _ => {}
        }
    }

    fn collect_part(
        &mut self,
        part: &ReferenceOr<Schema>,
        pointer: &str,
        out: &mut Collected,
        depth: usize,
    ) {
        match part {
            ReferenceOr::Item(s) => self.collect_object(s, pointer, out, depth + 1),
            ReferenceOr::Reference { reference } => {
                let Some(key) = reference.strip_prefix("#/components/schemas/") else {
                    self.error(
                        pointer,
                        format!("`{reference}` is not a reference to a component schema"),
                    );
                    return;
                };
                let key = key.replace("~1", "/").replace("~0", "~");
                let Some(target) = self
                    .spec
                    .document
                    .components
                    .as_ref()
                    .and_then(|c| c.schemas.get(&key))
                    .cloned()
                else {
                    self.error(pointer, format!("reference to a missing schema `{key}`"));
                    return;
                };
                // Properties of a referenced part keep the part's file for nested references.
                self.collect_part(
                    &target,
                    &format!("/components/schemas/{}", pointer_token(&key)),
                    out,
                    depth + 1,
                );
            }
        }
    }

    fn object_def(&mut self, collected: Collected, rust_name: &str, module: &str) -> ObjectDef {
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire_name, (schema, pointer)) in collected.properties {
            let hint = format!("{rust_name}{}", names::type_name(&wire_name));
            let mut lowered = self.lower_boxed(&schema, &hint, module, &pointer);
            if lowered.docs.is_none() {
                // A description beside a `$ref` is legal in practice but absent from openapiv3's model.
                lowered.docs = self.raw_description(&pointer);
            }
            let required = collected.required.contains(&wire_name);
            fields.push(Field {
                rust_name: scope.unique(names::value_name(&wire_name)),
                wire_name,
                ty: lowered.ty,
                required,
                nullable: lowered.nullable,
                docs: lowered.docs,
                validators: lowered.validators,
                default: lowered.default,
                deprecated: lowered.deprecated,
                default_fn: None,
                boxed: false,
                flatten: false,
            });
        }
        if let Some((pointer, schema)) = &collected.additional
            && !fields.is_empty()
        {
            let value = match schema {
                Some(s) => {
                    let hint = format!("{rust_name}AdditionalProperty");
                    self.lower(s, &hint, module, pointer).ty
                }
                None => TypeRef::Any,
            };
            fields.push(Field {
                rust_name: scope.unique("additional_properties".to_owned()),
                wire_name: "additionalProperties".to_owned(),
                ty: TypeRef::Map(Box::new(value)),
                required: true,
                nullable: false,
                docs: Some("The properties the schema does not name.".to_owned()),
                validators: Validators::default(),
                default: None,
                deprecated: false,
                default_fn: None,
                boxed: false,
                flatten: true,
            });
        }
        let bounds = (collected.min_properties.is_some() || collected.max_properties.is_some())
            .then(|| PropertyBounds {
                min: collected.min_properties,
                max: collected.max_properties,
                wire_type: self.space.scope(module).unique(format!("{rust_name}Wire")),
            });
        ObjectDef {
            fields,
            serde: false,
            bounds,
        }
    }

    fn union_def(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        one_of: bool,
        schema: &Schema,
        rust_name: &str,
        module: &str,
        pointer: &str,
    ) -> TypeKind {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let part_pointer = format!("{pointer}/{i}");
            let lowered = self.lower(
                part,
                &format!("{rust_name}Variant{}", i + 1),
                module,
                &part_pointer,
            );
            let (name, mapping) = match (&lowered.ty, part) {
                (TypeRef::Named { name, .. }, ReferenceOr::Reference { reference }) => {
                    let mapped = discriminator.and_then(|d| {
                        d.mapping
                            .iter()
                            .find(|(_, target)| *target == reference)
                            .map(|(value, _)| value.clone())
                    });
                    (name.clone(), mapped)
                }
                (TypeRef::Named { name, .. }, _) => (name.clone(), None),
                (other, _) => (scalar_variant_name(other), None),
            };
            if discriminator.is_some() && !matches!(lowered.ty, TypeRef::Named { .. }) {
                self.unsupported(&part_pointer, "discriminated union of a non-object");
            }
            variants.push(UnionVariant {
                rust_name: scope.unique(name),
                ty: lowered.ty,
                mapping,
            });
        }
        if variants.is_empty() {
            self.error(pointer, "a oneOf/anyOf without alternatives");
        }
        TypeKind::Union(UnionDef {
            variants,
            one_of,
            discriminator: discriminator.map(|d| d.property_name.clone()),
        })
    }

    /// The `description` at `pointer` of the bundled document, read from its JSON form.
    fn raw_description(&self, pointer: &str) -> Option<String> {
        self.spec
            .raw
            .pointer(pointer)
            .and_then(|node| node.get("description"))
            .and_then(|d| d.as_str())
            .map(str::to_owned)
            .filter(|d| !d.trim().is_empty())
    }
}

#[derive(Default)]
struct Collected {
    properties: indexmap::IndexMap<String, (ReferenceOr<Box<Schema>>, String)>,
    required: BTreeSet<String>,
    /// Where `additionalProperties` was seen, when it was, and its schema (`None`: any value).
    additional: Option<(String, Option<ReferenceOr<Schema>>)>,
    saw_object: bool,
    min_properties: Option<usize>,
    max_properties: Option<usize>,
}

impl Collected {
    /// Every part's bounds hold: the largest minimum and the smallest maximum.
    fn bound(&mut self, min: Option<usize>, max: Option<usize>) {
        self.min_properties = self.min_properties.max(min);
        self.max_properties = match (self.max_properties, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    fn add(&mut self, name: &str, schema: ReferenceOr<Box<Schema>>, pointer: String) {
        // A later allOf part refines an earlier property of the same name: the last one wins.
        self.properties.insert(name.to_owned(), (schema, pointer));
    }
}

fn enum_def(values: Vec<String>) -> EnumDef {
    let mut scope = Scope::default();
    let unknown_variant = "Unknown".to_owned();
    let mut variants: Vec<EnumVariant> = Vec::new();
    // The catch-all keeps its plain name unless a spec value takes it: then the catch-all yields.
    let mut seen = BTreeSet::new();
    for wire in values {
        if !seen.insert(wire.clone()) {
            continue;
        }
        variants.push(EnumVariant {
            rust_name: scope.unique(names::type_name(&wire)),
            wire_name: wire,
        });
    }
    let unknown_variant = scope.unique(unknown_variant);
    EnumDef {
        variants,
        unknown_variant,
        serde: false,
    }
}

fn scalar_variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String_".to_owned(),
        TypeRef::Bool => "Bool".to_owned(),
        TypeRef::I32 | TypeRef::I64 | TypeRef::U32 | TypeRef::U64 => "Integer".to_owned(),
        TypeRef::F32 | TypeRef::F64 => "Number".to_owned(),
        TypeRef::Vec(_) => "Array".to_owned(),
        TypeRef::Map(_) => "Map".to_owned(),
        _ => "Value".to_owned(),
    }
}

/// The type of a string with a format. `format: binary` is raw bytes only as a whole body
/// (`application/octet-stream`, typed by its media kind, not by this): inside JSON (a property, an
/// item, a JSON body) there are no raw bytes, so such a value is the JSON string as it is, a
/// `String`; no encoding is guessed (base64 is `format: byte`).
fn string_type(format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
        VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => TypeRef::Base64,
        VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => TypeRef::Uuid,
        _ => TypeRef::String,
    }
}

fn is_bare(data: &openapiv3::SchemaData) -> bool {
    data.discriminator.is_none()
}

/// Documentation of a schema: its description, else its title.
pub(super) fn docs_of(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
        .filter(|d| !d.trim().is_empty())
}

/// Boxes every object field that lies on a cycle of types holding each other by value (through
/// fields, aliases and union variants, not through arrays or maps, which are already indirect):
/// `Node.next: Node` becomes `Option<Box<Node>>`, and both fields of `A.b: B`, `B.a: A` are boxed.
pub(super) fn box_recursive_fields(modules: &mut BTreeMap<String, TypeModule>) {
    type Key = (String, String);
    fn by_value(ty: &TypeRef) -> Option<Key> {
        match ty {
            TypeRef::Named { module, name } => Some((module.clone(), name.clone())),
            _ => None,
        }
    }
    let mut edges: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
    for (module, m) in modules.iter() {
        for (name, def) in &m.types {
            let targets = match &def.kind {
                TypeKind::Object(o) => o.fields.iter().filter_map(|f| by_value(&f.ty)).collect(),
                TypeKind::Alias(t) => by_value(t).into_iter().collect(),
                TypeKind::Union(u) => u.variants.iter().filter_map(|v| by_value(&v.ty)).collect(),
                // Nothing holds a multipart body, so it is on no cycle.
                TypeKind::Enum(_) | TypeKind::Multipart(_) => Vec::new(),
            };
            edges.insert((module.clone(), name.clone()), targets);
        }
    }
    let reaches = |from: &Key, to: &Key| {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from.clone()];
        while let Some(k) = pending.pop() {
            if &k == to {
                return true;
            }
            if seen.insert(k.clone()) {
                pending.extend(edges.get(&k).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut boxed = BTreeSet::new();
    for (module, m) in modules.iter() {
        for (name, def) in &m.types {
            let TypeKind::Object(o) = &def.kind else {
                continue;
            };
            let owner = (module.clone(), name.clone());
            for (i, f) in o.fields.iter().enumerate() {
                if by_value(&f.ty).is_some_and(|target| reaches(&target, &owner)) {
                    boxed.insert((owner.clone(), i));
                }
            }
        }
    }
    for ((module, name), i) in boxed {
        if let Some(TypeKind::Object(o)) = modules
            .get_mut(&module)
            .and_then(|m| m.types.get_mut(&name))
            .map(|d| &mut d.kind)
        {
            o.fields[i].boxed = true;
        }
    }
}

/// Names the functions giving property defaults, `default_<type>_<property>`, unique per module
/// (`FooBar.baz` and `Foo.bar_baz` would both be `default_foo_bar_baz`).
pub(super) fn name_default_fns(modules: &mut BTreeMap<String, TypeModule>) {
    for module in modules.values_mut() {
        let mut scope = Scope::default();
        for def in module.types.values_mut() {
            let TypeKind::Object(o) = &mut def.kind else {
                continue;
            };
            for f in &mut o.fields {
                let plain = f.default.is_some()
                    && !f.required
                    && !f.nullable
                    && !matches!(f.ty, TypeRef::Any);
                if plain {
                    f.default_fn = Some(scope.unique(names::value_name(&format!(
                        "default_{}_{}",
                        def.rust_name,
                        f.rust_name.trim_end_matches('_')
                    ))));
                }
            }
        }
    }
}

/// Forms are (de)serialized with serde: the type and every type it contains get serde impls.
fn mark_serde(modules: &mut BTreeMap<String, TypeModule>, ty: &TypeRef) {
    let mut pending = vec![ty.clone()];
    while let Some(ty) = pending.pop() {
        match ty {
            TypeRef::Named { module, name } => {
                let Some(def) = modules
                    .get_mut(&module)
                    .and_then(|m| m.types.get_mut(&name))
                else {
                    continue;
                };
                match &mut def.kind {
                    TypeKind::Object(o) if !o.serde => {
                        o.serde = true;
                        pending.extend(o.fields.iter().map(|f| f.ty.clone()));
                    }
                    TypeKind::Enum(e) => e.serde = true,
                    TypeKind::Alias(t) => pending.push(t.clone()),
                    _ => {}
                }
            }
            TypeRef::Vec(t) | TypeRef::Map(t) => pending.push(*t),
            _ => {}
        }
    }
}
