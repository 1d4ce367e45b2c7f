//! Bundled JSON → `openapiv3::OpenAPI`; when that fails, finds every offending node and names it by pointer.
//!
//! openapiv3 leans on `#[serde(flatten)]` and untagged enums, which buffer their input: an error from
//! deserializing the whole document knows only the outermost such object (often just `/paths`). So on
//! failure each object is deserialized on its own: its children first, then the object itself with every
//! child replaced by a valid stand-in, so each error is reported at the object that has it, and every
//! independent error comes out in one run instead of only the first.

use serde::Deserialize;
use serde_json::{Value, json};

use super::pointer;

/// A type error: the JSON pointer of the offending node and what is wrong with it.
pub(crate) type Failure = (String, String);

/// Deserializes the document, or returns every failure found.
pub(crate) fn parse(doc: &Value) -> Result<openapiv3::OpenAPI, Vec<Failure>> {
    match attempt::<openapiv3::OpenAPI>(doc) {
        Ok(document) => Ok(document),
        Err(whole) => {
            let mut failures = Vec::new();
            if !diagnose(Node::Document, doc, "", &mut failures) {
                // Cannot happen (the same check failed just above), but an error must never vanish.
                failures.push(whole);
            }
            Err(failures)
        }
    }
}

/// The OpenAPI object types, as far as errors need telling apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Document,
    Info,
    Server,
    Paths,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Responses,
    Response,
    MediaType,
    Encoding,
    Header,
    Schema,
    Discriminator,
    Example,
    Link,
    Callback,
    Components,
    SecurityScheme,
    SecurityRequirement,
    Tag,
    ExternalDocs,
}

