//! One revision as the diff sees it: the bundled OpenAPI 3.0 JSON (every `$ref` local), its
//! operations, and the Rust names generated from it.

use serde_json::Value;

use super::rust_items::RustNames;

/// The HTTP methods an OpenAPI path item may hold, in the specification's order.
pub(super) const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) struct Document<'a> {
    pub(super) raw: &'a Value,
    pub(super) names: RustNames,
}

/// One operation of a document.
#[derive(Debug, Clone)]
pub(super) struct Operation<'a> {
    pub(super) method: &'static str,
    pub(super) path: String,
    pub(super) pointer: String,
    pub(super) value: &'a Value,
    /// The path item's own parameters, which the operation inherits.
    pub(super) path_parameters: Option<&'a Value>,
    pub(super) path_pointer: String,
}

impl Operation<'_> {
    /// `POST /userservice/v2/userService/update`.
    pub(super) fn label(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    pub(super) fn operation_id(&self) -> Option<&str> {
        self.value.get("operationId").and_then(Value::as_str)
    }

    /// `x-obakit-role`, `""` when the operation states none.
    pub(super) fn role(&self) -> &str {
        self.value
            .get("x-obakit-role")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The path with its parameter names blanked (`/a/{}/b`), so a renamed path parameter still matches.
    pub(super) fn path_shape(&self) -> String {
        path_shape(&self.path)
    }
}

/// `/a/{id}/b` → `/a/{}/b`.
pub(super) fn path_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes one JSON pointer token.
pub(super) fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

impl<'a> Document<'a> {
    pub(super) fn new(raw: &'a Value, names: RustNames) -> Self {
        Self { raw, names }
    }

    /// The value a local `$ref` (`#/components/...`) points at.
    pub(super) fn target(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        self.raw.pointer(pointer)
    }

    /// Follows `$ref`s (a chain of at most 32) from `value` found at `pointer`; returns the value,
    /// where it is, and the last reference followed, if any.
    pub(super) fn resolve(
        &self,
        value: &'a Value,
        pointer: &str,
    ) -> (&'a Value, String, Option<String>) {
        let mut value = value;
        let mut pointer = pointer.to_owned();
        let mut last = None;
        for _ in 0..32 {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(target) = self.target(reference) else {
                break;
            };
            pointer = reference.trim_start_matches('#').to_owned();
            last = Some(reference.to_owned());
            value = target;
        }
        (value, pointer, last)
    }

    /// Like [`Self::resolve`] but keeps the pointer of the place of use: the model names what it
    /// generates for referenced parameters, bodies and responses after the operation they are in.
    pub(super) fn resolve_in_place(&self, value: &'a Value) -> &'a Value {
        self.resolve(value, "").0
    }

    /// Every operation, in document order.
    pub(super) fn operations(&self) -> Vec<Operation<'a>> {
        let mut out = Vec::new();
        let Some(paths) = self.raw.get("paths").and_then(Value::as_object) else {
            return out;
        };
        for (path, item) in paths {
            let path_pointer = format!("/paths/{}", token(path));
            let item = self.resolve_in_place(item);
            out.extend(operations_of_item(item, path, &path_pointer));
        }
        out
    }

    /// The component schemas, by name.
    pub(super) fn schemas(&self) -> Option<&'a serde_json::Map<String, Value>> {
        self.raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
    }
}

/// The operations of one path item (also used for callbacks, whose path items are expressions).
pub(super) fn operations_of_item<'a>(
    item: &'a Value,
    path: &str,
    path_pointer: &str,
) -> Vec<Operation<'a>> {
    METHODS
        .iter()
        .filter_map(|method| {
            let value = item.get(*method)?;
            Some(Operation {
                method,
                path: path.to_owned(),
                pointer: format!("{path_pointer}/{method}"),
                value,
                path_parameters: item.get("parameters"),
                path_pointer: path_pointer.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::path_shape;

    #[test]
    fn path_shapes_ignore_parameter_names() {
        assert_eq!(path_shape("/a/{id}/b/{x}"), "/a/{}/b/{}");
        assert_eq!(path_shape("/{offer}/e"), path_shape("/{o}/e"));
    }
}
