//! OpenAPI 3.1 → OpenAPI 3.0, on the bundled JSON document, keyword by keyword.
//!
//! 3.1 schemas are JSON Schema 2020-12; the model reads 3.0 schemas. What has a 3.0 equivalent becomes
//! it: `type: [T, "null"]` and `anyOf: [X, {type: "null"}]` are a nullable `T`/`X`, several types are an
//! `anyOf` of one schema per type, `const` is a one-value enum, numeric `exclusiveMinimum/Maximum` are a
//! bound with the boolean flag, `examples` gives its first value as `example`, `contentEncoding: base64`
//! is `format: byte` and a non-text `contentMediaType` is `format: binary`, a `$ref` with sibling keywords
//! is an `allOf` holding the reference beside them, a `prefixItems` tuple is an array of its one item
//! schema (of any value when they differ), boolean schemas are `{}` and `{"not": {}}`, a recursive
//! reference (`$recursiveRef: "#"`) inside a component is a `$ref` to that component. What has none
//! (`if/then/else`, `dependentSchemas`, `unevaluatedProperties`, `$dynamicRef`, …) is removed with a
//! warning at its pointer. At the document level, `jsonSchemaDialect` is dropped (with a warning when it
//! names another dialect than OpenAPI's), `mutualTLS` security schemes are dropped with a warning,
//! `paths` becomes optional, an operation without `responses` answers anything (a `default` answer
//! without a body), and path items referenced from `components.pathItems` are inlined.
//! `webhooks` stays where it is (already bundled and lowered): the model reads it from the raw document.

use serde_json::{Map, Value, json};

use super::operations::{for_each_operation, for_each_path_item};
use super::pointer;
use super::schemas::for_each_schema;

/// A warning: pointer into the bundled document, and what was not kept.
pub(crate) type Warning = (String, String);

/// The `openapi` version written into lowered documents.
pub(crate) const LOWERED_VERSION: &str = "3.0.3";

/// The default schema dialect of OpenAPI 3.1 documents.
const OAS_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Keywords removed with a warning: no OpenAPI 3.0 equivalent.
const DROPPED: &[&str] = &[
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
    "$dynamicRef",
    "$recursiveRef",
    "$anchor",
    "$vocabulary",
];

/// Keywords removed silently: they only annotate the schema (or its text), nothing generated reads them.
/// (`$defs` stays where it is: references into it still resolve.)
/// (Recursion anchors only say where a recursive reference points: see [`recursive_reference`].)
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$comment",
    "$id",
    "contentSchema",
    "$recursiveAnchor",
    "$dynamicAnchor",
];

/// Lowers the 3.1 document `doc` to 3.0 in place; returns what could not be kept.
pub(crate) fn lower(doc: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Some(root) = doc.as_object_mut() else {
        return warnings;
    };
    root.insert("openapi".into(), LOWERED_VERSION.into());
    if let Some(dialect) = root.shift_remove("jsonSchemaDialect")
        && dialect.as_str() != Some(OAS_DIALECT)
    {
        warnings.push((
            "/jsonSchemaDialect".to_owned(),
            format!(
                "the schema dialect {dialect} is read as OpenAPI's own ({OAS_DIALECT}); keywords of other vocabularies are ignored"
            ),
        ));
    }
    root.entry("paths").or_insert_with(|| json!({}));
    drop_mutual_tls(root, &mut warnings);
    inline_path_item_refs(doc);
    // 3.1 lets an operation declare no answers: it answers anything.
    for_each_operation(doc, &mut |operation, _| {
        if !operation.contains_key("responses") {
            operation.insert("responses".into(), any_answer());
        }
    });
    for_each_schema(doc, &mut |schema, at| {
        lower_schema(schema, at, &mut warnings)
    });
    warnings
}

/// The answers of an operation that declares none: a `default` answer without a body, so that the
/// server may answer any status and the client takes any.
pub(crate) fn any_answer() -> Value {
    json!({ "default": { "description": "Any answer: the document declares none." } })
}

