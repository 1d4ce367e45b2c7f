//! Objects: the properties of an object schema and of every `allOf` part it names or nests,
//! merged in order into one list of fields.

use std::collections::BTreeSet;

use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};

use super::SpecTypes;
use crate::diag::pointer_token;
use crate::model::names::{self, Scope};
use crate::model::{Field, ObjectDef, PropertyBounds, TypeRef, Validators};

impl SpecTypes<'_> {
    /// Gathers the properties of an object, following `allOf` parts (merged, in order).
    pub(super) fn collect_object(
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
                self.unsupported(
                    pointer,
                    "a oneOf/anyOf inside allOf: that part is left out of the merged object",
                );
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

    pub(super) fn object_def(
        &mut self,
        collected: Collected,
        rust_name: &str,
        module: &str,
    ) -> ObjectDef {
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
        ObjectDef { fields, bounds }
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

/// The properties gathered from an object and its `allOf` parts.
#[derive(Default)]
pub(super) struct Collected {
    pub(super) properties: indexmap::IndexMap<String, (ReferenceOr<Box<Schema>>, String)>,
    required: BTreeSet<String>,
    /// Where `additionalProperties` was seen, when it was, and its schema (`None`: any value).
    additional: Option<(String, Option<ReferenceOr<Schema>>)>,
    pub(super) saw_object: bool,
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
