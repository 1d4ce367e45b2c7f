//! `multipart/form-data` bodies → a [`TypeKind::Multipart`] type of their own: each property of the
//! body's object schema is a part, a file when it is `format: binary` (or an array of them), text
//! when it is a scalar, JSON otherwise. The type is separate from any JSON type of the same schema:
//! a binary property is bytes here and a string in JSON.

use openapiv3::{ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty};

use super::lower_types::{SpecTypes, docs_of};
use super::names::{self, Scope};
use super::{MultipartDef, PartField, PartKind, TypeKind, TypeRef};
use crate::diag::pointer_token;

/// The multipart type of a body schema, named after `hint`.
pub(super) fn lower_body(
    types: &mut SpecTypes<'_>,
    schema: Option<&ReferenceOr<Schema>>,
    hint: &str,
    module: &str,
    pointer: &str,
) -> TypeRef {
    let (rust_name, schema_name) = types.reserve_name(hint, module);
    let mut fields = Vec::new();
    let mut scope = Scope::default();
    let mut docs = None;
    if let Some(schema) = schema {
        let mut properties = Vec::new();
        let mut required = Vec::new();
        if let Some((schema, at)) = resolve(types, schema, pointer) {
            docs = docs_of(&schema);
            collect(types, &schema, &at, &mut properties, &mut required, 0);
        }
        for (wire_name, property, at) in properties {
            let kind = part_kind(
                types,
                &property,
                &format!("{rust_name}{}", names::type_name(&wire_name)),
                module,
                &at,
            );
            let docs = match &property {
                ReferenceOr::Item(s) => docs_of(s),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(PartField {
                rust_name: scope.unique(names::value_name(&wire_name)),
                required: required.contains(&wire_name),
                wire_name,
                kind,
                docs,
            });
        }
    }
    types.define_named(
        module,
        &rust_name,
        &schema_name,
        docs,
        TypeKind::Multipart(MultipartDef { fields }),
        pointer,
    )
}

/// The schema itself, following a reference to a component (and the pointer it is at).
fn resolve(
    types: &mut SpecTypes<'_>,
    schema: &ReferenceOr<Schema>,
    pointer: &str,
) -> Option<(Schema, String)> {
    match schema {
        ReferenceOr::Item(s) => Some((s.clone(), pointer.to_owned())),
        ReferenceOr::Reference { reference } => {
            let key = reference
                .strip_prefix("#/components/schemas/")?
                .replace("~1", "/")
                .replace("~0", "~");
            let found = types
                .spec()
                .document
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(&key))
                .cloned();
            match found {
                Some(target) => resolve(
                    types,
                    &target,
                    &format!("/components/schemas/{}", pointer_token(&key)),
                ),
                None => {
                    types.error(pointer, format!("reference to a missing schema `{key}`"));
                    None
                }
            }
        }
    }
}

type Properties = Vec<(String, ReferenceOr<Box<Schema>>, String)>;

/// The properties of an object schema, following `allOf` parts.
fn collect(
    types: &mut SpecTypes<'_>,
    schema: &Schema,
    pointer: &str,
    out: &mut Properties,
    required: &mut Vec<String>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let (properties, own_required, all_of) = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => (&o.properties, &o.required, None),
        SchemaKind::Any(a) => (&a.properties, &a.required, Some(&a.all_of)),
        SchemaKind::AllOf { all_of } => {
            for (i, part) in all_of.iter().enumerate() {
                let at = format!("{pointer}/allOf/{i}");
                if let Some((part, at)) = resolve(types, part, &at) {
                    collect(types, &part, &at, out, required, depth + 1);
                }
            }
            return;
        }
        _ => {
            types.unsupported(pointer, "multipart body whose schema is not an object");
            return;
        }
    };
    for (name, property) in properties {
        let at = format!("{pointer}/properties/{}", pointer_token(name));
        out.retain(|(n, _, _)| n != name);
        out.push((name.clone(), property.clone(), at));
    }
    required.extend(own_required.iter().cloned());
    for (i, part) in all_of.into_iter().flatten().enumerate() {
        let at = format!("{pointer}/allOf/{i}");
        if let Some((part, at)) = resolve(types, part, &at) {
            collect(types, &part, &at, out, required, depth + 1);
        }
    }
}

fn part_kind(
    types: &mut SpecTypes<'_>,
    property: &ReferenceOr<Box<Schema>>,
    hint: &str,
    module: &str,
    pointer: &str,
) -> PartKind {
    let unboxed = match property {
        ReferenceOr::Item(s) => ReferenceOr::Item((**s).clone()),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
    };
    if let Some((schema, _)) = resolve(types, &unboxed, pointer) {
        if is_binary(&schema) {
            return PartKind::File;
        }
        let items = match &schema.schema_kind {
            SchemaKind::Type(Type::Array(a)) => a.items.as_ref(),
            SchemaKind::Any(a) => a.items.as_ref(),
            _ => None,
        };
        if let Some(items) = items {
            let items = match items {
                ReferenceOr::Item(s) => ReferenceOr::Item((**s).clone()),
                ReferenceOr::Reference { reference } => ReferenceOr::Reference {
                    reference: reference.clone(),
                },
            };
            if resolve(types, &items, pointer).is_some_and(|(s, _)| is_binary(&s)) {
                return PartKind::Files;
            }
        }
    }
    let lowered = types.lower_boxed(property, hint, module, pointer);
    let text = |ty: &TypeRef| {
        matches!(
            ty,
            TypeRef::String
                | TypeRef::Bool
                | TypeRef::I32
                | TypeRef::I64
                | TypeRef::U32
                | TypeRef::U64
                | TypeRef::F32
                | TypeRef::F64
                | TypeRef::DateTime
                | TypeRef::Date
                | TypeRef::Uuid
        )
    };
    match &lowered.ty {
        ty if text(ty) => PartKind::Text(lowered.ty),
        TypeRef::Vec(item) if text(item) => PartKind::Text(lowered.ty),
        _ => PartKind::Json(lowered.ty),
    }
}

/// A string of raw bytes: a file.
fn is_binary(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => matches!(
            &s.format,
            VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
        ),
        SchemaKind::Any(a) => a.format.as_deref() == Some("binary"),
        _ => false,
    }
}
