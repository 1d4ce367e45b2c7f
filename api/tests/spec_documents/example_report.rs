//! Every example of the documents (media types, parameters, schemas, named examples) found and
//! validated against its schema, with what failed and which named examples were used.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::documents::Specs;
use crate::json_schema::{empty_values, validate_example};

/// Validates every example of the documents against its schema.
#[derive(Default)]
pub(crate) struct ExampleReport {
    /// How many example values were checked.
    pub(crate) checked: usize,
    /// (file, name) of every `components/examples` entry some operation or component uses.
    pub(crate) used_named_examples: BTreeSet<(String, String)>,
    pub(crate) failures: Vec<String>,
}

impl ExampleReport {
    pub(crate) fn check(
        &mut self,
        specs: &Specs,
        file: &str,
        schema: &Value,
        example: &Value,
        place: &str,
    ) {
        self.checked += 1;
        if let Err(reason) = validate_example(specs, file, schema, example) {
            self.failures.push(format!("{place}: {reason}"));
        }
        for empty in empty_values(example) {
            self.failures.push(format!("{place}: {empty}"));
        }
    }

    /// `example` and `examples` of a media type or parameter object, against its `schema`.
    pub(crate) fn check_holder(&mut self, specs: &Specs, file: &str, holder: &Value, place: &str) {
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
    pub(crate) fn check_schema_examples(
        &mut self,
        specs: &Specs,
        file: &str,
        schema: &Value,
        place: &str,
    ) {
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

    pub(crate) fn check_content(&mut self, specs: &Specs, file: &str, owner: &Value, place: &str) {
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

    pub(crate) fn check_parameter(
        &mut self,
        specs: &Specs,
        file: &str,
        parameter: &Value,
        place: &str,
    ) {
        match specs.deref(file, parameter) {
            Ok(target) => {
                self.check_holder(specs, target.file, target.node, place);
                self.check_content(specs, target.file, target.node, place);
            }
            Err(reason) => self.failures.push(format!("{place}: {reason}")),
        }
    }

    pub(crate) fn check_request_or_response(
        &mut self,
        specs: &Specs,
        file: &str,
        node: &Value,
        place: &str,
    ) {
        match specs.deref(file, node) {
            Ok(target) => self.check_content(specs, target.file, target.node, place),
            Err(reason) => self.failures.push(format!("{place}: {reason}")),
        }
    }

    /// Every example of every document: operations, then components (which also covers unused ones).
    pub(crate) fn of(specs: &Specs) -> Self {
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
