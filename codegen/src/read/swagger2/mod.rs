//! Swagger 2.0 → OpenAPI 3.0.3, on JSON values, for a bundled document (every `$ref` already local).
//!
//! The conversion follows the OpenAPI 3.0 equivalents one by one: `definitions`, global `parameters` and
//! `responses` become components (a global body parameter becomes a request body; global formData
//! parameters have no 3.0 home and are inlined where used), `host`/`basePath`/`schemes` become `servers`,
//! body and formData parameters become request bodies for the operation's `consumes`, response schemas
//! become `content` for its `produces`. Parameters keep their wire format: 2.0's default `csv` arrays need
//! an explicit `explode: false` in 3.0, whose query default is the 2.0 `multi`.

mod operation;
mod parameter;
mod response;
mod schema;
mod security;

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, Diagnostics};

use super::pointer;
use super::refs::{self, RefVisitor, Site};

use self::schema::schema;

/// The `openapi` version written into converted documents.
pub(crate) const CONVERTED_VERSION: &str = "3.0.3";

/// The media type of bodies and responses when neither the operation nor the document declares one.
const DEFAULT_MEDIA_TYPE: &str = "application/json";

const OPERATIONS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Converts the Swagger 2.0 document `doc` read from `file`.
pub(crate) fn convert(doc: &Value, file: &Path) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::default();
    let Some(root) = doc.as_object() else {
        diags.push(Diagnostic::new(file, "", "the document is not an object"));
        return (doc.clone(), diags);
    };
    let converter = Converter {
        root,
        consumes: strings(root.get("consumes")),
        produces: strings(root.get("produces")),
        file,
        diags: std::cell::RefCell::new(diags),
    };
    converter.check_shapes();
    let mut out = converter.document();
    let mut rewriter = RefRewriter {
        global_params: root.get("parameters").and_then(Value::as_object),
    };
    refs::walk(&mut out, &Site::root(""), false, &mut rewriter);
    (out, converter.diags.into_inner())
}

struct Converter<'a> {
    root: &'a Map<String, Value>,
    consumes: Vec<String>,
    produces: Vec<String>,
    file: &'a Path,
    // Conversion is a tree of `&self` methods; problems are rare and just collected on the side.
    diags: std::cell::RefCell<Diagnostics>,
}

