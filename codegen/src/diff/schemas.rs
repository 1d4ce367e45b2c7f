//! Schemas compared structurally, by following `$ref`s from the place of use: types and formats,
//! enumerations, constraints, nullability, properties and their `required`, array items, maps,
//! `oneOf`/`anyOf` variants and discriminators. `allOf` parts are merged first, as the generator
//! does, so moving a property between parts is no change. Each pair of schemas is compared once per
//! operation and side, which also ends cycles.
//!
//! Components renamed without a change of shape are found here too: descriptions, examples, titles
//! and extensions aside, and properties in any order.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::document::Document;
use super::operations::{At, Differ};
use super::severity::{self, Bound, Severity, Side};

/// Where a schema is used, for the changes found in it.
#[derive(Debug, Clone)]
pub(super) struct Place {
    pub(super) side: Side,
    /// `request`, `response 200`, `query parameter `limit``.
    pub(super) subject: String,
    /// The property path below the subject, `productOfferingOperation.productOffering`; empty for the
    /// subject itself.
    pub(super) path: String,
    /// The generated item holding the value: a field, or a response variant for a body.
    pub(super) field_item: Option<String>,
    /// The value is a property required in both revisions: its field is `T` unless nullable.
    pub(super) required: bool,
}

impl Place {
    /// How a message names the value: `request field `a.b``, `response 200 body`, `query parameter `x``.
    fn what(&self) -> String {
        if self.path.is_empty() {
            if self.subject.contains("parameter") {
                self.subject.clone()
            } else {
                format!("{} body", self.subject)
            }
        } else {
            format!("{} field `{}`", self.subject, self.path)
        }
    }

    fn below(&self, segment: &str, field_item: Option<String>) -> Place {
        let path = if self.path.is_empty() {
            segment.to_owned()
        } else if segment.starts_with('[') {
            format!("{}{segment}", self.path)
        } else {
            format!("{}.{segment}", self.path)
        };
        Place {
            side: self.side,
            subject: self.subject.clone(),
            path,
            field_item: field_item.or_else(|| self.field_item.clone()),
            required: false,
        }
    }

    fn items(&self) -> Vec<String> {
        self.field_item.iter().cloned().collect()
    }
}

