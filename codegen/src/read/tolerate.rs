//! Tolerant reading: a construct that breaks the OpenAPI rules costs only the schema or operation that
//! holds it, with a warning at its pointer, never the whole document.
//!
//! - A tuple `items` (a sequence of schemas, JSON Schema draft 4) is not an OpenAPI item schema: the items
//!   are read as any value.
//! - An integer schema's bounds must be 64-bit integers: a bound written as a decimal or beyond 64 bits
//!   (read as the nearest floating-point number) becomes the nearest integer bound that accepts no more;
//!   a `multipleOf` that is not one is not checked.
//! - A path key holds a path only: one with a query string (`/responses?beta=true`) or a fragment
//!   (`/files/{id}#download`) is left out with its operations.
//! - An operation declares its answers (3.0): one with no `responses`, or none in them, answers anything
//!   (a `default` answer without a body), as 3.1 reads it.
//! - A schema's `type` is one type (3.0, Swagger 2.0): a list of them, as 3.1 writes it and real 2.0
//!   documents do (`type: [string, "null"]`), is read as 3.1 reads it.
//! - A parameter names itself and where it goes: an entry of `parameters` without `name` and `in`
//!   is left out.
//! - `security` is a list of requirements: one requirement written alone (a map of scheme names, as
//!   OpenAPI's own Tic Tac Toe example does) is read as the list holding it.

use serde_json::{Map, Number, Value};

use super::openapi31::{Warning, any_answer, lower_type};
use super::operations::{for_each_operation, for_each_path_item};
use super::pointer;
use super::schemas::{for_each_openapi_object, for_each_schema};

/// Magnitude beyond which a floating-point number no longer holds every integer exactly.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// Repairs what can be repaired in place; returns a warning for each repair.
pub(crate) fn apply(doc: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    drop_paths_with_query_or_fragment(doc, &mut warnings);
    for_each_operation(doc, &mut |operation, at| {
        undeclared_answers(operation, at, &mut warnings);
        malformed_parameters(operation, at, &mut warnings);
    });
    for_each_path_item(doc, &mut |item, at| {
        malformed_parameters(item, at, &mut warnings);
    });
    for_each_openapi_object(doc, &mut |object, at| {
        lone_security_requirement(object, at, &mut warnings);
    });
    for_each_schema(doc, &mut |schema, at| {
        type_list(schema, at, &mut warnings);
        tuple_items(schema, at, &mut warnings);
        integer_bounds(schema, at, &mut warnings);
    });
    warnings
}

fn drop_paths_with_query_or_fragment(doc: &mut Value, warnings: &mut Vec<Warning>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    paths.retain(|key, _| {
        let keep = key.starts_with("x-") || !key.contains(['?', '#']);
        if !keep {
            warnings.push((
                pointer::push("/paths", key),
                "a path key cannot hold a query string or a fragment: the operations under it are left out".to_owned(),
            ));
        }
        keep
    });
}

fn undeclared_answers(operation: &mut Map<String, Value>, at: &str, warnings: &mut Vec<Warning>) {
    let declared = operation
        .get("responses")
        .and_then(Value::as_object)
        .is_some_and(|responses| responses.keys().any(|key| !key.starts_with("x-")));
    if !declared {
        let extensions = operation
            .get("responses")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut answers = any_answer();
        if let Value::Object(answers) = &mut answers {
            answers.extend(extensions);
        }
        operation.insert("responses".into(), answers);
        warnings.push((
            pointer::push(at, "responses"),
            "an operation must declare at least one answer (OpenAPI 3.0): read as answering anything (a `default` answer without a body)".to_owned(),
        ));
    }
}

/// Drops the entries of `parameters` that are neither a reference nor an object naming the
/// parameter and where it goes (`- FlowStateID: string`, written as if it were a schema).
fn malformed_parameters(holder: &mut Map<String, Value>, at: &str, warnings: &mut Vec<Warning>) {
    let Some(Value::Array(parameters)) = holder.get_mut("parameters") else {
        return;
    };
    let parameters_at = pointer::push(at, "parameters");
    let mut index = 0;
    parameters.retain(|parameter| {
        let well_formed = parameter.get("$ref").is_some()
            || (parameter.get("name").is_some_and(Value::is_string)
                && parameter.get("in").is_some_and(Value::is_string));
        if !well_formed {
            warnings.push((
                pointer::push_index(&parameters_at, index),
                "not a Parameter object (it has no `name` and `in`): left out".to_owned(),
            ));
        }
        index += 1;
        well_formed
    });
}

fn lone_security_requirement(
    object: &mut Map<String, Value>,
    at: &str,
    warnings: &mut Vec<Warning>,
) {
    if let Some(security) = object.get_mut("security")
        && security.is_object()
    {
        *security = Value::Array(vec![security.take()]);
        warnings.push((
            pointer::push(at, "security"),
            "`security` must be a list of requirements, not one requirement: read as a list holding it".to_owned(),
        ));
    }
}

fn type_list(schema: &mut Map<String, Value>, at: &str, warnings: &mut Vec<Warning>) {
    if !matches!(schema.get("type"), Some(Value::Array(_))) {
        return;
    }
    warnings.push((
        pointer::push(at, "type"),
        "`type` as a list of types is OpenAPI 3.1: read as 3.1 reads it (`null` among them makes the value nullable)".to_owned(),
    ));
    lower_type(schema, &mut |keyword, message| {
        warnings.push((pointer::push(at, keyword), message));
    });
}