impl Converter<'_> {
    fn diag(&self, pointer: &str, message: impl Into<String>) {
        self.diags
            .borrow_mut()
            .push(Diagnostic::new(self.file, pointer, message));
    }

    /// Top-level fields the conversion reads rather than copies: a wrong shape would silently vanish.
    fn check_shapes(&self) {
        for key in [
            "definitions",
            "parameters",
            "responses",
            "securityDefinitions",
        ] {
            if let Some(v) = self.root.get(key).filter(|v| !v.is_object()) {
                self.diag(
                    &pointer::push("", key),
                    format!("`{key}` must be a mapping, not {}", describe(v)),
                );
            }
        }
        for key in ["schemes", "consumes", "produces"] {
            let is_strings =
                |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
            if let Some(v) = self.root.get(key).filter(|v| !is_strings(v)) {
                self.diag(
                    &pointer::push("", key),
                    format!("`{key}` must be a sequence of strings, not {}", describe(v)),
                );
            }
        }
    }

    fn document(&self) -> Value {
        let mut out = Map::new();
        out.insert("openapi".into(), CONVERTED_VERSION.into());
        if let Some(info) = self.root.get("info") {
            out.insert("info".into(), info.clone());
        }
        let servers = self.servers(self.root.get("schemes"));
        if !servers.is_empty() {
            out.insert("servers".into(), Value::Array(servers));
        }
        for (key, value) in self.root {
            match key.as_str() {
                "swagger"
                | "info"
                | "host"
                | "basePath"
                | "schemes"
                | "consumes"
                | "produces"
                | "definitions"
                | "parameters"
                | "responses"
                | "securityDefinitions" => {}
                "paths" => {
                    out.insert(key.clone(), self.paths(value));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        Value::Object(out)
    }

    /// `scheme://host/basePath` for each scheme; a relative URL when there is no host.
    fn servers(&self, schemes: Option<&Value>) -> Vec<Value> {
        let host = self.root.get("host").and_then(Value::as_str);
        let base = self
            .root
            .get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("");
        // Paths start with `/`; a trailing one on the base would double it.
        let base = base.trim_end_matches('/');
        match host {
            Some(host) => {
                let mut schemes = strings(schemes);
                if schemes.is_empty() {
                    // 2.0 means "the scheme the definition was fetched with"; a file has none, assume TLS.
                    schemes.push("https".into());
                }
                schemes
                    .iter()
                    .map(|s| json!({ "url": format!("{s}://{host}{base}") }))
                    .collect()
            }
            None if !base.is_empty() => vec![json!({ "url": base })],
            None => Vec::new(),
        }
    }

    fn components(&self) -> Map<String, Value> {
        let mut components = Map::new();
        if let Some(definitions) = self.root.get("definitions").and_then(Value::as_object) {
            let schemas = definitions
                .iter()
                .map(|(name, s)| (name.clone(), schema(s)))
                .collect();
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if let Some(responses) = self.root.get("responses").and_then(Value::as_object) {
            let converted = responses
                .iter()
                .map(|(name, r)| (name.clone(), self.response(r, &self.produces)))
                .collect();
            components.insert("responses".into(), Value::Object(converted));
        }
        let mut parameters = Map::new();
        let mut bodies = Map::new();
        if let Some(globals) = self.root.get("parameters").and_then(Value::as_object) {
            for (name, p) in globals {
                let at = pointer::push(&pointer::push("", "parameters"), name);
                match p.get("in").and_then(Value::as_str) {
                    Some("body") => {
                        bodies.insert(name.clone(), self.request_body(p, &self.consumes));
                    }
                    // A form field is not a 3.0 component; operations that use it get it inlined.
                    Some("formData") => {}
                    _ => {
                        if let Some(converted) = self.parameter(p, &at) {
                            parameters.insert(name.clone(), converted);
                        }
                    }
                }
            }
        }
        if !parameters.is_empty() {
            components.insert("parameters".into(), Value::Object(parameters));
        }
        if !bodies.is_empty() {
            components.insert("requestBodies".into(), Value::Object(bodies));
        }
        if let Some(defs) = self
            .root
            .get("securityDefinitions")
            .and_then(Value::as_object)
        {
            let schemes = defs
                .iter()
                .filter_map(|(name, s)| {
                    let at = pointer::push(&pointer::push("", "securityDefinitions"), name);
                    self.security_scheme(s, &at)
                        .map(|converted| (name.clone(), converted))
                })
                .collect();
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        components
    }

    fn paths(&self, paths: &Value) -> Value {
        let Some(paths) = paths.as_object() else {
            return paths.clone();
        };
        let converted = paths
            .iter()
            .map(|(path, item)| {
                let value = if path.starts_with("x-") {
                    item.clone()
                } else {
                    self.path_item(item, &pointer::push(&pointer::push("", "paths"), path))
                };
                (path.clone(), value)
            })
            .collect();
        Value::Object(converted)
    }

    fn path_item(&self, item: &Value, at: &str) -> Value {
        let Some(item) = item.as_object() else {
            return item.clone();
        };
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Body and form parameters become each operation's request body; the rest stay on the path.
        let (payload, plain): (Vec<&Value>, Vec<&Value>) =
            shared.iter().partition(|p| self.is_payload(p));
        let mut out = Map::new();
        for (key, value) in item {
            match key.as_str() {
                k if OPERATIONS.contains(&k) => {
                    out.insert(
                        key.clone(),
                        self.operation(value, &payload, &pointer::push(at, k)),
                    );
                }
                "parameters" => {
                    let params: Vec<Value> = plain
                        .iter()
                        .enumerate()
                        .filter_map(|(i, p)| {
                            self.parameter_or_ref(
                                p,
                                &pointer::push_index(&pointer::push(at, key), i),
                            )
                        })
                        .collect();
                    if !params.is_empty() {
                        out.insert(key.clone(), Value::Array(params));
                    }
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn copy_extensions(from: &Value, to: &mut Map<String, Value>, except: &[&str]) {
    if let Some(from) = from.as_object() {
        for (k, v) in from {
            if k.starts_with("x-") && !except.contains(&k.as_str()) && !to.contains_key(k) {
                to.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Points the remaining 2.0 references at their 3.0 components.
struct RefRewriter<'a> {
    global_params: Option<&'a Map<String, Value>>,
}

impl RefVisitor for RefRewriter<'_> {
    fn reference(&mut self, node: &mut Value, _site: &Site<'_>) {
        let Some(reference) = refs::ref_str(node) else {
            return;
        };
        let Some(rest) = reference.strip_prefix("#/") else {
            return;
        };
        let (section, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let target = match section {
            "definitions" => "schemas",
            "responses" => "responses",
            "parameters" => {
                let name = pointer::tokens(&format!("/{tail}"))
                    .and_then(|t| t.into_iter().next())
                    .unwrap_or_default();
                let location = self
                    .global_params
                    .and_then(|g| g.get(&name))
                    .and_then(|p| p.get("in"))
                    .and_then(Value::as_str);
                if location == Some("body") {
                    "requestBodies"
                } else {
                    "parameters"
                }
            }
            _ => return,
        };
        let rewritten = format!("#/components/{target}/{tail}");
        refs::set_ref(node, rewritten);
    }

    fn mapping(&mut self, target: &mut String, _pointer: &str) {
        if let Some(tail) = target.strip_prefix("#/definitions/") {
            *target = format!("#/components/schemas/{tail}");
        }
    }
}

/// The pointer in the Swagger 2.0 source of a node of the converted document, where the layout is kept.
///
/// Schemas convert keyword for keyword, so `/components/schemas/X/...` is `/definitions/X/...`; paths,
/// operations and responses keep their place (a response's schema moves under `content`); parameters and
/// request bodies are restructured and have no exact source.
pub(crate) fn source_pointer(converted: &str) -> Option<String> {
    let tokens = pointer::tokens(converted)?;
    let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let source: Vec<&str> = match t.as_slice() {
        [] | ["info" | "tags" | "externalDocs" | "security", ..] => t.clone(),
        ["components", "schemas", rest @ ..] => [&["definitions"][..], rest].concat(),
        ["components", "responses", name, rest @ ..] => {
            response_source(&["responses", name], rest)?
        }
        ["paths", _] => t.clone(),
        ["paths", path, method, rest @ ..] if OPERATIONS.contains(method) => match rest {
            ["responses", code, response @ ..] => {
                response_source(&["paths", path, method, "responses", code], response)?
            }
            ["parameters" | "requestBody" | "servers", ..] => return None,
            _ => t.clone(),
        },
        _ => return None,
    };
    Some(pointer::from_tokens(&source))
}

/// The source of a pointer `rest` inside the converted response at `at`.
fn response_source<'t>(at: &[&'t str], rest: &[&'t str]) -> Option<Vec<&'t str>> {
    match rest {
        [] | ["description", ..] | ["headers", _] => Some([at, rest].concat()),
        ["content", _, "schema", schema @ ..] => Some([at, &["schema"][..], schema].concat()),
        _ => None,
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}