/// `mutualTLS` (3.1) has no 3.0 security scheme: the client certificate is the transport's business.
fn drop_mutual_tls(root: &mut Map<String, Value>, warnings: &mut Vec<Warning>) {
    let Some(schemes) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("securitySchemes"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    schemes.retain(|name, scheme| {
        let keep = scheme.get("type").and_then(Value::as_str) != Some("mutualTLS");
        if !keep {
            warnings.push((
                pointer::push("/components/securitySchemes", name),
                "a mutualTLS security scheme has no OpenAPI 3.0 equivalent: it is left out (configure the client certificate on the HTTP client)".to_owned(),
            ));
        }
        keep
    });
}

/// Path items (under `paths`, `webhooks`, callbacks and `components.pathItems`) that refer to
/// `#/components/pathItems/…` get the referenced item itself (3.0 has no such components; the
/// reference's siblings are kept over it).
fn inline_path_item_refs(doc: &mut Value) {
    let Some(items) = doc
        .pointer("/components/pathItems")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    for_each_path_item(doc, &mut |item, _| {
        let target = item
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/pathItems/"))
            .and_then(|name| pointer::tokens(&format!("/{name}")))
            .and_then(|t| t.into_iter().next())
            .and_then(|name| items.get(&name).cloned());
        if let Some(Value::Object(mut target)) = target {
            item.shift_remove("$ref");
            for (k, v) in std::mem::take(item) {
                target.insert(k, v);
            }
            *item = target;
        }
    });
}

/// One schema, its inner schemas already lowered.
fn lower_schema(schema: &mut Map<String, Value>, at: &str, warnings: &mut Vec<Warning>) {
    let mut warn = |keyword: &str, message: String| {
        warnings.push((pointer::push(at, keyword), message));
    };
    for keyword in ANNOTATIONS {
        schema.shift_remove(*keyword);
    }
    recursive_reference(schema, at);
    for keyword in DROPPED {
        if schema.shift_remove(*keyword).is_some() {
            warn(
                keyword,
                format!("`{keyword}` has no OpenAPI 3.0 equivalent: it is not checked nor typed"),
            );
        }
    }
    lower_type(schema, &mut warn);
    if let Some(value) = schema.shift_remove("const")
        && !schema.contains_key("enum")
    {
        // `const: "text"` says its type by its value (discriminator properties are written so).
        let implied = match &value {
            Value::String(_) => Some("string"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            _ => None,
        };
        if let Some(implied) = implied
            && !["type", "allOf", "anyOf", "oneOf", "$ref"]
                .iter()
                .any(|k| schema.contains_key(*k))
        {
            schema.insert("type".into(), implied.into());
        }
        schema.insert("enum".into(), Value::Array(vec![value]));
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && values.iter().any(Value::is_null)
    {
        values.retain(|v| !v.is_null());
        schema.insert("nullable".into(), true.into());
    }
    for (exclusive, inclusive, stricter) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        if let Some(Value::Number(bound)) = schema.get(exclusive).cloned() {
            let other = schema.get(inclusive).and_then(Value::as_f64);
            let bound_f = bound.as_f64().unwrap_or_default();
            // Both given: the stricter of the two is the one kept.
            let exclusive_wins = other.is_none_or(|o| {
                bound_f.partial_cmp(&o).unwrap_or(std::cmp::Ordering::Equal) != stricter.reverse()
            });
            if exclusive_wins {
                schema.insert(inclusive.into(), Value::Number(bound));
                schema.insert(exclusive.into(), true.into());
            } else {
                schema.shift_remove(exclusive);
            }
        }
    }
    if let Some(Value::Array(examples)) = schema.get("examples").cloned() {
        schema.shift_remove("examples");
        if let Some(first) = examples.into_iter().next() {
            schema.entry("example").or_insert(first);
        }
    }
    lower_content_keywords(schema);
    lower_prefix_items(schema, &mut warn);
    lower_null_alternatives(schema);
    wrap_reference_with_siblings(schema);
}

/// `$recursiveRef: "#"` / `$dynamicRef: "#…"` inside a component schema: in OpenAPI documents they
/// name the component being defined (a recursive filter holding filters), which 3.0 says with `$ref`.
fn recursive_reference(schema: &mut Map<String, Value>, at: &str) {
    let Some(component) = pointer::tokens(at).and_then(|t| match t.as_slice() {
        [components, schemas, name, ..] if components == "components" && schemas == "schemas" => {
            Some(name.clone())
        }
        _ => None,
    }) else {
        return;
    };
    for keyword in ["$recursiveRef", "$dynamicRef"] {
        if schema
            .get(keyword)
            .and_then(Value::as_str)
            .is_some_and(|r| r.starts_with('#') && !r.starts_with("#/"))
        {
            schema.shift_remove(keyword);
            schema.insert(
                "$ref".into(),
                pointer::local_ref(&pointer::push("/components/schemas", &component)).into(),
            );
        }
    }
}

/// `type: [..]` and `type: "null"`.
pub(crate) fn lower_type(schema: &mut Map<String, Value>, warn: &mut impl FnMut(&str, String)) {
    let types: Vec<String> = match schema.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return,
    };
    let (nulls, others): (Vec<String>, Vec<String>) = types.into_iter().partition(|t| t == "null");
    if !nulls.is_empty() {
        schema.insert("nullable".into(), true.into());
    }
    match others.as_slice() {
        // Only `null`: the 3.1 marker stays so that a parent `anyOf` can recognise its null member.
        [] => {
            schema.insert("type".into(), "null".into());
        }
        [one] => {
            schema.insert("type".into(), one.as_str().into());
        }
        several => {
            schema.shift_remove("type");
            if schema.contains_key("anyOf") || schema.contains_key("oneOf") {
                warn(
                    "type",
                    format!(
                        "several types ({}) beside anyOf/oneOf: the value is read as any of them unchecked",
                        several.join(", ")
                    ),
                );
                return;
            }
            let mut format_taken = false;
            let alternatives: Vec<Value> = several
                .iter()
                .map(|t| {
                    let mut alternative = Map::new();
                    alternative.insert("type".into(), t.as_str().into());
                    let keywords: &[&str] = match t.as_str() {
                        "string" => &["minLength", "maxLength", "pattern"],
                        "integer" | "number" => &[
                            "minimum",
                            "maximum",
                            "exclusiveMinimum",
                            "exclusiveMaximum",
                            "multipleOf",
                        ],
                        "array" => &["items", "minItems", "maxItems", "uniqueItems"],
                        "object" => &[
                            "properties",
                            "required",
                            "additionalProperties",
                            "minProperties",
                            "maxProperties",
                        ],
                        _ => &[],
                    };
                    for keyword in keywords {
                        if let Some(v) = schema.get(*keyword) {
                            alternative.insert((*keyword).into(), v.clone());
                        }
                    }
                    if !format_taken
                        && matches!(t.as_str(), "string" | "integer" | "number")
                        && let Some(format) = schema.get("format")
                    {
                        alternative.insert("format".into(), format.clone());
                        format_taken = true;
                    }
                    Value::Object(alternative)
                })
                .collect();
            for keyword in [
                "minLength",
                "maxLength",
                "pattern",
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
                "items",
                "minItems",
                "maxItems",
                "uniqueItems",
                "properties",
                "required",
                "additionalProperties",
                "minProperties",
                "maxProperties",
                "format",
            ] {
                schema.shift_remove(keyword);
            }
            schema.insert("anyOf".into(), Value::Array(alternatives));
        }
    }
}

/// `contentEncoding` and `contentMediaType` say how a string carries bytes; 3.0 said it with `format`.
fn lower_content_keywords(schema: &mut Map<String, Value>) {
    let encoding = schema.shift_remove("contentEncoding");
    let media_type = schema.shift_remove("contentMediaType");
    if schema.get("type").and_then(Value::as_str) != Some("string") || schema.contains_key("format")
    {
        return;
    }
    if encoding.as_ref().and_then(Value::as_str) == Some("base64") {
        schema.insert("format".into(), "byte".into());
    } else if encoding.is_none()
        && let Some(media_type) = media_type.as_ref().and_then(Value::as_str)
    {
        let textual = media_type.starts_with("text/")
            || media_type.ends_with("json")
            || media_type.ends_with("xml");
        if !textual {
            schema.insert("format".into(), "binary".into());
        }
    }
}

/// `prefixItems` (a tuple): 3.0 arrays have one item schema.
fn lower_prefix_items(schema: &mut Map<String, Value>, warn: &mut impl FnMut(&str, String)) {
    let Some(Value::Array(prefix)) = schema.shift_remove("prefixItems") else {
        return;
    };
    // `items: false` closes a tuple; as a 3.0 item schema it would refuse every item.
    if schema.get("items") == Some(&json!({ "not": {} })) {
        schema.shift_remove("items");
    }
    if schema.contains_key("items") {
        warn(
            "prefixItems",
            "the leading items of this tuple (`prefixItems`) are not checked: they are read like the others, with `items`".to_owned(),
        );
        return;
    }
    let first = prefix.first().cloned().unwrap_or_else(|| json!({}));
    if prefix.iter().all(|p| *p == first) {
        schema.insert("items".into(), first);
    } else {
        warn(
            "prefixItems",
            "a tuple (`prefixItems`) whose positions have different schemas: its items are read as any value".to_owned(),
        );
        schema.insert("items".into(), json!({}));
    }
    schema.entry("type").or_insert_with(|| "array".into());
}

/// Whether `schema` only says "null" (`type: "null"`, perhaps with a description).
fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        && schema.as_object().is_some_and(|m| {
            m.keys()
                .all(|k| matches!(k.as_str(), "type" | "description" | "title" | "nullable"))
        })
}

