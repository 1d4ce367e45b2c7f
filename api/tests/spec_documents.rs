//! Checks on the OpenAPI documents in `spec/` (`common.yaml`, `product-ordering.yaml`, `user-service.yaml`):
//! they parse as OpenAPI 3.0, every `$ref` resolves, every example validates against its schema, the
//! operations carry the roles and security the contract gives, contract decisions are marked, and an
//! independent validator (`openapi-spec-validator`) accepts them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value, json};

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Component sections whose entry names must be unique across all files: the generator bundles every
/// document's components into one namespace. (Security schemes are per document by OpenAPI's design.)
const SHARED_COMPONENT_SECTIONS: [&str; 5] = [
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "examples",
];

// ---------------------------------------------------------------------------------------------------
// Loading and reference resolution
// ---------------------------------------------------------------------------------------------------

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// Every OpenAPI document in `spec/`, sorted by name.
fn spec_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(spec_dir())
        .expect("spec/ is readable")
        .map(|entry| entry.expect("spec/ entry is readable").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// The documents of `spec/` as JSON values, keyed by file name.
struct Specs {
    docs: BTreeMap<String, Value>,
}

/// Where a `$ref` points: the file holding the target, the JSON pointer inside it, and the node.
struct Target<'a> {
    file: &'a str,
    pointer: String,
    node: &'a Value,
}

impl Specs {
    fn load() -> Self {
        let docs = spec_paths()
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("spec file is readable");
                let value: Value = serde_yaml::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not YAML/JSON: {e}", path.display()));
                (file_name(path), value)
            })
            .collect();
        Specs { docs }
    }

    fn from_docs<'s>(docs: impl IntoIterator<Item = (&'s str, Value)>) -> Self {
        Specs {
            docs: docs
                .into_iter()
                .map(|(name, doc)| (name.to_owned(), doc))
                .collect(),
        }
    }

    fn doc(&self, file: &str) -> &Value {
        &self.docs[file]
    }

    /// Resolves `reference`, written in `file`. Only relative references to files beside `file` exist in `spec/`.
    fn resolve(&self, file: &str, reference: &str) -> Result<Target<'_>, String> {
        let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target_file = if file_part.is_empty() {
            file
        } else {
            file_part.trim_start_matches("./")
        };
        let (target_file, doc) = self.docs.get_key_value(target_file).ok_or_else(|| {
            format!("{file}: `$ref: {reference}` names a file that is not in spec/")
        })?;
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(format!(
                "{file}: `$ref: {reference}` has a fragment that is not a JSON pointer"
            ));
        }
        let node = doc.pointer(fragment).ok_or_else(|| {
            format!("{file}: `$ref: {reference}` points at nothing in {target_file}")
        })?;
        Ok(Target {
            file: target_file,
            pointer: fragment.to_owned(),
            node,
        })
    }

    /// Follows `$ref`s from `node` (found in `file`) to a node that is not a reference.
    fn deref<'a>(&'a self, file: &'a str, node: &'a Value) -> Result<Target<'a>, String> {
        let mut target = Target {
            file,
            pointer: String::new(),
            node,
        };
        for _ in 0..32 {
            match target.node.get("$ref").and_then(Value::as_str) {
                Some(reference) => target = self.resolve(target.file, reference)?,
                None => return Ok(target),
            }
        }
        Err(format!("{file}: a chain of more than 32 `$ref`s"))
    }

    /// Every operation: (file, path, method, operation).
    fn operations(&self) -> Vec<(&str, &str, &str, &Value)> {
        let mut operations = Vec::new();
        for (file, doc) in &self.docs {
            let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for (path, item) in paths {
                for method in HTTP_METHODS {
                    if let Some(operation) = item.get(method) {
                        operations.push((file.as_str(), path.as_str(), method, operation));
                    }
                }
            }
        }
        operations
    }
}

/// Calls `visit` on every node of `value` with its JSON pointer.
fn walk<'a>(value: &'a Value, pointer: &str, visit: &mut dyn FnMut(&'a Value, &str)) {
    visit(value, pointer);
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                walk(child, &format!("{pointer}/{escaped}"), visit);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, &format!("{pointer}/{index}"), visit);
            }
        }
        _ => {}
    }
}

/// Every `$ref` of `file`: (pointer of the referencing node, reference).
fn refs_of(doc: &Value) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    walk(doc, "", &mut |node, pointer| {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            refs.push((pointer.to_owned(), reference.to_owned()));
        }
    });
    refs
}

/// The reasons why some `$ref`s of the documents do not resolve.
fn unresolved_refs(specs: &Specs) -> Vec<String> {
    let mut failures = Vec::new();
    for (file, doc) in &specs.docs {
        for (pointer, reference) in refs_of(doc) {
            if let Err(reason) = specs.resolve(file, &reference) {
                failures.push(format!("{file}#{pointer}: {reason}"));
            }
        }
    }
    failures
}

