//! Every schema of a bundled document, visited with its pointer, inner schemas before the schema holding them.
//!
//! The 3.1 lowering and the tolerant fixes rewrite schemas keyword by keyword; both need to find every
//! schema wherever the document keeps one (components, parameters, media types, headers, inside other
//! schemas) without mistaking data (examples, defaults, enums, `x-` extensions) or a user-chosen name (a
//! property called `schema`) for structure.

use serde_json::{Map, Value};

use super::pointer;

/// Keys of a non-schema object whose value maps names to objects (the names are not keywords).
const NAMED_MAPS: &[&str] = &[
    "paths",
    "webhooks",
    "responses",
    "content",
    "headers",
    "callbacks",
    "requestBodies",
    "pathItems",
    "encoding",
    "links",
    "securitySchemes",
    "parameters",
    "examples",
];

/// Keys of a non-schema object whose value is literal data.
const DATA: &[&str] = &["example", "examples", "default", "enum", "const", "value"];

/// Keywords of a schema that map names to schemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keywords of a schema whose value is one schema.
const SCHEMA_ONE: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
];

/// Keywords of a schema whose value is a sequence of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Calls `visit` on every schema object of `document` with its pointer, inner schemas first.
///
/// Boolean schemas (3.1) become objects first: `true` is `{}`, `false` is `{"not": {}}` (except as
/// `additionalProperties`, where 3.0 takes booleans too).
pub(crate) fn for_each_schema(
    document: &mut Value,
    visit: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    structure(document, "", false, &mut |_, _| {}, visit);
}

/// Calls `visit` on every object of `document` that is an OpenAPI object (the document, operations,
/// parameters, responses...) rather than a schema, data or a map of names, with its pointer, outer
/// objects first.
pub(crate) fn for_each_openapi_object(
    document: &mut Value,
    visit: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    structure(document, "", false, visit, &mut |_, _| {});
}

fn structure(
    value: &mut Value,
    at: &str,
    named: bool,
    on_object: &mut dyn FnMut(&mut Map<String, Value>, &str),
    visit: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                structure(item, &pointer::push_index(at, i), false, on_object, visit);
            }
        }
        Value::Object(map) => {
            if !named {
                on_object(map, at);
            }
            for (key, child) in map.iter_mut() {
                if key.starts_with("x-") {
                    continue;
                }
                let child_at = pointer::push(at, key);
                if named {
                    structure(child, &child_at, false, on_object, visit);
                } else if key == "schema" {
                    schema(child, &child_at, visit);
                } else if key == "schemas" {
                    if let Some(entries) = child.as_object_mut() {
                        for (name, entry) in entries.iter_mut() {
                            schema(entry, &pointer::push(&child_at, name), visit);
                        }
                    }
                } else if NAMED_MAPS.contains(&key.as_str()) && child.is_object() {
                    // `examples` of a parameter or media type names Example objects: data all the way down.
                    if key != "examples" {
                        structure(child, &child_at, true, on_object, visit);
                    }
                } else if !DATA.contains(&key.as_str()) {
                    structure(child, &child_at, false, on_object, visit);
                }
            }
        }
        _ => {}
    }
}

fn schema(value: &mut Value, at: &str, visit: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    // `additionalProperties: false` is 3.0 too: it stays a boolean.
    if at.ends_with("/additionalProperties") && value.is_boolean() {
        return;
    }
    if let Value::Bool(accepts) = value {
        *value = if *accepts {
            Value::Object(Map::new())
        } else {
            serde_json::json!({ "not": {} })
        };
    }
    let Value::Object(map) = value else {
        return;
    };
    for (key, child) in map.iter_mut() {
        let child_at = pointer::push(at, key);
        let key = key.as_str();
        if SCHEMA_MAPS.contains(&key) {
            if let Some(entries) = child.as_object_mut() {
                for (name, entry) in entries.iter_mut() {
                    schema(entry, &pointer::push(&child_at, name), visit);
                }
            }
        } else if SCHEMA_ONE.contains(&key) || SCHEMA_LISTS.contains(&key) {
            match child {
                Value::Array(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        schema(item, &pointer::push_index(&child_at, i), visit);
                    }
                }
                _ => schema(child, &child_at, visit),
            }
        }
    }
    visit(map, at);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::for_each_schema;

    #[test]
    fn visits_schemas_inner_first_and_skips_data_and_names() {
        let mut doc = json!({
            "components": {
                "schemas": {
                    "Pet": { "properties": { "schema": { "type": "string" } }, "example": { "schema": 1 } }
                },
                "responses": { "schema": { "description": "", "content": { "a/b": { "schema": { "items": true } } } } }
            },
            "paths": { "/p": { "get": { "parameters": [ { "schema": { "type": "integer" } } ] } } }
        });
        let mut seen = Vec::new();
        for_each_schema(&mut doc, &mut |_, at| seen.push(at.to_owned()));
        assert_eq!(
            seen,
            [
                "/components/schemas/Pet/properties/schema",
                "/components/schemas/Pet",
                "/components/responses/schema/content/a~1b/schema/items",
                "/components/responses/schema/content/a~1b/schema",
                "/paths/~1p/get/parameters/0/schema",
            ]
        );
        assert_eq!(
            doc.pointer("/components/responses/schema/content/a~1b/schema/items"),
            Some(&json!({}))
        );
    }
}