/// `anyOf`/`oneOf` with a `{type: "null"}` member: a nullable version of the others.
fn lower_null_alternatives(schema: &mut Map<String, Value>) {
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = schema.get(keyword) else {
            continue;
        };
        if !members.iter().any(is_null_schema) {
            continue;
        }
        let mut rest: Vec<Value> = members
            .iter()
            .filter(|m| !is_null_schema(m))
            .cloned()
            .collect();
        schema.insert("nullable".into(), true.into());
        if rest.len() != 1 {
            schema.insert(keyword.into(), Value::Array(rest));
            continue;
        }
        schema.shift_remove(keyword);
        let only = rest.remove(0);
        match only {
            Value::Object(member) if member.contains_key("$ref") => {
                let all_of = schema
                    .entry("allOf")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(all_of) = all_of {
                    all_of.push(Value::Object(member));
                }
            }
            Value::Object(member) => {
                // The parent's own keywords (its description) win over the member's.
                for (k, v) in member {
                    if k == "nullable" {
                        continue;
                    }
                    schema.entry(k).or_insert(v);
                }
            }
            _ => {}
        }
    }
}

/// A `$ref` beside other keywords: in 3.1 both apply, in 3.0 the siblings would be ignored.
fn wrap_reference_with_siblings(schema: &mut Map<String, Value>) {
    if !schema.contains_key("$ref") || schema.len() == 1 {
        return;
    }
    let reference = schema.shift_remove("$ref").unwrap_or_default();
    let member = json!({ "$ref": reference });
    match schema.get_mut("allOf") {
        Some(Value::Array(all_of)) => all_of.insert(0, member),
        _ => {
            schema.insert("allOf".into(), Value::Array(vec![member]));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::lower;

    fn lowered(schema: Value) -> (Value, Vec<String>) {
        let mut doc = json!({ "openapi": "3.1.0", "components": { "schemas": { "S": schema } } });
        let warnings = lower(&mut doc);
        (
            doc["components"]["schemas"]["S"].clone(),
            warnings
                .into_iter()
                .map(|(at, m)| format!("{at}: {m}"))
                .collect(),
        )
    }

    #[test]
    fn type_with_null_is_nullable() {
        let (s, w) = lowered(json!({ "type": ["string", "null"], "maxLength": 3 }));
        assert_eq!(
            s,
            json!({ "type": "string", "maxLength": 3, "nullable": true })
        );
        assert!(w.is_empty());
    }

    #[test]
    fn several_types_become_one_alternative_per_type() {
        let (s, _) = lowered(
            json!({ "type": ["string", "integer"], "maxLength": 3, "minimum": 1, "description": "d" }),
        );
        assert_eq!(
            s,
            json!({ "description": "d", "anyOf": [
                { "type": "string", "maxLength": 3 },
                { "type": "integer", "minimum": 1 }
            ] })
        );
    }

    #[test]
    fn any_of_a_reference_and_null_is_a_nullable_reference() {
        let (s, _) = lowered(
            json!({ "anyOf": [{ "$ref": "#/components/schemas/T" }, { "type": "null" }], "description": "d" }),
        );
        assert_eq!(
            s,
            json!({ "description": "d", "nullable": true, "allOf": [{ "$ref": "#/components/schemas/T" }] })
        );
    }

    #[test]
    fn const_numeric_exclusive_bounds_and_examples_take_their_3_0_form() {
        let (s, _) = lowered(json!({
            "type": "integer", "const": 3, "exclusiveMinimum": 0, "minimum": -5,
            "exclusiveMaximum": 10, "maximum": 4, "examples": [3, 4]
        }));
        assert_eq!(
            s,
            json!({
                "type": "integer", "minimum": 0, "exclusiveMinimum": true,
                "maximum": 4, "example": 3, "enum": [3]
            })
        );
        let (s, _) = lowered(json!({ "const": "text" }));
        assert_eq!(s, json!({ "type": "string", "enum": ["text"] }));
    }

    #[test]
    fn reference_with_siblings_is_wrapped_in_all_of() {
        let (s, _) = lowered(json!({ "$ref": "#/components/schemas/T", "description": "d" }));
        assert_eq!(
            s,
            json!({ "description": "d", "allOf": [{ "$ref": "#/components/schemas/T" }] })
        );
    }

    #[test]
    fn tuples_and_conditionals_are_reported_where_they_are() {
        let (s, w) = lowered(json!({
            "type": "array", "prefixItems": [{ "type": "string" }, { "type": "integer" }],
            "if": { "minItems": 1 }, "then": { "maxItems": 2 }
        }));
        assert_eq!(s, json!({ "type": "array", "items": {} }));
        assert_eq!(
            w,
            [
                "/components/schemas/S/if: `if` has no OpenAPI 3.0 equivalent: it is not checked nor typed",
                "/components/schemas/S/then: `then` has no OpenAPI 3.0 equivalent: it is not checked nor typed",
                "/components/schemas/S/prefixItems: a tuple (`prefixItems`) whose positions have different schemas: its items are read as any value",
            ]
        );
    }

    #[test]
    fn recursive_reference_names_the_component_it_is_in() {
        let (s, w) = lowered(json!({
            "$recursiveAnchor": true,
            "properties": { "filters": { "items": { "oneOf": [{ "type": "string" }, { "$recursiveRef": "#" }] } } }
        }));
        assert_eq!(
            s["properties"]["filters"]["items"]["oneOf"][1],
            json!({ "$ref": "#/components/schemas/S" })
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn content_encoding_and_media_type_become_formats() {
        let (s, _) = lowered(json!({ "type": "string", "contentEncoding": "base64" }));
        assert_eq!(s, json!({ "type": "string", "format": "byte" }));
        let (s, _) = lowered(json!({ "type": "string", "contentMediaType": "image/png" }));
        assert_eq!(s, json!({ "type": "string", "format": "binary" }));
    }
}
