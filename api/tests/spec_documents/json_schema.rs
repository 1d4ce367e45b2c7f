//! OpenAPI 3.0 schema objects turned into draft-4 JSON Schema, so that an independent validator
//! (`jsonschema`) checks examples; and the contract's rule against `null`, `{}` and `[]`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::documents::{Specs, walk};

/// Converts OpenAPI 3.0 schema objects to draft-4 JSON Schema, bundling every reachable `$ref` (local or
/// in another file) under `definitions`.
struct Bundler<'a> {
    specs: &'a Specs,
    definitions: Map<String, Value>,
    /// (file, pointer) → key under `definitions`.
    keys: BTreeMap<(String, String), String>,
}

/// OpenAPI keywords that JSON Schema does not know or that must not constrain an instance.
const OPENAPI_ONLY_KEYWORDS: [&str; 8] = [
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

impl<'a> Bundler<'a> {
    fn new(specs: &'a Specs) -> Self {
        Bundler {
            specs,
            definitions: Map::new(),
            keys: BTreeMap::new(),
        }
    }

    fn definition_key(&mut self, file: &str, pointer: &str) -> (String, bool) {
        if let Some(key) = self.keys.get(&(file.to_owned(), pointer.to_owned())) {
            return (key.clone(), false);
        }
        let base: String = format!("{file}{pointer}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut key = base.clone();
        let mut counter = 1;
        while self.keys.values().any(|existing| *existing == key) {
            counter += 1;
            key = format!("{base}_{counter}");
        }
        self.keys
            .insert((file.to_owned(), pointer.to_owned()), key.clone());
        (key, true)
    }

    /// Converts `schema`, found in `file`.
    fn convert(&mut self, file: &str, schema: &Value) -> Result<Value, String> {
        let Value::Object(map) = schema else {
            // `true`/`false` schemas do not exist in OpenAPI 3.0.
            return Err(format!("{file}: a schema that is not an object: {schema}"));
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            // Siblings of `$ref` (descriptions, markers) are ignored, as OpenAPI 3.0 requires.
            let target = self.specs.resolve(file, reference)?;
            let (key, fresh) = self.definition_key(target.file, &target.pointer);
            if fresh {
                self.definitions.insert(key.clone(), Value::Bool(true)); // placeholder for recursive schemas
                let converted = self.convert(target.file, target.node)?;
                self.definitions.insert(key.clone(), converted);
            }
            return Ok(json!({ "$ref": format!("#/definitions/{key}") }));
        }
        let mut out = Map::new();
        for (keyword, value) in map {
            if OPENAPI_ONLY_KEYWORDS.contains(&keyword.as_str()) || keyword.starts_with("x-") {
                continue;
            }
            let converted = match keyword.as_str() {
                "properties" => {
                    let properties = value
                        .as_object()
                        .ok_or_else(|| format!("{file}: `properties` is not a map"))?;
                    let mut converted = Map::new();
                    for (name, property) in properties {
                        converted.insert(name.clone(), self.convert(file, property)?);
                    }
                    Value::Object(converted)
                }
                "items" | "not" => self.convert(file, value)?,
                "additionalProperties" if value.is_object() => self.convert(file, value)?,
                "allOf" | "anyOf" | "oneOf" => {
                    let members = value
                        .as_array()
                        .ok_or_else(|| format!("{file}: `{keyword}` is not an array"))?;
                    Value::Array(
                        members
                            .iter()
                            .map(|member| self.convert(file, member))
                            .collect::<Result<_, _>>()?,
                    )
                }
                _ => value.clone(),
            };
            out.insert(keyword.clone(), converted);
        }
        // `format: int32` bounds the value, which JSON Schema only knows through minimum/maximum.
        if map.get("format").and_then(Value::as_str) == Some("int32") {
            out.entry("minimum").or_insert(json!(i32::MIN));
            out.entry("maximum").or_insert(json!(i32::MAX));
        }
        if map.get("nullable").and_then(Value::as_bool) == Some(true) {
            return Ok(make_nullable(out));
        }
        Ok(Value::Object(out))
    }
}

/// OpenAPI 3.0 `nullable: true` → `null` is also accepted.
fn make_nullable(mut schema: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match schema.get("type").cloned() {
        Some(Value::String(kind)) => {
            schema.insert("type".into(), json!([kind, "null"]));
            Value::Object(schema)
        }
        Some(_) => Value::Object(schema),
        None => json!({ "anyOf": [Value::Object(schema), { "type": "null" }] }),
    }
}

/// The draft-4 JSON Schema equivalent to the OpenAPI schema `schema` found in `file`, self-contained.
pub(crate) fn json_schema_for(specs: &Specs, file: &str, schema: &Value) -> Result<Value, String> {
    let mut bundler = Bundler::new(specs);
    let root = bundler.convert(file, schema)?;
    Ok(json!({ "definitions": Value::Object(bundler.definitions), "allOf": [root] }))
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Checks `example` against the OpenAPI schema `schema` found in `file`; the error lists every violation.
pub(crate) fn validate_example(
    specs: &Specs,
    file: &str,
    schema: &Value,
    example: &Value,
) -> Result<(), String> {
    let json_schema = json_schema_for(specs, file, schema)?;
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .with_format("uuid", is_uuid)
        .build(&json_schema)
        .map_err(|e| format!("the converted schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(example)
        .map(|error| format!("at `{}`: {error}", error.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Where `value` holds `null`, `{}` or `[]` (the contract forbids sending any of them for an optional property).
pub(crate) fn empty_values(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(value, "", &mut |node, pointer| {
        let what = match node {
            Value::Null => "null",
            Value::Object(map) if map.is_empty() => "{}",
            Value::Array(items) if items.is_empty() => "[]",
            _ => return,
        };
        found.push(format!("`{what}` at `{pointer}`"));
    });
    found
}