// ---------------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema → JSON Schema (draft 4) and example validation
// ---------------------------------------------------------------------------------------------------

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
fn json_schema_for(specs: &Specs, file: &str, schema: &Value) -> Result<Value, String> {
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
fn validate_example(
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
fn empty_values(value: &Value) -> Vec<String> {
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

/// Validates every example of the documents against its schema.
#[derive(Default)]
struct ExampleReport {
    /// How many example values were checked.
    checked: usize,
    /// (file, name) of every `components/examples` entry some operation or component uses.
    used_named_examples: BTreeSet<(String, String)>,
    failures: Vec<String>,
}

impl ExampleReport {
    fn check(&mut self, specs: &Specs, file: &str, schema: &Value, example: &Value, place: &str) {
        self.checked += 1;
        if let Err(reason) = validate_example(specs, file, schema, example) {
            self.failures.push(format!("{place}: {reason}"));
        }
        for empty in empty_values(example) {
            self.failures.push(format!("{place}: {empty}"));
        }
    }

    /// `example` and `examples` of a media type or parameter object, against its `schema`.
    fn check_holder(&mut self, specs: &Specs, file: &str, holder: &Value, place: &str) {
        let Some(schema) = holder.get("schema") else {
            if holder.get("example").is_some() || holder.get("examples").is_some() {
                self.failures
                    .push(format!("{place}: examples without a schema"));
            }
            return;
        };
        self.check_schema_examples(specs, file, schema, &format!("{place}/schema"));
        if let Some(example) = holder.get("example") {
            self.check(specs, file, schema, example, &format!("{place}/example"));
        }
        let Some(examples) = holder.get("examples").and_then(Value::as_object) else {
            return;
        };
        for (name, example) in examples {
            let place = format!("{place}/examples/{name}");
            let target = match specs.deref(file, example) {
                Ok(target) => target,
                Err(reason) => {
                    self.failures.push(format!("{place}: {reason}"));
                    continue;
                }
            };
            if let Some(example_name) = target.pointer.strip_prefix("/components/examples/") {
                self.used_named_examples
                    .insert((target.file.to_owned(), example_name.to_owned()));
            }
            match target.node.get("value") {
                Some(value) => self.check(specs, file, schema, value, &place),
                None => self
                    .failures
                    .push(format!("{place}: an example without an inline `value`")),
            }
        }
    }

    /// `example`s written inside a schema (and its subschemas), each against the schema that holds it.
    fn check_schema_examples(&mut self, specs: &Specs, file: &str, schema: &Value, place: &str) {
        let Value::Object(map) = schema else { return };
        if map.contains_key("$ref") {
            return; // the target is checked where it is defined
        }
        if let Some(example) = map.get("example") {
            self.check(specs, file, schema, example, &format!("{place}/example"));
        }
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                self.check_schema_examples(
                    specs,
                    file,
                    property,
                    &format!("{place}/properties/{name}"),
                );
            }
        }
        for keyword in ["items", "additionalProperties", "not"] {
            if let Some(child) = map.get(keyword) {
                self.check_schema_examples(specs, file, child, &format!("{place}/{keyword}"));
            }
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for (index, child) in map
                .get(keyword)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                self.check_schema_examples(
                    specs,
                    file,
                    child,
                    &format!("{place}/{keyword}/{index}"),
                );
            }
        }
    }

    fn check_content(&mut self, specs: &Specs, file: &str, owner: &Value, place: &str) {
        let Some(content) = owner.get("content").and_then(Value::as_object) else {
            return;
        };
        for (media_type, holder) in content {
            self.check_holder(
                specs,
                file,
                holder,
                &format!("{place}/content/{media_type}"),
            );
        }
    }

    fn check_parameter(&mut self, specs: &Specs, file: &str, parameter: &Value, place: &str) {
        match specs.deref(file, parameter) {
            Ok(target) => {
                self.check_holder(specs, target.file, target.node, place);
                self.check_content(specs, target.file, target.node, place);
            }
            Err(reason) => self.failures.push(format!("{place}: {reason}")),
        }
    }

    fn check_request_or_response(&mut self, specs: &Specs, file: &str, node: &Value, place: &str) {
        match specs.deref(file, node) {
            Ok(target) => self.check_content(specs, target.file, target.node, place),
            Err(reason) => self.failures.push(format!("{place}: {reason}")),
        }
    }

    /// Every example of every document: operations, then components (which also covers unused ones).
    fn of(specs: &Specs) -> Self {
        let mut report = ExampleReport::default();
        for (file, path, method, operation) in specs.operations() {
            let place = format!("{file} {method} {path}");
            let path_parameters = specs.doc(file)["paths"][path]
                .get("parameters")
                .and_then(Value::as_array);
            let operation_parameters = operation.get("parameters").and_then(Value::as_array);
            for parameter in path_parameters
                .into_iter()
                .chain(operation_parameters)
                .flatten()
            {
                report.check_parameter(specs, file, parameter, &format!("{place} parameter"));
            }
            if let Some(body) = operation.get("requestBody") {
                report.check_request_or_response(
                    specs,
                    file,
                    body,
                    &format!("{place} requestBody"),
                );
            }
            for (status, response) in operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                report.check_request_or_response(
                    specs,
                    file,
                    response,
                    &format!("{place} {status}"),
                );
            }
        }
        for (file, doc) in &specs.docs {
            let components = &doc["components"];
            for (name, schema) in components
                .get("schemas")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                report.check_schema_examples(
                    specs,
                    file,
                    schema,
                    &format!("{file}#/components/schemas/{name}"),
                );
            }
            for (name, parameter) in components
                .get("parameters")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                report.check_parameter(
                    specs,
                    file,
                    parameter,
                    &format!("{file}#/components/parameters/{name}"),
                );
            }
            for section in ["requestBodies", "responses"] {
                for (name, node) in components
                    .get(section)
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let place = format!("{file}#/components/{section}/{name}");
                    report.check_request_or_response(specs, file, node, &place);
                }
            }
        }
        report
    }
}