fn tuple_items(schema: &mut Map<String, Value>, at: &str, warnings: &mut Vec<Warning>) {
    if let Some(items @ Value::Array(_)) = schema.get_mut("items") {
        *items = Value::Object(Map::new());
        warnings.push((
            pointer::push(at, "items"),
            "`items` must be one schema, not a sequence of them (a tuple): the items are read as any value".to_owned(),
        ));
    }
}

fn integer_bounds(schema: &mut Map<String, Value>, at: &str, warnings: &mut Vec<Warning>) {
    if schema.get("type").and_then(Value::as_str) != Some("integer") {
        return;
    }
    /// The keyword, and how a bound that is not an integer becomes one without accepting more.
    type Rounding = (&'static str, fn(f64) -> f64);
    const BOUNDS: [Rounding; 2] = [("minimum", f64::ceil), ("maximum", f64::floor)];
    for (keyword, round) in BOUNDS {
        let Some(Value::Number(n)) = schema.get(keyword) else {
            continue;
        };
        if n.is_i64() {
            continue;
        }
        let read = n.as_f64().unwrap_or_default();
        // i64::MAX is not a float; 2^63 is the first float above it.
        let integer = if round(read) >= 9_223_372_036_854_775_808.0 {
            i64::MAX
        } else {
            round(read) as i64
        };
        let lossy = (integer as f64) != read || read.abs() > EXACT_INTEGERS;
        if lossy {
            warnings.push((
                pointer::push(at, keyword),
                format!(
                    "the integer bound {n} is not a 64-bit integer (or was rounded on reading): it is read as {integer}"
                ),
            ));
        }
        schema.insert(keyword.into(), Value::Number(Number::from(integer)));
    }
    if let Some(Value::Number(n)) = schema.get("multipleOf")
        && !n.is_i64()
    {
        warnings.push((
            pointer::push(at, "multipleOf"),
            format!("`multipleOf: {n}` on an integer is not a 64-bit integer: it is not checked"),
        ));
        schema.shift_remove("multipleOf");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::apply;

    #[test]
    fn bounds_beyond_64_bits_are_clamped_with_a_warning() {
        let mut doc = json!({ "components": { "schemas": { "S": {
            "type": "integer", "minimum": -9.3e18, "maximum": 1.5
        } } } });
        let warnings = apply(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["S"],
            json!({ "type": "integer", "minimum": i64::MIN, "maximum": 1 })
        );
        assert_eq!(warnings.len(), 2);
        assert_eq!(warnings[0].0, "/components/schemas/S/minimum");
    }

    #[test]
    fn a_list_of_types_in_a_3_0_schema_is_read_as_3_1_reads_it_with_a_warning() {
        let mut doc = json!({ "components": { "schemas": { "S": {
            "type": "object",
            "properties": { "plan": { "type": ["string", "null"], "maxLength": 3 } }
        } } } });
        let warnings = apply(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["S"]["properties"]["plan"],
            json!({ "type": "string", "nullable": true, "maxLength": 3 })
        );
        let at: Vec<&str> = warnings.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(at, ["/components/schemas/S/properties/plan/type"]);
    }

    #[test]
    fn a_parameter_without_name_and_place_is_left_out_with_a_warning() {
        let mut doc = json!({ "paths": { "/verify": {
            "parameters": [{ "oops": true }],
            "get": {
                "parameters": [
                    { "name": "token", "in": "query", "schema": { "type": "string" } },
                    { "FlowStateID": "string" },
                    { "$ref": "#/components/parameters/Page" }
                ],
                "responses": { "200": { "description": "Verified." } }
            }
        } } });
        let warnings = apply(&mut doc);
        let kept: Vec<&Value> = doc["paths"]["/verify"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(kept.len(), 2);
        assert_eq!(doc["paths"]["/verify"]["parameters"], json!([]));
        let at: Vec<&str> = warnings.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(
            at,
            [
                "/paths/~1verify/get/parameters/1",
                "/paths/~1verify/parameters/0"
            ]
        );
    }

    #[test]
    fn an_operation_without_answers_answers_anything_with_a_warning() {
        let mut doc = json!({
            "paths": { "/users": {
                "get": {},
                "post": { "responses": { "x-note": "none yet" } },
                "put": { "responses": { "204": { "description": "Done." } } }
            } }
        });
        let warnings = apply(&mut doc);
        let any = json!({ "description": "Any answer: the document declares none." });
        assert_eq!(
            doc["paths"]["/users"]["get"]["responses"],
            json!({ "default": any })
        );
        assert_eq!(
            doc["paths"]["/users"]["post"]["responses"],
            json!({ "default": any, "x-note": "none yet" })
        );
        assert_eq!(
            doc["paths"]["/users"]["put"]["responses"],
            json!({ "204": { "description": "Done." } })
        );
        let at: Vec<&str> = warnings.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(
            at,
            [
                "/paths/~1users/get/responses",
                "/paths/~1users/post/responses"
            ]
        );
    }

    #[test]
    fn a_lone_security_requirement_is_read_as_a_list_of_one_and_properties_named_security_are_not()
    {
        let mut doc = json!({
            "paths": { "/board": { "get": {
                "security": { "apiKey": [], "oauth": ["board:read"] },
                "responses": { "200": { "description": "The board." } }
            } } },
            "components": { "schemas": { "S": {
                "type": "object", "properties": { "security": { "type": "object" } }
            } } }
        });
        let warnings = apply(&mut doc);
        assert_eq!(
            doc["paths"]["/board"]["get"]["security"],
            json!([{ "apiKey": [], "oauth": ["board:read"] }])
        );
        assert_eq!(
            doc["components"]["schemas"]["S"]["properties"]["security"],
            json!({ "type": "object" })
        );
        let at: Vec<&str> = warnings.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(at, ["/paths/~1board/get/security"]);
    }
}