impl Node {
    fn noun(self) -> &'static str {
        match self {
            Node::Document => "OpenAPI document",
            Node::Info => "Info object",
            Node::Server => "Server object",
            Node::Paths => "Paths object",
            Node::PathItem => "Path Item object",
            Node::Operation => "Operation object",
            Node::Parameter => "Parameter object",
            Node::RequestBody => "Request Body object",
            Node::Responses => "Responses object",
            Node::Response => "Response object",
            Node::MediaType => "Media Type object",
            Node::Encoding => "Encoding object",
            Node::Header => "Header object",
            Node::Schema => "Schema object",
            Node::Discriminator => "Discriminator object",
            Node::Example => "Example object",
            Node::Link => "Link object",
            Node::Callback => "Callback object",
            Node::Components => "Components object",
            Node::SecurityScheme => "Security Scheme object",
            Node::SecurityRequirement => "Security Requirement object",
            Node::Tag => "Tag object",
            Node::ExternalDocs => "External Documentation object",
        }
    }

    /// A minimal valid value of this node, standing in for a child while its parent is checked.
    fn stand_in(self) -> Value {
        match self {
            Node::Info => json!({ "title": "", "version": "" }),
            Node::Server | Node::ExternalDocs => json!({ "url": "" }),
            Node::Operation => json!({ "responses": {} }),
            Node::Parameter => json!({ "name": "", "in": "query", "schema": {} }),
            Node::RequestBody => json!({ "content": {} }),
            Node::Response => json!({ "description": "" }),
            Node::Header => json!({ "schema": {} }),
            Node::Discriminator => json!({ "propertyName": "" }),
            Node::Link => json!({ "operationId": "" }),
            Node::SecurityScheme => json!({ "type": "http", "scheme": "basic" }),
            Node::Tag => json!({ "name": "" }),
            Node::Document => {
                json!({ "openapi": "3.0.3", "info": { "title": "", "version": "" }, "paths": {} })
            }
            Node::Paths
            | Node::PathItem
            | Node::Responses
            | Node::MediaType
            | Node::Encoding
            | Node::Schema
            | Node::Example
            | Node::Callback
            | Node::Components
            | Node::SecurityRequirement => json!({}),
        }
    }

    /// Whether a `$ref` object may stand in for this node.
    fn referable(self) -> bool {
        matches!(
            self,
            Node::PathItem
                | Node::Parameter
                | Node::RequestBody
                | Node::Response
                | Node::Header
                | Node::Schema
                | Node::Example
                | Node::Link
                | Node::Callback
                | Node::SecurityScheme
        )
    }

    fn check(self, v: &Value) -> Result<(), Failure> {
        use openapiv3 as o;
        match self {
            Node::Document => attempt::<o::OpenAPI>(v).map(drop),
            Node::Info => attempt::<o::Info>(v).map(drop),
            Node::Server => attempt::<o::Server>(v).map(drop),
            Node::Paths => attempt::<o::Paths>(v).map(drop),
            Node::PathItem => attempt::<o::PathItem>(v).map(drop),
            Node::Operation => attempt::<o::Operation>(v).map(drop),
            Node::Parameter => attempt::<o::Parameter>(v).map(drop),
            Node::RequestBody => attempt::<o::RequestBody>(v).map(drop),
            Node::Responses => attempt::<o::Responses>(v).map(drop),
            Node::Response => attempt::<o::Response>(v).map(drop),
            Node::MediaType => attempt::<o::MediaType>(v).map(drop),
            Node::Encoding => attempt::<o::Encoding>(v).map(drop),
            Node::Header => attempt::<o::Header>(v).map(drop),
            Node::Schema => attempt::<o::Schema>(v).map(drop),
            Node::Discriminator => attempt::<o::Discriminator>(v).map(drop),
            Node::Example => attempt::<o::Example>(v).map(drop),
            Node::Link => attempt::<o::Link>(v).map(drop),
            Node::Callback => attempt::<o::Callback>(v).map(drop),
            Node::Components => attempt::<o::Components>(v).map(drop),
            Node::SecurityScheme => attempt::<o::SecurityScheme>(v).map(drop),
            Node::SecurityRequirement => attempt::<o::SecurityRequirement>(v).map(drop),
            Node::Tag => attempt::<o::Tag>(v).map(drop),
            Node::ExternalDocs => attempt::<o::ExternalDocumentation>(v).map(drop),
        }
    }

    /// The nodes inside `v` that are checked on their own, with their pointers.
    fn children<'v>(self, v: &'v Value, at: &str) -> Vec<(Node, String, &'v Value)> {
        let mut out = Vec::new();
        let mut one = |key: &str, node: Node| {
            if let Some(child) = v.get(key) {
                out.push((node, pointer::push(at, key), child));
            }
        };
        match self {
            Node::Document => {
                one("info", Node::Info);
                one("paths", Node::Paths);
                one("components", Node::Components);
                one("externalDocs", Node::ExternalDocs);
                out.extend(items(v, at, "servers", Node::Server));
                out.extend(items(v, at, "security", Node::SecurityRequirement));
                out.extend(items(v, at, "tags", Node::Tag));
            }
            Node::Paths | Node::Callback => out.extend(entries(Some(v), at, Node::PathItem, true)),
            Node::PathItem => {
                for method in [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ] {
                    one(method, Node::Operation);
                }
                out.extend(items(v, at, "servers", Node::Server));
                out.extend(items(v, at, "parameters", Node::Parameter));
            }
            Node::Operation => {
                one("requestBody", Node::RequestBody);
                one("responses", Node::Responses);
                one("externalDocs", Node::ExternalDocs);
                out.extend(items(v, at, "parameters", Node::Parameter));
                out.extend(map(v, at, "callbacks", Node::Callback));
                out.extend(items(v, at, "servers", Node::Server));
                out.extend(items(v, at, "security", Node::SecurityRequirement));
            }
            Node::Responses => out.extend(entries(Some(v), at, Node::Response, true)),
            Node::Response => {
                out.extend(map(v, at, "headers", Node::Header));
                out.extend(map(v, at, "content", Node::MediaType));
                out.extend(map(v, at, "links", Node::Link));
            }
            Node::RequestBody => out.extend(map(v, at, "content", Node::MediaType)),
            Node::MediaType => {
                one("schema", Node::Schema);
                out.extend(map(v, at, "examples", Node::Example));
                out.extend(map(v, at, "encoding", Node::Encoding));
            }
            Node::Encoding => out.extend(map(v, at, "headers", Node::Header)),
            Node::Parameter | Node::Header => {
                one("schema", Node::Schema);
                out.extend(map(v, at, "content", Node::MediaType));
                out.extend(map(v, at, "examples", Node::Example));
            }
            Node::Components => {
                for (key, node) in [
                    ("schemas", Node::Schema),
                    ("responses", Node::Response),
                    ("parameters", Node::Parameter),
                    ("examples", Node::Example),
                    ("requestBodies", Node::RequestBody),
                    ("headers", Node::Header),
                    ("securitySchemes", Node::SecurityScheme),
                    ("links", Node::Link),
                    ("callbacks", Node::Callback),
                ] {
                    out.extend(map(v, at, key, node));
                }
            }
            Node::Schema => {
                one("items", Node::Schema);
                one("not", Node::Schema);
                one("discriminator", Node::Discriminator);
                one("externalDocs", Node::ExternalDocs);
                if v.get("additionalProperties").is_some_and(Value::is_object) {
                    one("additionalProperties", Node::Schema);
                }
                out.extend(map(v, at, "properties", Node::Schema));
                for key in ["allOf", "oneOf", "anyOf"] {
                    out.extend(items(v, at, key, Node::Schema));
                }
            }
            Node::Info
            | Node::Server
            | Node::Discriminator
            | Node::Example
            | Node::Link
            | Node::SecurityScheme
            | Node::SecurityRequirement
            | Node::Tag
            | Node::ExternalDocs => {}
        }
        out
    }
}