// ---------------------------------------------------------------------------------------------------
// Contract markers
// ---------------------------------------------------------------------------------------------------

fn has_decision_line(description: &str) -> bool {
    description
        .lines()
        .any(|line| line.trim_start().starts_with("Decision:"))
}

/// Nodes whose `x-contract-source` is wrong: a decision without a "Decision:" line, a "Decision:" line on a
/// node not marked as a decision, or an unknown source.
fn contract_marker_problems(specs: &Specs) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, doc) in &specs.docs {
        walk(doc, "", &mut |node, pointer| {
            let Value::Object(map) = node else { return };
            let decision_line = map
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(has_decision_line);
            match map.get("x-contract-source") {
                Some(Value::String(source)) if source == "decision" => {
                    if !decision_line {
                        problems.push(format!(
                            "{file}#{pointer}: a decision without a `Decision:` line"
                        ));
                    }
                }
                Some(Value::String(source)) if source == "published" => {
                    if decision_line {
                        problems.push(format!(
                            "{file}#{pointer}: a `Decision:` line on a node marked published"
                        ));
                    }
                }
                None => {
                    if decision_line {
                        problems.push(format!(
                            "{file}#{pointer}: a `Decision:` line on a node not marked decision"
                        ));
                    }
                }
                Some(other) => problems.push(format!(
                    "{file}#{pointer}: x-contract-source {other} is neither decision nor published"
                )),
            }
        });
    }
    problems
}

// ---------------------------------------------------------------------------------------------------
// 1. Parsing
// ---------------------------------------------------------------------------------------------------

#[test]
fn spec_directory_holds_the_three_documents() {
    let names: Vec<String> = spec_paths().iter().map(|p| file_name(p)).collect();
    for expected in ["common.yaml", "product-ordering.yaml", "user-service.yaml"] {
        assert!(
            names.iter().any(|n| n == expected),
            "spec/ lacks {expected}: {names:?}"
        );
    }
}