/// A schema with its `allOf` parts merged.
#[derive(Debug, Default)]
struct Flat<'a> {
    /// Where the schema is (after references): the generated type, if any, is found by it.
    pointer: String,
    types: BTreeSet<String>,
    format: Option<String>,
    nullable: bool,
    enum_values: Option<Vec<Value>>,
    properties: Vec<(String, &'a Value, String)>,
    required: BTreeSet<String>,
    items: Option<(&'a Value, String)>,
    additional: Option<(&'a Value, String)>,
    one_of: Vec<(&'a Value, String)>,
    any_of: Vec<(&'a Value, String)>,
    discriminator: Option<&'a Value>,
    constraints: BTreeMap<&'static str, Value>,
}

const CONSTRAINTS: &[&str] = &[
    "maxLength",
    "minLength",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "multipleOf",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
];

fn flatten<'a>(doc: &Document<'a>, value: &'a Value, pointer: &str) -> Flat<'a> {
    let (value, pointer, _) = doc.resolve(value, pointer);
    let mut flat = Flat {
        pointer: pointer.clone(),
        ..Flat::default()
    };
    merge(doc, value, &pointer, &mut flat, 0);
    flat
}

fn merge<'a>(
    doc: &Document<'a>,
    value: &'a Value,
    pointer: &str,
    flat: &mut Flat<'a>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    match value.get("type") {
        Some(Value::String(t)) => {
            flat.types.insert(t.clone());
        }
        Some(Value::Array(ts)) => {
            for t in ts.iter().filter_map(Value::as_str) {
                if t == "null" {
                    flat.nullable = true;
                } else {
                    flat.types.insert(t.to_owned());
                }
            }
        }
        _ => {}
    }
    if let Some(f) = value.get("format").and_then(Value::as_str) {
        flat.format.get_or_insert_with(|| f.to_owned());
    }
    if value.get("nullable").and_then(Value::as_bool) == Some(true) {
        flat.nullable = true;
    }
    if let Some(e) = value.get("enum").and_then(Value::as_array) {
        let values: Vec<Value> = e.iter().filter(|v| !v.is_null()).cloned().collect();
        if e.iter().any(Value::is_null) {
            flat.nullable = true;
        }
        flat.enum_values.get_or_insert(values);
    }
    if let Some(props) = value.get("properties").and_then(Value::as_object) {
        if flat.types.is_empty() {
            flat.types.insert("object".to_owned());
        }
        for (name, schema) in props {
            let ptr = format!("{pointer}/properties/{}", super::document::token(name));
            // As in the generator: a later `allOf` part refines a property of the same name.
            match flat.properties.iter_mut().find(|(n, _, _)| n == name) {
                Some(existing) => *existing = (name.clone(), schema, ptr),
                None => flat.properties.push((name.clone(), schema, ptr)),
            }
        }
    }
    if let Some(req) = value.get("required").and_then(Value::as_array) {
        flat.required
            .extend(req.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if let Some(items) = value.get("items") {
        flat.items
            .get_or_insert((items, format!("{pointer}/items")));
    }
    if let Some(a) = value.get("additionalProperties").filter(|a| a.is_object()) {
        flat.additional
            .get_or_insert((a, format!("{pointer}/additionalProperties")));
    }
    for (key, list) in [("oneOf", &mut flat.one_of), ("anyOf", &mut flat.any_of)] {
        if let Some(parts) = value.get(key).and_then(Value::as_array) {
            for (i, part) in parts.iter().enumerate() {
                list.push((part, format!("{pointer}/{key}/{i}")));
            }
        }
    }
    if let Some(d) = value.get("discriminator") {
        flat.discriminator.get_or_insert(d);
    }
    for key in CONSTRAINTS {
        if let Some(v) = value.get(*key) {
            flat.constraints.entry(key).or_insert_with(|| v.clone());
        }
    }
    if let Some(parts) = value.get("allOf").and_then(Value::as_array) {
        for (i, part) in parts.iter().enumerate() {
            let (part, part_ptr, _) = doc.resolve(part, &format!("{pointer}/allOf/{i}"));
            merge(doc, part, &part_ptr, flat, depth + 1);
        }
    }
}

/// The component name a `$ref` names, `Foo` for `#/components/schemas/Foo`.
fn component_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(|k| k.replace("~1", "/").replace("~0", "~"))
}

fn show_values(values: &[&Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => format!("`{s}`"),
            other => format!("`{other}`"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Differ<'_, '_> {
    /// Compares the schema used at one place of an operation in both revisions.
    pub(super) fn compare_schema(
        &mut self,
        os: &Value,
        op: &str,
        ns: &Value,
        np: &str,
        place: &Place,
    ) {
        let (old_doc, new_doc) = (self.old, self.new);
        let (_, optr, oref) = old_doc.resolve(os, op);
        let (_, nptr, nref) = new_doc.resolve(ns, np);
        let key = (
            optr.clone(),
            nptr.clone(),
            place.side == Side::Receive,
            place.required,
        );
        if self.clean.contains(&key) {
            return;
        }
        if !self.scope.visited.insert(key.clone()) {
            match (self.scope.done.get(&key), self.scope.in_progress.get(&key)) {
                (Some(true), _) => self.dirty_hits += 1,
                // A cycle back to a pair still being compared: what is below depends on it.
                (None, Some(&depth)) => self.low = self.low.min(depth),
                _ => {}
            }
            return;
        }
        let depth = self.scope.in_progress.len();
        self.scope.in_progress.insert(key.clone(), depth);
        let before = (self.pushes, self.dirty_hits);
        let outer_low = std::mem::replace(&mut self.low, usize::MAX);
        self.compare_resolved(os, op, ns, np, place, (&optr, &nptr), (oref, nref));
        // The lowest pair below this one that a cycle led back to; the caller sees it too.
        let low = self.low;
        self.low = outer_low.min(low);
        self.scope.in_progress.remove(&key);
        // A pair whose whole comparison found nothing finds nothing again, so later operations skip
        // it, unless a cycle led back above it (what it found then depends on that pair).
        let changed = self.pushes > before.0 || self.dirty_hits > before.1;
        self.scope.done.insert(key.clone(), changed);
        if !changed && low >= depth {
            self.clean.insert(key);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn compare_resolved(
        &mut self,
        os: &Value,
        op: &str,
        ns: &Value,
        np: &str,
        place: &Place,
        (optr, nptr): (&str, &str),
        (oref, nref): (Option<String>, Option<String>),
    ) {
        let (old_doc, new_doc) = (self.old, self.new);
        if let (Some(on), Some(nn)) = (
            oref.as_deref().and_then(component_name),
            nref.as_deref().and_then(component_name),
        ) && on != nn
            && self.renames.get(&on) != Some(&nn)
        {
            let old_ty = old_doc.names.type_at(optr).map(|t| t.path.clone());
            let new_ty = new_doc.names.type_at(nptr).map(|t| t.path.clone());
            let types = match (&old_ty, &new_ty) {
                (Some(o), Some(n)) => format!(": its type is now `{n}` (was `{o}`)"),
                _ => String::new(),
            };
            let mut items = place.items();
            items.extend(new_ty);
            self.push(
                Severity::Breaking,
                "schema-replaced",
                At::both(optr, nptr),
                format!(
                    "{} now uses schema `{nn}` instead of `{on}`{types}; differences follow",
                    place.what()
                ),
                items,
            );
        }
        let o = flatten(old_doc, os, op);
        let n = flatten(new_doc, ns, np);
        let at = At::both(&o.pointer, &n.pointer);
        if !o.types.is_empty() && !n.types.is_empty() && o.types != n.types {
            let show = |t: &BTreeSet<String>| t.iter().cloned().collect::<Vec<_>>().join(" or ");
            self.push(
                Severity::Breaking,
                "type-changed",
                at,
                format!(
                    "{} changes type from {} to {}: its generated type changes",
                    place.what(),
                    show(&o.types),
                    show(&n.types)
                ),
                place.items(),
            );
            return;
        }
        self.compare_format(&o, &n, &at, place);
        self.compare_nullable(&o, &n, &at, place);
        self.compare_enum(&o, &n, &at, place);
        self.compare_constraints(&o, &n, &at, place);
        self.compare_properties(&o, &n, place);
        if let (Some((oi, oip)), Some((ni, nip))) = (o.items.clone(), n.items.clone()) {
            self.compare_schema(oi, &oip, ni, &nip, &place.below("[]", None));
        }
        if let (Some((oa, oap)), Some((na, nap))) = (o.additional.clone(), n.additional.clone()) {
            self.compare_schema(oa, &oap, na, &nap, &place.below("*", None));
        }
        self.compare_variants(&o.one_of, &n.one_of, "oneOf", &at, place);
        self.compare_variants(&o.any_of, &n.any_of, "anyOf", &at, place);
        self.compare_discriminator(&o, &n, &at, place);
    }

    fn compare_format(&mut self, o: &Flat, n: &Flat, at: &At, place: &Place) {
        if o.format == n.format {
            return;
        }
        let rust = |f: &Flat| {
            scalar_rust_type(
                f.types.iter().next().map(String::as_str),
                f.format.as_deref(),
            )
        };
        let (ot, nt) = (rust(o), rust(n));
        let show = |f: &Option<String>| {
            f.as_deref()
                .map(|f| format!("`{f}`"))
                .unwrap_or_else(|| "none".to_owned())
        };
        let (severity, consequence) = if ot != nt {
            (
                Severity::Breaking,
                format!("its Rust type changes from `{ot}` to `{nt}`"),
            )
        } else {
            (Severity::Info, "the generated type is the same".to_owned())
        };
        self.push(
            severity,
            "format-changed",
            at.clone(),
            format!(
                "{} changes format from {} to {}: {consequence}",
                place.what(),
                show(&o.format),
                show(&n.format)
            ),
            place.items(),
        );
    }

    fn compare_nullable(&mut self, o: &Flat, n: &Flat, at: &At, place: &Place) {
        if o.nullable == n.nullable {
            return;
        }
        if place.required {
            // A required field is `T` when not nullable and `Option<T>` when nullable.
            let (kind, message) = if n.nullable {
                (
                    "now-nullable",
                    format!(
                        "{} may now be `null`: its field becomes an `Option`",
                        place.what()
                    ),
                )
            } else {
                (
                    "no-longer-nullable",
                    format!(
                        "{} is no longer nullable: its field is no longer an `Option`",
                        place.what()
                    ),
                )
            };
            self.push(Severity::Breaking, kind, at.clone(), message, place.items());
            return;
        }
        let (severity, message) = match (n.nullable, place.side) {
            (true, Side::Receive) => (
                Severity::Warning,
                format!("{} may now be `null`: it arrives as `None`", place.what()),
            ),
            (true, Side::Send) => (
                Severity::Info,
                format!("{} may now be `null`", place.what()),
            ),
            (false, Side::Receive) => (
                Severity::Info,
                format!("{} is no longer nullable", place.what()),
            ),
            (false, Side::Send) => (
                Severity::Warning,
                format!("{} is no longer nullable: never send `null`", place.what()),
            ),
        };
        self.push(
            severity,
            if n.nullable {
                "now-nullable"
            } else {
                "no-longer-nullable"
            },
            at.clone(),
            message,
            place.items(),
        );
    }

    fn compare_enum(&mut self, o: &Flat, n: &Flat, at: &At, place: &Place) {
        let (old_doc, new_doc) = (self.old, self.new);
        let old_ty = old_doc.names.type_at(&o.pointer);
        let new_ty = new_doc.names.type_at(&n.pointer);
        let what = place.what();
        match (&o.enum_values, &n.enum_values) {
            (None, None) => {}
            (None, Some(values)) => {
                let shown = show_values(&values.iter().collect::<Vec<_>>());
                let message = match place.side {
                    Side::Receive => format!(
                        "{what} is now an enumeration ({shown}): the generated parser refuses other values"
                    ),
                    Side::Send => format!(
                        "{what} is now an enumeration ({shown}): the peer refuses other values"
                    ),
                };
                // A named enumeration replaces a string in the generated code.
                let severity = if new_ty.is_some() {
                    Severity::Breaking
                } else {
                    severity::constraint(place.side, Bound::Tightened)
                };
                let mut items = place.items();
                items.extend(new_ty.map(|t| t.path.clone()));
                self.push(severity, "enum-added", at.clone(), message, items);
            }
            (Some(_), None) => {
                let mut items = place.items();
                items.extend(old_ty.map(|t| t.path.clone()));
                self.push(
                    Severity::Breaking,
                    "enum-removed",
                    at.clone(),
                    format!("{what} is no longer an enumeration: any value is allowed, and its generated enum is gone"),
                    items,
                );
            }
            (Some(ov), Some(nv)) => {
                let removed: Vec<&Value> = ov.iter().filter(|v| !nv.contains(v)).collect();
                let added: Vec<&Value> = nv.iter().filter(|v| !ov.contains(v)).collect();
                if !removed.is_empty() {
                    let variants: Vec<String> = removed
                        .iter()
                        .filter_map(|v| v.as_str())
                        .filter_map(|v| old_ty.as_ref().and_then(|t| t.variant(v)))
                        .collect();
                    let gone = if variants.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; {} no longer generated: code that names {} no longer compiles",
                            variants
                                .iter()
                                .map(|v| format!("`{v}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                                + if variants.len() == 1 { " is" } else { " are" },
                            if variants.len() == 1 { "it" } else { "them" }
                        )
                    };
                    let message = match place.side {
                        Side::Receive => format!(
                            "{what} loses enumeration value(s) {}: the peer no longer sends them{gone}",
                            show_values(&removed)
                        ),
                        Side::Send => format!(
                            "{what} loses enumeration value(s) {}: the peer refuses them now{gone}",
                            show_values(&removed)
                        ),
                    };
                    let mut items = place.items();
                    items.extend(variants);
                    self.push(
                        Severity::Breaking,
                        "enum-value-removed",
                        at.clone(),
                        message,
                        items,
                    );
                }
                if !added.is_empty() {
                    let variants: Vec<String> = added
                        .iter()
                        .filter_map(|v| v.as_str())
                        .filter_map(|v| new_ty.as_ref().and_then(|t| t.variant(v)))
                        .collect();
                    let unknown = old_ty
                        .as_ref()
                        .and_then(|t| {
                            t.unknown_variant
                                .as_ref()
                                .map(|u| format!("`{}::{u}`", t.path))
                        })
                        .unwrap_or_else(|| "the unknown variant".to_owned());
                    let new_variants = if variants.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; once regenerated {} new: a `match` without a wildcard arm must handle {}",
                            variants
                                .iter()
                                .map(|v| format!("`{v}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                                + if variants.len() == 1 { " is" } else { " are" },
                            if variants.len() == 1 { "it" } else { "them" }
                        )
                    };
                    let (severity, message) = match place.side {
                        Side::Receive => (
                            Severity::Warning,
                            format!(
                                "{what} gains enumeration value(s) {}: the peer may send them; code generated from the old revision keeps them as {unknown}{new_variants}",
                                show_values(&added)
                            ),
                        ),
                        Side::Send => (
                            Severity::Info,
                            format!(
                                "{what} gains enumeration value(s) {}: you may send them{new_variants}",
                                show_values(&added)
                            ),
                        ),
                    };
                    let mut items = place.items();
                    items.extend(variants);
                    self.push(severity, "enum-value-added", at.clone(), message, items);
                }
            }
        }
    }

    fn compare_constraints(&mut self, o: &Flat, n: &Flat, at: &At, place: &Place) {
        for key in CONSTRAINTS {
            let (ov, nv) = (o.constraints.get(key), n.constraints.get(key));
            if ov == nv {
                continue;
            }
            let Some(bound) = bound_change(key, ov, nv) else {
                continue;
            };
            let show = |v: Option<&Value>| {
                v.map(|v| format!("`{v}`"))
                    .unwrap_or_else(|| "none".to_owned())
            };
            let consequence = match (place.side, bound) {
                (Side::Receive, Bound::Tightened) => {
                    "the generated parser now refuses values the peer may still send"
                }
                (Side::Receive, Bound::Loosened) => {
                    "you may now receive values your code did not expect"
                }
                (Side::Send, Bound::Tightened) => "the peer now refuses values you may still send",
                (Side::Send, Bound::Loosened) => "the peer accepts more",
            };
            let kind = match bound {
                Bound::Tightened => "constraint-tightened",
                Bound::Loosened => "constraint-loosened",
            };
            self.push(
                severity::constraint(place.side, bound),
                kind,
                at.clone(),
                format!(
                    "{} `{key}` changes from {} to {} ({}): {consequence}",
                    place.what(),
                    show(ov),
                    show(nv),
                    match bound {
                        Bound::Tightened => "tightened",
                        Bound::Loosened => "loosened",
                    }
                ),
                place.items(),
            );
        }
    }

    fn compare_properties(&mut self, o: &Flat, n: &Flat, place: &Place) {
        if o.properties.is_empty() && n.properties.is_empty() {
            return;
        }
        let (old_doc, new_doc) = (self.old, self.new);
        let old_ty = old_doc.names.type_at(&o.pointer);
        let new_ty = new_doc.names.type_at(&n.pointer);
        let side = place.side;
        for (name, os, op) in &o.properties {
            let below = place.below(name, None);
            let what = below.what();
            let old_field = old_ty.as_ref().and_then(|t| t.field(name));
            let Some((_, ns, np)) = n.properties.iter().find(|(n, _, _)| n == name) else {
                let gone = old_field
                    .as_ref()
                    .map(|f| format!("; `{f}` is gone"))
                    .unwrap_or_default();
                let message = match side {
                    Side::Receive => format!("{what} is removed: you no longer receive it{gone}"),
                    Side::Send => format!("{what} is removed: the peer no longer reads it{gone}"),
                };
                let mut items = place.items();
                items.extend(old_field);
                self.push(
                    Severity::Breaking,
                    "property-removed",
                    At::old(op),
                    message,
                    items,
                );
                continue;
            };
            let new_field = new_ty.as_ref().and_then(|t| t.field(name));
            let field = new_field.clone().or(old_field);
            let shown = field
                .as_ref()
                .map(|f| format!("`{f}`"))
                .unwrap_or_else(|| "the field".to_owned());
            match (o.required.contains(name), n.required.contains(name)) {
                (false, true) => {
                    let message = match side {
                        Side::Receive => format!(
                            "{what} is now required: the peer always sends it; {shown} is no longer an `Option`"
                        ),
                        Side::Send => format!(
                            "{what} is now required: you must always send it; {shown} is no longer an `Option`"
                        ),
                    };
                    let mut items = place.items();
                    items.extend(field.clone());
                    self.push(
                        Severity::Breaking,
                        "property-now-required",
                        At::both(op, np),
                        message,
                        items,
                    );
                }
                (true, false) => {
                    let message = match side {
                        Side::Receive => format!(
                            "{what} is no longer required: your implementation receives `Option` ({shown}) and must handle its absence"
                        ),
                        Side::Send => {
                            format!("{what} is no longer required: {shown} becomes an `Option`")
                        }
                    };
                    let mut items = place.items();
                    items.extend(field.clone());
                    self.push(
                        Severity::Breaking,
                        "property-no-longer-required",
                        At::both(op, np),
                        message,
                        items,
                    );
                }
                _ => {}
            }
            let mut below = below_with(place, name, field);
            below.required = o.required.contains(name) && n.required.contains(name);
            self.compare_schema(os, op, ns, np, &below);
        }
        for (name, _, np) in n
            .properties
            .iter()
            .filter(|(name, _, _)| !o.properties.iter().any(|(o, _, _)| o == name))
        {
            let what = place.below(name, None).what();
            let field = new_ty.as_ref().and_then(|t| t.field(name));
            let shown = field
                .as_ref()
                .map(|f| format!("`{f}`"))
                .unwrap_or_else(|| "a new field".to_owned());
            let required = n.required.contains(name);
            let (severity, message) = match (side, required) {
                (Side::Receive, true) => (
                    Severity::Warning,
                    format!(
                        "{what} is added, required: the peer always sends it; {shown} is new, use it"
                    ),
                ),
                (Side::Receive, false) => (
                    Severity::Warning,
                    format!("{what} is added: the peer may send it; {shown} (`Option`) is new"),
                ),
                (Side::Send, true) => (
                    Severity::Breaking,
                    format!("{what} is added, required: you must send it; {shown} is new"),
                ),
                (Side::Send, false) => (
                    Severity::Info,
                    format!("{what} is added: you may send it; {shown} (`Option`) is new"),
                ),
            };
            let mut items = place.items();
            items.extend(field);
            self.push(severity, "property-added", At::new(np), message, items);
        }
    }

    fn compare_variants(
        &mut self,
        ov: &[(&Value, String)],
        nv: &[(&Value, String)],
        key: &str,
        at: &At,
        place: &Place,
    ) {
        if ov.is_empty() && nv.is_empty() {
            return;
        }
        let label = |v: &Value, i: usize| {
            v.get("$ref")
                .and_then(Value::as_str)
                .and_then(component_name)
                .unwrap_or_else(|| format!("#{i}"))
        };
        let old_labels: Vec<String> = ov
            .iter()
            .enumerate()
            .map(|(i, (v, _))| label(v, i))
            .collect();
        let new_labels: Vec<String> = nv
            .iter()
            .enumerate()
            .map(|(i, (v, _))| label(v, i))
            .collect();
        let renames = self.renames.clone();
        let renamed = |l: &String| renames.get(l).cloned().unwrap_or_else(|| l.clone());
        for (i, l) in old_labels.iter().enumerate() {
            let target = renamed(l);
            match new_labels.iter().position(|n| *n == target) {
                Some(j) => {
                    let (os, op) = &ov[i];
                    let (ns, np) = &nv[j];
                    self.compare_schema(os, op, ns, np, place);
                }
                None => {
                    let message = match place.side {
                        Side::Receive => format!(
                            "{} loses `{key}` variant `{l}`: the peer no longer sends it; its union variant is gone",
                            place.what()
                        ),
                        Side::Send => format!(
                            "{} loses `{key}` variant `{l}`: the peer no longer accepts it; its union variant is gone",
                            place.what()
                        ),
                    };
                    self.push(
                        Severity::Breaking,
                        "variant-removed",
                        At {
                            old: Some(ov[i].1.clone()),
                            new: at.new.clone(),
                        },
                        message,
                        place.items(),
                    );
                }
            }
        }
        for (j, l) in new_labels.iter().enumerate() {
            if old_labels.iter().any(|o| renamed(o) == *l) {
                continue;
            }
            let (severity, message) = match place.side {
                Side::Receive => (
                    Severity::Breaking,
                    format!(
                        "{} gains `{key}` variant `{l}`: the peer may send it; the union gains a variant, so a `match` over it no longer compiles",
                        place.what()
                    ),
                ),
                Side::Send => (
                    Severity::Info,
                    format!(
                        "{} gains `{key}` variant `{l}`: you may send it",
                        place.what()
                    ),
                ),
            };
            self.push(
                severity,
                "variant-added",
                At {
                    old: at.old.clone(),
                    new: Some(nv[j].1.clone()),
                },
                message,
                place.items(),
            );
        }
    }

    fn compare_discriminator(&mut self, o: &Flat, n: &Flat, at: &At, place: &Place) {
        let property = |f: &Flat| {
            f.discriminator
                .and_then(|d| d.get("propertyName"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let (op, np) = (property(o), property(n));
        // Only a union's generated code (and its parsing) depends on its discriminator; on a plain
        // object it is documentation.
        let union = |f: &Flat| !f.one_of.is_empty() || !f.any_of.is_empty();
        if !union(o) && !union(n) {
            return;
        }
        if op != np {
            self.push(
                Severity::Breaking,
                "discriminator-changed",
                at.clone(),
                format!(
                    "{} is told apart by {} instead of {}",
                    place.what(),
                    np.map(|p| format!("`{p}`"))
                        .unwrap_or_else(|| "its shape".to_owned()),
                    op.map(|p| format!("`{p}`"))
                        .unwrap_or_else(|| "its shape".to_owned()),
                ),
                place.items(),
            );
            return;
        }
        let mapping = |f: &Flat| -> BTreeMap<String, String> {
            f.discriminator
                .and_then(|d| d.get("mapping"))
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (om, nm) = (mapping(o), mapping(n));
        for (value, target) in &om {
            match nm.get(value) {
                None => self.push(
                    Severity::Breaking,
                    "discriminator-mapping-removed",
                    at.clone(),
                    format!(
                        "{} no longer maps discriminator value `{value}`",
                        place.what()
                    ),
                    place.items(),
                ),
                Some(t)
                    if t != target
                        && component_name(t).as_ref()
                            != component_name(target)
                                .map(|c| self.renames.get(&c).cloned().unwrap_or(c))
                                .as_ref() =>
                {
                    self.push(
                        Severity::Breaking,
                        "discriminator-mapping-changed",
                        at.clone(),
                        format!(
                            "{} maps discriminator value `{value}` to `{t}` instead of `{target}`",
                            place.what()
                        ),
                        place.items(),
                    )
                }
                Some(_) => {}
            }
        }
        for value in nm.keys().filter(|k| !om.contains_key(*k)) {
            let (severity, consequence) = match place.side {
                Side::Receive => (Severity::Warning, "the peer may send it"),
                Side::Send => (Severity::Info, "you may send it"),
            };
            self.push(
                severity,
                "discriminator-mapping-added",
                at.clone(),
                format!(
                    "{} maps a new discriminator value `{value}`: {consequence}",
                    place.what()
                ),
                place.items(),
            );
        }
    }
}

fn below_with(place: &Place, name: &str, field: Option<String>) -> Place {
    let mut below = place.below(name, None);
    below.field_item = field.or_else(|| place.field_item.clone());
    below
}

/// Whether a constraint change accepts fewer values (tightened) or more (loosened); `None` when it
/// is no change in what is accepted.
fn bound_change(key: &str, old: Option<&Value>, new: Option<&Value>) -> Option<Bound> {
    let num = |v: Option<&Value>| v.and_then(Value::as_f64);
    let flag = |v: Option<&Value>| v.and_then(Value::as_bool).unwrap_or(false);
    match key {
        "maxLength" | "maxItems" | "maxProperties" | "maximum" => match (num(old), num(new)) {
            (None, Some(_)) => Some(Bound::Tightened),
            (Some(_), None) => Some(Bound::Loosened),
            (Some(o), Some(n)) if n < o => Some(Bound::Tightened),
            (Some(o), Some(n)) if n > o => Some(Bound::Loosened),
            _ => None,
        },
        "minLength" | "minItems" | "minProperties" | "minimum" => match (num(old), num(new)) {
            (None, Some(n)) if n > 0.0 || key == "minimum" => Some(Bound::Tightened),
            (Some(o), None) if o > 0.0 || key == "minimum" => Some(Bound::Loosened),
            (Some(o), Some(n)) if n > o => Some(Bound::Tightened),
            (Some(o), Some(n)) if n < o => Some(Bound::Loosened),
            _ => None,
        },
        "exclusiveMaximum" | "exclusiveMinimum" | "uniqueItems" => match (flag(old), flag(new)) {
            (false, true) => Some(Bound::Tightened),
            (true, false) => Some(Bound::Loosened),
            // A number (OpenAPI 3.1's exclusive bounds): any change is treated as tightened.
            _ if num(old) != num(new) => Some(Bound::Tightened),
            _ => None,
        },
        "pattern" => match (old, new) {
            (None, Some(_)) => Some(Bound::Tightened),
            (Some(_), None) => Some(Bound::Loosened),
            // Two patterns cannot be ordered: a changed one may refuse what the old accepted.
            _ => Some(Bound::Tightened),
        },
        "multipleOf" => match (num(old), num(new)) {
            (None, Some(_)) => Some(Bound::Tightened),
            (Some(_), None) => Some(Bound::Loosened),
            (Some(o), Some(n)) if n % o == 0.0 && n != o => Some(Bound::Tightened),
            (Some(o), Some(n)) if o % n == 0.0 && n != o => Some(Bound::Loosened),
            _ => Some(Bound::Tightened),
        },
        _ => None,
    }
}

/// The Rust type the generator gives a scalar of this type and format (for format changes).
fn scalar_rust_type(ty: Option<&str>, format: Option<&str>) -> &'static str {
    match (ty, format) {
        (Some("integer"), Some("int32")) => "i32",
        (Some("integer"), Some("uint32")) => "u32",
        (Some("integer"), Some("uint64")) => "u64",
        (Some("integer"), _) => "i64",
        (Some("number"), Some("float")) => "f32",
        (Some("number"), _) => "f64",
        (Some("string"), Some("date-time")) => "DateTime",
        (Some("string"), Some("date")) => "NaiveDate",
        (Some("string"), Some("uuid")) => "Uuid",
        (Some("string"), Some("byte")) => "Base64",
        (Some("string"), Some("binary")) => "Vec<u8>",
        (Some("string"), _) => "String",
        (Some("boolean"), _) => "bool",
        _ => "its type",
    }
}

/// Component schemas renamed without a change of shape: an old name gone from the new revision whose
/// schema equals exactly one new name's that was not in the old one.
pub(super) fn renamed_components(old: &Document, new: &Document) -> BTreeMap<String, String> {
    let (Some(os), Some(ns)) = (old.schemas(), new.schemas()) else {
        return BTreeMap::new();
    };
    let added: Vec<(&String, Value)> = ns
        .iter()
        .filter(|(k, _)| !os.contains_key(*k))
        .map(|(k, v)| (k, shape(v)))
        .collect();
    let mut out = BTreeMap::new();
    for (name, schema) in os.iter().filter(|(k, _)| !ns.contains_key(*k)) {
        let s = shape(schema);
        let mut candidates = added.iter().filter(|(_, a)| *a == s);
        if let (Some((new_name, _)), None) = (candidates.next(), candidates.next()) {
            out.insert(name.clone(), (*new_name).clone());
        }
    }
    out
}

/// A schema without what does not change the wire: descriptions, examples, titles, extensions;
/// `required` sorted.
fn shape(schema: &Value) -> Value {
    match schema {
        Value::Object(o) => {
            let mut out = serde_json::Map::new();
            for (k, v) in o {
                if matches!(
                    k.as_str(),
                    "description" | "example" | "examples" | "title" | "externalDocs"
                ) || k.starts_with("x-")
                {
                    continue;
                }
                let v = if k == "required" {
                    let mut r: Vec<Value> = v.as_array().cloned().unwrap_or_default();
                    r.sort_by_key(|v| v.to_string());
                    Value::Array(r)
                } else if k == "properties" || k == "enum" {
                    // Property and value names are data, not keywords.
                    match v {
                        Value::Object(p) => {
                            Value::Object(p.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
                        }
                        other => other.clone(),
                    }
                } else {
                    shape(v)
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn constraints_are_ordered_by_what_they_accept() {
        let n = |v: i64| json!(v);
        assert_eq!(
            bound_change("maxLength", Some(&n(10)), Some(&n(5))),
            Some(Bound::Tightened)
        );
        assert_eq!(
            bound_change("maxLength", Some(&n(5)), None),
            Some(Bound::Loosened)
        );
        assert_eq!(
            bound_change("minItems", None, Some(&n(1))),
            Some(Bound::Tightened)
        );
        assert_eq!(bound_change("minItems", None, Some(&n(0))), None);
        assert_eq!(
            bound_change("pattern", None, Some(&json!("^a"))),
            Some(Bound::Tightened)
        );
    }

    #[test]
    fn shapes_ignore_descriptions_and_property_order() {
        let a = json!({"type": "object", "description": "x", "required": ["b", "a"],
            "properties": {"a": {"type": "string"}, "b": {"type": "integer", "example": 3}}});
        let b = json!({"type": "object", "required": ["a", "b"],
            "properties": {"b": {"type": "integer"}, "a": {"type": "string", "description": "y"}}});
        assert_eq!(shape(&a), shape(&b));
    }
}
