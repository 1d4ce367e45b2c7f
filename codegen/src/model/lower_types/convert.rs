//! One schema where it is used → a type reference (scalars, arrays, maps, and a hoisted named type
//! for inline objects, enums and unions), and a named schema → its definition (object, enum, union
//! or alias).

use std::collections::BTreeSet;

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::objects::Collected;
use super::{Lowered, SpecTypes};
use crate::model::names::{self, Scope};
use crate::model::{EnumDef, EnumVariant, TypeKind, TypeRef, UnionDef, UnionVariant, Validators};

impl SpecTypes<'_> {
    pub(super) fn lower_inline(
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
            SchemaKind::OneOf { one_of: parts } | SchemaKind::AnyOf { any_of: parts }
                if parts.len() == 1 && is_bare(data) =>
            {
                // A choice of one (Stripe's `anyOf: [$ref]`, written to make a reference nullable)
                // is that one: no union type around it.
                let keyword = match &schema.schema_kind {
                    SchemaKind::OneOf { .. } => "oneOf",
                    _ => "anyOf",
                };
                let inner = self.lower(&parts[0], hint, module, &format!("{pointer}/{keyword}/0"));
                validators = inner.validators;
                inner.ty
            }
            SchemaKind::AllOf { .. } | SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.hoist(schema, hint, module, pointer)
            }
            SchemaKind::Not { .. } => {
                self.unsupported(
                    pointer,
                    "`not` is not checked: the value is read as any value",
                );
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

    /// The definition of a named type from its schema.
    pub(super) fn named_kind(
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
                self.unsupported(
                    &part_pointer,
                    "an alternative of a discriminated union that is not a named schema: the discriminator cannot name it",
                );
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
pub(in crate::model) fn docs_of(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
        .filter(|d| !d.trim().is_empty())
}