#[test]
fn every_spec_parses_with_openapiv3_as_openapi_3_0() {
    for path in spec_paths() {
        let text = std::fs::read_to_string(&path).unwrap();
        let api: openapiv3::OpenAPI = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not an OpenAPI document: {e}", path.display()));
        assert!(
            api.openapi.starts_with("3.0."),
            "{}: version {} is not 3.0.x",
            path.display(),
            api.openapi
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// 2. References
// ---------------------------------------------------------------------------------------------------

#[test]
fn every_ref_resolves_to_an_existing_node() {
    let specs = Specs::load();
    let count: usize = specs.docs.values().map(|doc| refs_of(doc).len()).sum();
    assert!(
        count > 100,
        "only {count} `$ref`s found; is the walk broken?"
    );
    let failures = unresolved_refs(&specs);
    assert!(
        failures.is_empty(),
        "unresolved references:\n{}",
        failures.join("\n")
    );
}

#[test]
fn cross_file_refs_use_common_yaml_only() {
    let specs = Specs::load();
    for (file, doc) in &specs.docs {
        for (pointer, reference) in refs_of(doc) {
            let (file_part, _) = reference.split_once('#').unwrap_or((&reference, ""));
            assert!(
                file_part.is_empty() || file_part == "common.yaml",
                "{file}#{pointer}: `{reference}` refers to a file other than common.yaml"
            );
            assert!(
                file != "common.yaml" || file_part.is_empty(),
                "common.yaml must not refer to other files"
            );
        }
    }
}

#[test]
fn ref_check_reports_a_dangling_reference() {
    let specs = Specs::from_docs([
        (
            "a.yaml",
            json!({ "components": { "schemas": { "A": { "$ref": "b.yaml#/components/schemas/Missing" } } } }),
        ),
        (
            "b.yaml",
            json!({ "components": { "schemas": { "B": { "$ref": "#/components/schemas/B" } } } }),
        ),
    ]);
    let failures = unresolved_refs(&specs);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("Missing"), "{failures:?}");
}

// ---------------------------------------------------------------------------------------------------
// 3. Examples
// ---------------------------------------------------------------------------------------------------

#[test]
fn every_example_validates_against_its_schema_and_has_no_null_or_empty_value() {
    let specs = Specs::load();
    let report = ExampleReport::of(&specs);
    assert!(
        report.checked > 100,
        "only {} examples checked; is the walk broken?",
        report.checked
    );
    assert!(
        report.failures.is_empty(),
        "examples that break their schema:\n{}",
        report.failures.join("\n")
    );
}

#[test]
fn every_named_example_is_used_so_it_is_validated() {
    let specs = Specs::load();
    let report = ExampleReport::of(&specs);
    let mut unused = Vec::new();
    for (file, doc) in &specs.docs {
        for name in doc["components"]
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|e| e.0)
        {
            if !report
                .used_named_examples
                .contains(&(file.clone(), name.clone()))
            {
                unused.push(format!("{file}#/components/examples/{name}"));
            }
        }
    }
    assert!(
        unused.is_empty(),
        "named examples no operation or response uses (never validated):\n{}",
        unused.join("\n")
    );
}

#[test]
fn every_use_case_has_a_named_example() {
    let specs = Specs::load();
    let expected = [
        ("common.yaml", "ErrorMissingBody"),
        ("common.yaml", "ErrorInvalidBody"),
        ("common.yaml", "ErrorMissingBodyField"),
        ("common.yaml", "ErrorInvalidBodyField"),
        ("common.yaml", "ErrorMissingQueryParameter"),
        ("common.yaml", "ErrorInvalidQueryParameter"),
        ("common.yaml", "ErrorMissingCredentials"),
        ("common.yaml", "ErrorInvalidCredentials"),
        ("common.yaml", "ErrorNotFound"),
        ("common.yaml", "ErrorConflict"),
        ("common.yaml", "ErrorBodyTooLarge"),
        ("product-ordering.yaml", "Uc1CustomerAndContactsRequest"),
        ("product-ordering.yaml", "Uc1CustomerAndContactsCompleted"),
        ("product-ordering.yaml", "Uc2NewFleetRequest"),
        ("product-ordering.yaml", "Uc2NewFleetCompleted"),
        ("product-ordering.yaml", "Uc3AddLicensesRequest"),
        ("product-ordering.yaml", "Uc3AddLicensesCompleted"),
        ("product-ordering.yaml", "Uc3UnknownFleetRequest"),
        ("product-ordering.yaml", "Uc3UnknownFleetFailed"),
        ("product-ordering.yaml", "ProductOrderAcknowledged"),
        ("product-ordering.yaml", "ProductOrderCompletedEvent"),
        ("product-ordering.yaml", "ProductOrderFailedEvent"),
        ("product-ordering.yaml", "TokenRequestClientCredentials"),
        ("product-ordering.yaml", "TokenIssued"),
        ("user-service.yaml", "UserServicesOfFleet"),
        ("user-service.yaml", "UserServicesByIds"),
        ("user-service.yaml", "UserServiceOne"),
        ("user-service.yaml", "UpdateSuspendRequest"),
        ("user-service.yaml", "UpdateSuspendCompleted"),
        ("user-service.yaml", "UpdateReactivateRequest"),
        ("user-service.yaml", "UpdateReactivateCompleted"),
        ("user-service.yaml", "UpdateDeleteRequest"),
        ("user-service.yaml", "UpdateDeleteCompleted"),
        ("user-service.yaml", "UpdateSwapRequest"),
        ("user-service.yaml", "UpdateSwapCompleted"),
        ("user-service.yaml", "UpdateReactivateTerminatedRequest"),
        ("user-service.yaml", "UpdateFailed"),
        ("user-service.yaml", "UpdateAcknowledged"),
        ("user-service.yaml", "UpdateNotificationAsyncAnswer"),
        ("user-service.yaml", "Uc5EndUserAddEvent"),
        ("user-service.yaml", "Uc5EndUserModifyEvent"),
        ("user-service.yaml", "Uc5EndUserDeleteEvent"),
        ("user-service.yaml", "Uc5RealizingResourceModifyEvent"),
        ("user-service.yaml", "Uc5RightOperationEvent"),
        ("user-service.yaml", "Uc5ServiceCharacteristicEvent"),
    ];
    for (file, name) in expected {
        assert!(
            specs.doc(file)["components"]["examples"]
                .get(name)
                .is_some(),
            "{file} lacks the example {name}"
        );
    }
    // The examples show what they claim.
    let po = &specs.doc("product-ordering.yaml")["components"]["examples"];
    assert!(
        po["Uc1CustomerAndContactsRequest"]["value"]
            .get("orderItem")
            .is_none()
    );
    assert!(
        po["Uc2NewFleetRequest"]["value"]["orderItem"][0]["productRef"]
            .get("id")
            .is_none()
    );
    assert_eq!(
        po["Uc2NewFleetRequest"]["value"]["orderItem"][0]["productRef"]["userServiceQuantity"],
        3
    );
    assert!(po["Uc2NewFleetCompleted"]["value"]["orderItem"][0]["productRef"]["id"].is_string());
    assert_eq!(
        po["Uc2NewFleetCompleted"]["value"]["orderItem"][0]["productRef"]["userService"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(po["Uc3UnknownFleetFailed"]["value"]["state"], "failed");
    assert!(po["Uc3UnknownFleetFailed"]["value"]["note"]["text"].is_string());
    assert_eq!(
        po["ProductOrderCompletedEvent"]["value"]["type"],
        "completedStateNotification"
    );
    assert_eq!(
        po["ProductOrderFailedEvent"]["value"]["type"],
        "failedStateNotification"
    );
    let us = &specs.doc("user-service.yaml")["components"]["examples"];
    let operation_of = |name: &str, operation: &str| {
        us[name]["value"]["resource"]["userService"][0][operation]["action"].clone()
    };
    assert_eq!(
        operation_of("Uc5EndUserAddEvent", "endUserOperation"),
        "add"
    );
    assert_eq!(
        operation_of("Uc5EndUserModifyEvent", "endUserOperation"),
        "modify"
    );
    assert_eq!(
        operation_of("Uc5EndUserDeleteEvent", "endUserOperation"),
        "delete"
    );
    assert_eq!(
        operation_of(
            "Uc5RealizingResourceModifyEvent",
            "realizingResourceOperation"
        ),
        "modify"
    );
    assert!(operation_of("Uc5RightOperationEvent", "rightOperation").is_string());
    assert!(
        operation_of(
            "Uc5ServiceCharacteristicEvent",
            "serviceCharacteristicOperation"
        )
        .is_string()
    );
    assert_eq!(
        us["UpdateNotificationAsyncAnswer"]["value"]["resource"]["state"],
        "completed"
    );
    assert!(
        us["Uc5EndUserAddEvent"]["value"]["resource"]
            .get("state")
            .is_none()
    );
}

/// The real ProductOrder schema, to feed deliberately wrong examples to the validator.
fn product_order_schema() -> (Specs, Value) {
    let specs = Specs::load();
    (
        specs,
        json!({ "$ref": "#/components/schemas/ProductOrder" }),
    )
}

#[test]
fn example_validator_accepts_a_correct_order() {
    let (specs, schema) = product_order_schema();
    let order = json!({
        "id": "po-1",
        "state": "completed",
        "orderItem": [{
            "id": "1", "action": "add",
            "productOffering": { "externalReference": { "type": "orange", "id": "PO-X" } },
            "productRef": { "id": "fleet-1", "userServiceQuantity": 1 }
        }]
    });
    validate_example(&specs, "product-ordering.yaml", &schema, &order).unwrap();
}

#[test]
fn example_validator_rejects_examples_that_break_the_schema() {
    let (specs, schema) = product_order_schema();
    let item = |quantity: Value| {
        json!({
            "id": "1", "action": "add",
            "productOffering": { "externalReference": { "type": "orange", "id": "PO-X" } },
            "productRef": { "userServiceQuantity": quantity }
        })
    };
    let wrong = [
        (
            "two order items (maxItems 1)",
            json!({ "orderItem": [item(json!(1)), item(json!(1))] }),
        ),
        (
            "userServiceQuantity 0 (minimum 1)",
            json!({ "orderItem": [item(json!(0))] }),
        ),
        (
            "userServiceQuantity beyond int32",
            json!({ "orderItem": [item(json!(3_000_000_000_i64))] }),
        ),
        (
            "userServiceQuantity as text",
            json!({ "orderItem": [item(json!("3"))] }),
        ),
        ("a state not in the enumeration", json!({ "state": "done" })),
        (
            "an orderDate that is not a date-time",
            json!({ "orderDate": "10/03/2025" }),
        ),
        (
            "a customer without externalReference (cross-file required)",
            json!({ "customer": { "tradingName": "X" } }),
        ),
        (
            "an ExternalReference without id (schema in common.yaml)",
            json!({ "externalReference": { "type": "orange" } }),
        ),
    ];
    for (what, example) in wrong {
        assert!(
            validate_example(&specs, "product-ordering.yaml", &schema, &example).is_err(),
            "the validator accepted {what}: {example}"
        );
    }
    let event = json!({ "$ref": "#/components/schemas/ProductOrderEvent" });
    let bad_uuid = json!({ "id": "not-a-uuid", "type": "completedStateNotification", "time": "2025-03-10T09:16:30Z", "resource": {} });
    assert!(
        validate_example(&specs, "product-ordering.yaml", &event, &bad_uuid).is_err(),
        "accepted an event id that is no UUID"
    );
}

#[test]
fn example_report_flags_a_wrong_named_example_and_empty_values() {
    let specs = Specs::from_docs([(
        "api.yaml",
        json!({
            "paths": { "/x": { "post": {
                "requestBody": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/X" },
                    "examples": { "bad": { "$ref": "#/components/examples/Bad" }, "empty": { "value": { "n": 1, "tags": [] } } }
                } } },
                "responses": {}
            } } },
            "components": {
                "schemas": { "X": { "type": "object", "required": ["n"], "properties": {
                    "n": { "type": "integer", "minimum": 1, "example": 0 },
                    "tags": { "type": "array", "items": { "type": "string" } }
                } } },
                "examples": { "Bad": { "value": { "n": "one" } } }
            }
        }),
    )]);
    let report = ExampleReport::of(&specs);
    let failures = report.failures.join("\n");
    assert!(
        failures.contains("examples/bad"),
        "the wrong named example was not flagged:\n{failures}"
    );
    assert!(
        failures.contains("`[]` at `/tags`"),
        "the empty array was not flagged:\n{failures}"
    );
    assert!(
        failures.contains("properties/n/example"),
        "the wrong schema example was not flagged:\n{failures}"
    );
    assert!(
        report
            .used_named_examples
            .contains(&("api.yaml".to_owned(), "Bad".to_owned()))
    );
}