/// Reports the failures inside `v`; false when `v` deserializes as `node`.
fn diagnose(node: Node, v: &Value, at: &str, failures: &mut Vec<Failure>) -> bool {
    if node.referable()
        && let Some(reference) = v.get("$ref")
    {
        if reference.is_string() {
            return false;
        }
        failures.push((
            pointer::push(at, "$ref"),
            "`$ref` must be a string".to_owned(),
        ));
        return true;
    }
    let Err((inner, message)) = node.check(v) else {
        return false;
    };
    let before = failures.len();
    let children = node.children(v, at);
    for (child, child_at, child_value) in &children {
        diagnose(*child, child_value, child_at, failures);
    }
    // The node's own problems: with every child replaced by a valid stand-in, what still fails is here.
    let mut shell = v.clone();
    for (child, child_at, _) in &children {
        if let Some(slot) = child_at
            .strip_prefix(at)
            .and_then(|rel| shell.pointer_mut(rel))
        {
            *slot = child.stand_in();
        }
    }
    if let Err((own_inner, own_message)) = node.check(&shell)
        && !(node == Node::Schema && schema_keywords(&shell, at, failures))
    {
        failures.push((
            format!("{at}{own_inner}"),
            format!("invalid {}: {own_message}", node.noun()),
        ));
    }
    // Never report nothing: if the parts pass on their own, the error of the whole is what there is.
    if failures.len() == before {
        failures.push((
            format!("{at}{inner}"),
            format!("invalid {}: {message}", node.noun()),
        ));
    }
    true
}

/// A schema's own keywords, each against the type openapiv3 expects: errors inside a schema have no path.
fn schema_keywords(v: &Value, at: &str, failures: &mut Vec<Failure>) -> bool {
    let Some(map) = v.as_object() else {
        return false;
    };
    let mut found = false;
    for (key, value) in map {
        let result = match key.as_str() {
            "type" | "format" | "pattern" | "title" | "description" => {
                attempt::<String>(value).map(drop)
            }
            "nullable" | "readOnly" | "writeOnly" | "deprecated" | "exclusiveMinimum"
            | "exclusiveMaximum" | "uniqueItems" => attempt::<bool>(value).map(drop),
            "multipleOf" | "minimum" | "maximum" => attempt::<serde_json::Number>(value).map(drop),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties" => attempt::<usize>(value).map(drop),
            "required" => attempt::<Vec<String>>(value).map(drop),
            "enum" | "allOf" | "oneOf" | "anyOf" => attempt::<Vec<Value>>(value).map(drop),
            "properties" | "items" | "not" => {
                attempt::<serde_json::Map<String, Value>>(value).map(drop)
            }
            "additionalProperties" if !value.is_boolean() => {
                attempt::<serde_json::Map<String, Value>>(value)
                    .map(drop)
                    .map_err(|(p, _)| {
                        (
                            p,
                            format!(
                                "invalid type: {}, expected a boolean or a schema",
                                describe(value)
                            ),
                        )
                    })
            }
            _ => Ok(()),
        };
        if let Err((inner, message)) = result {
            let at = pointer::push(at, key);
            failures.push((
                format!("{at}{inner}"),
                format!("invalid Schema object: {message}"),
            ));
            found = true;
        }
    }
    found
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "sequence",
        Value::Object(_) => "map",
    }
}

fn items<'v>(v: &'v Value, at: &str, key: &str, node: Node) -> Vec<(Node, String, &'v Value)> {
    let at = pointer::push(at, key);
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, item)| (node, pointer::push_index(&at, i), item))
                .collect()
        })
        .unwrap_or_default()
}

fn map<'v>(v: &'v Value, at: &str, key: &str, node: Node) -> Vec<(Node, String, &'v Value)> {
    entries(v.get(key), &pointer::push(at, key), node, false)
}

/// The entries of an object, as `node`s; `extensible`: the object's `x-` keys are extensions, not entries.
fn entries<'v>(
    v: Option<&'v Value>,
    at: &str,
    node: Node,
    extensible: bool,
) -> Vec<(Node, String, &'v Value)> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !(extensible && k.starts_with("x-")))
                .map(|(k, child)| (node, pointer::push(at, k), child))
                .collect()
        })
        .unwrap_or_default()
}

/// Deserializes `v` as `T`; the failure's pointer is relative to `v`.
fn attempt<'de, T: Deserialize<'de>>(v: &'de Value) -> Result<T, Failure> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let mut at = String::new();
        for segment in e.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    at = pointer::push_index(&at, *index)
                }
                serde_path_to_error::Segment::Map { key } => at = pointer::push(&at, key),
                serde_path_to_error::Segment::Enum { .. } => {}
                serde_path_to_error::Segment::Unknown => break,
            }
        }
        (at, e.into_inner().to_string())
    })
}