#[test]
fn empty_value_check_finds_null_empty_object_and_empty_array() {
    assert!(empty_values(&json!({ "a": 1, "b": [1], "c": { "d": "x" } })).is_empty());
    let found = empty_values(&json!({ "a": null, "b": {}, "c": [{ "d": [] }] }));
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn converter_handles_nullable_and_drops_openapi_only_keywords() {
    let specs = Specs::from_docs([("a.yaml", json!({}))]);
    let schema = json!({
        "type": "object",
        "properties": {
            "s": { "type": "string", "nullable": true, "example": "x", "x-contract-source": "decision" },
            "e": { "type": "string", "enum": ["a"], "nullable": true },
            "n": { "type": "integer", "format": "int32" }
        }
    });
    validate_example(
        &specs,
        "a.yaml",
        &schema,
        &json!({ "s": null, "e": null, "n": 5 }),
    )
    .unwrap();
    assert!(validate_example(&specs, "a.yaml", &schema, &json!({ "e": "b" })).is_err());
    assert!(
        validate_example(
            &specs,
            "a.yaml",
            &schema,
            &json!({ "n": 2_147_483_648_i64 })
        )
        .is_err()
    );
    let converted = json_schema_for(&specs, "a.yaml", &schema)
        .unwrap()
        .to_string();
    assert!(
        !converted.contains("nullable")
            && !converted.contains("example")
            && !converted.contains("x-contract")
    );
}

// ---------------------------------------------------------------------------------------------------
// 4. Operations, roles, names
// ---------------------------------------------------------------------------------------------------

/// (file, method, path, operationId, x-obakit-role) of every operation of the contract, O1 to O8.
const OPERATIONS: [(&str, &str, &str, &str, &str); 8] = [
    ("product-ordering.yaml", "get", "/ping", "ping", "partner"),
    (
        "product-ordering.yaml",
        "post",
        "/productordering/v2/productOrder",
        "createProductOrder",
        "partner",
    ),
    (
        "user-service.yaml",
        "get",
        "/userservice/v2/userService",
        "listUserServices",
        "partner",
    ),
    (
        "user-service.yaml",
        "get",
        "/userservice/v2/userService/{id}",
        "getUserService",
        "partner",
    ),
    (
        "user-service.yaml",
        "post",
        "/userservice/v2/userService/update",
        "updateUserServices",
        "partner",
    ),
    (
        "product-ordering.yaml",
        "post",
        "/{offer}/productordering/v2/event",
        "notifyProductOrderEvent",
        "orange",
    ),
    (
        "user-service.yaml",
        "post",
        "/{offer}/userservice/v2/event",
        "notifyUserServiceEvent",
        "orange",
    ),
    (
        "product-ordering.yaml",
        "post",
        "/oauth/v3/token",
        "createAccessToken",
        "orange",
    ),
];

#[test]
fn the_operations_are_exactly_the_contracts_with_their_ids_and_roles() {
    let specs = Specs::load();
    let found: BTreeSet<(String, String, String, String, String)> = specs
        .operations()
        .into_iter()
        .map(|(file, path, method, operation)| {
            let text = |key: &str| {
                operation
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("<missing>")
                    .to_owned()
            };
            (
                file.to_owned(),
                method.to_owned(),
                path.to_owned(),
                text("operationId"),
                text("x-obakit-role"),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String, String)> = OPERATIONS
        .iter()
        .map(|(f, m, p, id, role)| {
            (
                (*f).into(),
                (*m).into(),
                (*p).into(),
                (*id).into(),
                (*role).into(),
            )
        })
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn every_operation_has_an_id_a_role_a_tag_and_a_summary() {
    let specs = Specs::load();
    let mut ids = BTreeSet::new();
    for (file, path, method, operation) in specs.operations() {
        let place = format!("{file} {method} {path}");
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{place}: no operationId"));
        assert!(
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{place}: operationId {id} is not camelCase"
        );
        assert!(
            ids.insert(id.to_owned()),
            "operationId {id} is used twice across the specs"
        );
        let role = operation.get("x-obakit-role").and_then(Value::as_str);
        assert!(
            matches!(role, Some("partner" | "orange")),
            "{place}: x-obakit-role is {role:?}"
        );
        assert!(
            operation["tags"]
                .as_array()
                .is_some_and(|tags| !tags.is_empty()),
            "{place}: no tag"
        );
        for key in ["summary", "description"] {
            assert!(
                operation[key]
                    .as_str()
                    .is_some_and(|s| !s.trim().is_empty()),
                "{place}: no {key}"
            );
        }
    }
}

#[test]
fn operations_carry_the_contracts_security() {
    let specs = Specs::load();
    let partner_alternatives =
        json!([{ "partnerBasic": [] }, { "partnerApiKey": [] }, { "partnerBearer": [] }]);
    for (file, path, method, operation) in specs.operations() {
        let id = operation["operationId"].as_str().unwrap();
        let expected = match id {
            "ping" => json!([]),
            "createProductOrder" | "listUserServices" | "getUserService" | "updateUserServices" => {
                partner_alternatives.clone()
            }
            "notifyProductOrderEvent" | "notifyUserServiceEvent" => json!([{ "orangeOAuth2": [] }]),
            "createAccessToken" => json!([{ "gatewayClientBasic": [] }]),
            other => panic!("unexpected operation {other}"),
        };
        assert_eq!(
            operation["security"], expected,
            "{file} {method} {path}: security"
        );
        for requirement in expected.as_array().unwrap() {
            for scheme in requirement.as_object().unwrap().keys() {
                assert!(
                    specs.doc(file)["components"]["securitySchemes"]
                        .get(scheme)
                        .is_some(),
                    "{file}: security scheme {scheme} is not declared"
                );
            }
        }
    }
    let oauth =
        &specs.doc("product-ordering.yaml")["components"]["securitySchemes"]["orangeOAuth2"];
    assert_eq!(
        oauth["flows"]["clientCredentials"]["tokenUrl"],
        "https://ope.apibackbone.orange.com/oauth/v3/token"
    );
    let api_key = &specs.doc("user-service.yaml")["components"]["securitySchemes"]["partnerApiKey"];
    assert_eq!(
        (&api_key["in"], &api_key["name"]),
        (&json!("header"), &json!("X-API-Key"))
    );
}

#[test]
fn component_names_are_unique_across_all_files_and_schemas_are_pascal_case() {
    let specs = Specs::load();
    for section in SHARED_COMPONENT_SECTIONS {
        let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
        for (file, doc) in &specs.docs {
            for name in doc["components"]
                .get(section)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|e| e.0)
            {
                if let Some(first) = owners.insert(name, file) {
                    panic!("components/{section}/{name} is defined in both {first} and {file}");
                }
                if section == "schemas" {
                    assert!(
                        name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                            && name.chars().all(|c| c.is_ascii_alphanumeric()),
                        "{file}: schema name {name} is not PascalCase"
                    );
                }
            }
        }
    }
}

#[test]
fn documents_declare_the_partner_and_gateway_servers() {
    let specs = Specs::load();
    for file in ["product-ordering.yaml", "user-service.yaml"] {
        let servers = specs.doc(file)["servers"].as_array().unwrap();
        let urls: Vec<&str> = servers.iter().filter_map(|s| s["url"].as_str()).collect();
        assert!(
            urls.contains(&"https://{partnerServer}"),
            "{file}: {urls:?}"
        );
        assert!(
            urls.contains(&"https://ope.apibackbone.orange.com"),
            "{file}: {urls:?}"
        );
        assert!(
            servers
                .iter()
                .any(|s| s["variables"]["partnerServer"]["default"].is_string()),
            "{file}: no partnerServer variable"
        );
    }
    let common = specs.doc("common.yaml");
    assert_eq!(
        common["paths"],
        json!({}),
        "common.yaml has no operation of its own"
    );
}

#[test]
fn contract_shapes_are_expressed_in_the_schemas() {
    let specs = Specs::load();
    let po = &specs.doc("product-ordering.yaml")["components"]["schemas"];
    let us = &specs.doc("user-service.yaml")["components"]["schemas"];
    let common = &specs.doc("common.yaml")["components"];
    assert_eq!(po["ProductOrder"]["properties"]["orderItem"]["maxItems"], 1);
    let quantity = &po["ProductRef"]["properties"]["userServiceQuantity"];
    assert_eq!(
        (&quantity["type"], &quantity["format"], &quantity["minimum"]),
        (&json!("integer"), &json!("int32"), &json!(1))
    );
    let error = &common["schemas"]["Error"];
    assert_eq!(error["properties"]["code"]["format"], "int32");
    let error_text = error["description"].as_str().unwrap();
    for code in [
        "21", "22", "23", "24", "27", "28", "40", "41", "60", "66", "69",
    ] {
        assert!(
            error_text.contains(code),
            "the Error description does not list code {code}"
        );
    }
    assert_eq!(
        common["schemas"]["Offer"]["enum"],
        json!(["mba2", "mba2-beta"])
    );
    assert_eq!(
        common["schemas"]["PhoneNumber"]["required"],
        json!(["cc", "sn"])
    );
    let actions = |schema: &str| us[schema]["enum"].clone();
    assert_eq!(actions("ProductOfferingOperationAction"), json!(["swap"]));
    assert_eq!(
        actions("EndUserOperationAction"),
        json!(["add", "modify", "delete"])
    );
    assert_eq!(
        actions("RealizingResourceOperationAction"),
        json!(["modify"])
    );
    assert_eq!(
        actions("RightOperationAction"),
        json!(["add", "modify", "resetPassword"])
    );
    assert_eq!(
        actions("ServiceCharacteristicOperationAction"),
        json!(["add", "modify", "delete"])
    );
    assert_eq!(
        us["ExternalState"]["enum"],
        json!(["active", "suspended", "inactive", "deleted"])
    );
    assert_eq!(
        po["ProductOrderEventType"]["enum"],
        json!(["completedStateNotification", "failedStateNotification"])
    );
    assert_eq!(
        us["UserServiceEventType"]["enum"],
        json!(["updateNotification"])
    );

    let list = &specs.doc("user-service.yaml")["paths"]["/userservice/v2/userService"]["get"];
    let id = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "id")
        .expect("an id parameter");
    assert_eq!(
        (
            &id["in"],
            &id["style"],
            &id["explode"],
            &id["schema"]["type"]
        ),
        (
            &json!("query"),
            &json!("form"),
            &json!(false),
            &json!("array")
        )
    );
    let token = &specs.doc("product-ordering.yaml")["paths"]["/oauth/v3/token"]["post"];
    let form = &token["requestBody"]["content"]["application/x-www-form-urlencoded"];
    assert!(form.is_object(), "the token request is not a form");
    assert_eq!(po["GrantType"]["enum"], json!(["client_credentials"]));
    assert_eq!(
        po["TokenResponse"]["required"],
        json!(["token_type", "access_token", "expires_in"])
    );

    // Every enumeration says it is open.
    for (file, doc) in &specs.docs {
        for (name, schema) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if schema.get("enum").is_some() {
                let text = schema["description"].as_str().unwrap_or_default();
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    text.contains("unknown values are kept and passed on"),
                    "{file}: enumeration {name} is not documented as open"
                );
            }
        }
    }
}

#[test]
fn every_schema_and_property_has_a_description() {
    let specs = Specs::load();
    let mut missing = Vec::new();
    for (file, doc) in &specs.docs {
        for (name, schema) in doc["components"]
            .get("schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !schema["description"].is_string() {
                missing.push(format!("{file}: {name}"));
            }
            for (property, node) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if !node["description"].is_string() {
                    missing.push(format!("{file}: {name}.{property}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "without description:\n{}",
        missing.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------------
// 5. Contract decisions
// ---------------------------------------------------------------------------------------------------

#[test]
fn every_decision_node_has_a_decision_line_and_only_decisions_do() {
    let specs = Specs::load();
    let problems = contract_marker_problems(&specs);
    assert!(
        problems.is_empty(),
        "contract markers:\n{}",
        problems.join("\n")
    );
}

#[test]
fn decision_check_reports_a_decision_without_a_decision_line() {
    let specs = Specs::from_docs([(
        "a.yaml",
        json!({ "components": { "schemas": {
            "Good": { "description": "Text.\nDecision: ask Orange.", "x-contract-source": "decision" },
            "Bad": { "description": "No line.", "x-contract-source": "decision" },
            "Unmarked": { "description": "Decision: but not marked." },
            "Odd": { "x-contract-source": "guess" }
        } } }),
    )]);
    let problems = contract_marker_problems(&specs);
    assert_eq!(problems.len(), 3, "{problems:?}");
    for name in ["Bad", "Unmarked", "Odd"] {
        assert!(
            problems.iter().any(|p| p.contains(name)),
            "{name} not reported: {problems:?}"
        );
    }
}

#[test]
fn the_contracts_decision_items_are_marked_as_decisions() {
    let specs = Specs::load();
    let marked = [
        ("product-ordering.yaml", "/paths/~1ping/get"),
        (
            "product-ordering.yaml",
            "/paths/~1productordering~1v2~1productOrder/post/responses/201",
        ),
        (
            "product-ordering.yaml",
            "/paths/~1{offer}~1productordering~1v2~1event/post/responses/201",
        ),
        (
            "product-ordering.yaml",
            "/components/securitySchemes/partnerBasic",
        ),
        (
            "product-ordering.yaml",
            "/components/securitySchemes/partnerApiKey",
        ),
        (
            "product-ordering.yaml",
            "/components/securitySchemes/partnerBearer",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/ProductOrder/properties/id",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/ProductOrder/properties/externalReference",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/ProductOrder/properties/note",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/ProductOrder/properties/customer",
        ),
        ("product-ordering.yaml", "/components/schemas/Organization"),
        (
            "product-ordering.yaml",
            "/components/schemas/Contact/properties/id",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/Contact/properties/externalReference",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/Contact/properties/email",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/Contact/properties/mobileNumber",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/OrderItem/properties/endUserConfiguration",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/ProductRef/properties/userService",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/ProductOrderEvent/properties/id",
        ),
        (
            "product-ordering.yaml",
            "/components/schemas/TokenResponse/properties/expires_in",
        ),
        (
            "user-service.yaml",
            "/paths/~1userservice~1v2~1userService/get/responses/200",
        ),
        (
            "user-service.yaml",
            "/paths/~1userservice~1v2~1userService/get/responses/400",
        ),
        (
            "user-service.yaml",
            "/paths/~1userservice~1v2~1userService~1{id}/get/responses/200",
        ),
        (
            "user-service.yaml",
            "/paths/~1userservice~1v2~1userService~1update/post/responses/200",
        ),
        ("user-service.yaml", "/components/schemas/UserService"),
        (
            "user-service.yaml",
            "/components/schemas/UserService/properties/externalState",
        ),
        (
            "user-service.yaml",
            "/components/schemas/UserServiceUpdateRequest/properties/userService",
        ),
        (
            "user-service.yaml",
            "/components/schemas/RightOperationAction",
        ),
        (
            "user-service.yaml",
            "/components/schemas/ServiceCharacteristicOperationAction",
        ),
        (
            "user-service.yaml",
            "/components/schemas/UserServiceEventResource",
        ),
        (
            "user-service.yaml",
            "/components/schemas/UserServiceEvent/properties/id",
        ),
        ("common.yaml", "/components/schemas/Error"),
        ("common.yaml", "/components/schemas/Note"),
        ("common.yaml", "/components/schemas/Individual"),
        ("common.yaml", "/components/responses/BadRequest"),
        ("common.yaml", "/components/responses/Unauthorized"),
        ("common.yaml", "/components/responses/NotFound"),
        ("common.yaml", "/components/responses/Conflict"),
        ("common.yaml", "/components/responses/PayloadTooLarge"),
    ];
    for (file, pointer) in marked {
        let node = specs
            .doc(file)
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{file}#{pointer} does not exist"));
        assert_eq!(
            node["x-contract-source"], "decision",
            "{file}#{pointer} is not marked as a decision"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// 6. Independent validator
// ---------------------------------------------------------------------------------------------------

#[test]
fn openapi_spec_validator_accepts_every_spec() {
    let required = std::env::var_os("OBAKIT_CI").is_some();
    for path in spec_paths() {
        let output = Command::new("openapi-spec-validator").arg(&path).output();
        // 127: a shell shim (pyenv, asdf) exists but the command behind it does not.
        let missing = match &output {
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            Ok(output) => output.status.code() == Some(127),
        };
        if missing {
            assert!(
                !required,
                "OBAKIT_CI is set but openapi-spec-validator is not installed (pip install openapi-spec-validator)"
            );
            eprintln!(
                "skipped: openapi-spec-validator is not on PATH (pip install openapi-spec-validator)"
            );
            return;
        }
        let output = output.expect("openapi-spec-validator runs");
        assert!(
            output.status.success(),
            "openapi-spec-validator rejects {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
