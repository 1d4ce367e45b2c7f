//! Where `$ref`s live: a walk over a document's structure that visits every reference and skips literal data.
//!
//! Example values, defaults, enums and `x-` extensions are data, not structure: a `$ref` key inside them is
//! just a value and must survive untouched. Whether a key is a keyword or a user-chosen name depends on the
//! object holding it (`properties/example` is a property, `schema/example` is data), so the walk carries the
//! key and the named map each node sits in.

use serde_json::Value;

use super::pointer;

/// Keywords whose value is a name → object map rather than an object with keywords.
const NAMED_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "examples",
    "links",
    "callbacks",
    "securitySchemes",
    "securityDefinitions",
    "content",
    "encoding",
    "variables",
    "paths",
    "scopes",
];

/// Keywords whose value is literal data.
const DATA_KEYWORDS: &[&str] = &["example", "default", "enum", "const"];

/// Named maps whose entries are always schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "definitions", "schemas"];

/// The position of a node: how it is reached from its parent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'a> {
    /// Pointer of the node in the document being walked.
    pub(crate) pointer: &'a str,
    /// The keyword (or, inside a named map, the name) the node sits under; for array items the array's key.
    pub(crate) key: Option<&'a str>,
    /// For entries of a named map: the map's keyword (`"callback"` for the expressions of a callback object).
    pub(crate) map: Option<&'a str>,
    /// True for array items.
    pub(crate) in_array: bool,
}

impl<'a> Site<'a> {
    pub(crate) fn root(pointer: &'a str) -> Self {
        Site {
            pointer,
            key: None,
            map: None,
            in_array: false,
        }
    }

    /// A node that is an entry `name` of the named map `map`, e.g. a component.
    pub(crate) fn entry(pointer: &'a str, map: &'a str, name: &'a str) -> Self {
        Site {
            pointer,
            key: Some(name),
            map: Some(map),
            in_array: false,
        }
    }

    /// Whether a reference here must denote a schema.
    pub(crate) fn is_schema(&self) -> bool {
        match (self.map, self.key) {
            (Some(map), _) => SCHEMA_MAPS.contains(&map),
            (None, Some(key)) if self.in_array => {
                matches!(key, "allOf" | "oneOf" | "anyOf" | "items")
            }
            (None, Some(key)) => matches!(key, "schema" | "items" | "additionalProperties" | "not"),
            (None, None) => false,
        }
    }

    /// Whether the node is a callback or a path item inside one: openapiv3 holds no references there.
    pub(crate) fn is_callback(&self) -> bool {
        matches!(self.map, Some("callbacks" | "callback"))
    }

    /// Whether the node is a path item under `paths`.
    pub(crate) fn is_path_item(&self) -> bool {
        self.map == Some("paths")
    }
}

/// What a walk does at the places references can be.
pub(crate) trait RefVisitor {
    /// An object with a `$ref` key in a structural position; the walk does not enter it.
    fn reference(&mut self, node: &mut Value, site: &Site<'_>);
    /// One value of a discriminator `mapping` (a schema name or a reference).
    fn mapping(&mut self, _target: &mut String, _pointer: &str) {}
}

/// Visits every reference in `value`, which sits at `site`. `swagger2` makes response `examples` data.
pub(crate) fn walk(
    value: &mut Value,
    site: &Site<'_>,
    swagger2: bool,
    visitor: &mut impl RefVisitor,
) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let p = pointer::push_index(site.pointer, i);
                let child = Site {
                    pointer: &p,
                    key: site.key,
                    map: None,
                    in_array: true,
                };
                walk(item, &child, swagger2, visitor);
            }
        }
        Value::Object(map) => {
            let key = if site.in_array { None } else { site.key };
            let named_map = site.map.is_none() && key.is_some_and(|k| NAMED_MAPS.contains(&k));
            if !named_map && map.contains_key("$ref") {
                visitor.reference(value, site);
                return;
            }
            // Swagger 2.0 response examples are `mime type → example value`.
            if swagger2 && site.map == Some("examples") {
                return;
            }
            let example_object = site.map == Some("examples");
            let callback_object = site.map == Some("callbacks");
            for (k, child) in map.iter_mut() {
                let p = pointer::push(site.pointer, k);
                if named_map {
                    let map_key = key.unwrap_or_default();
                    if k.starts_with("x-") && matches!(map_key, "paths" | "responses") {
                        continue;
                    }
                    walk(child, &Site::entry(&p, map_key, k), swagger2, visitor);
                    continue;
                }
                if k.starts_with("x-")
                    || DATA_KEYWORDS.contains(&k.as_str())
                    || (example_object && k == "value")
                {
                    continue;
                }
                if callback_object {
                    walk(child, &Site::entry(&p, "callback", k), swagger2, visitor);
                    continue;
                }
                if k == "discriminator" {
                    if let Some(mapping) = child.get_mut("mapping").and_then(Value::as_object_mut) {
                        let mp = pointer::push(&p, "mapping");
                        for (name, target) in mapping.iter_mut() {
                            if let Value::String(target) = target {
                                visitor.mapping(target, &pointer::push(&mp, name));
                            }
                        }
                    }
                    continue;
                }
                let child_site = Site {
                    pointer: &p,
                    key: Some(k),
                    map: None,
                    in_array: false,
                };
                walk(child, &child_site, swagger2, visitor);
            }
        }
        _ => {}
    }
}

/// The string of a reference node's `$ref`, if it is one.
pub(crate) fn ref_str(node: &Value) -> Option<&str> {
    node.get("$ref").and_then(Value::as_str)
}

/// Replaces the `$ref` string of a reference node.
pub(crate) fn set_ref(node: &mut Value, reference: String) {
    if let Some(map) = node.as_object_mut() {
        map.insert("$ref".to_owned(), Value::String(reference));
    }
}

/// Every reference in a bundled document that is not local or points at nothing: (pointer, message).
pub(crate) fn dangling(document: &Value) -> Vec<(String, String)> {
    struct Check<'d> {
        document: &'d Value,
        found: Vec<(String, String)>,
    }
    impl Check<'_> {
        fn check(&mut self, reference: &str, at: String) {
            let resolves = match super::pointer::split_ref(reference) {
                Ok(target) => {
                    target.file.is_empty() && self.document.pointer(&target.pointer).is_some()
                }
                Err(_) => false,
            };
            if !resolves {
                self.found.push((
                    at,
                    format!("`$ref` \"{reference}\" does not resolve inside the bundled document"),
                ));
            }
        }
    }
    impl RefVisitor for Check<'_> {
        fn reference(&mut self, node: &mut Value, site: &Site<'_>) {
            let reference = ref_str(node).unwrap_or_default().to_owned();
            self.check(&reference, pointer::push(site.pointer, "$ref"));
        }
        fn mapping(&mut self, target: &mut String, at: &str) {
            if target.starts_with('#') {
                let target = target.clone();
                self.check(&target, at.to_owned());
            }
        }
    }
    // The walk wants a mutable value so the bundler can rewrite in place; this check only reads a copy.
    let mut copy = document.clone();
    let mut check = Check {
        document,
        found: Vec::new(),
    };
    walk(&mut copy, &Site::root(""), false, &mut check);
    check.found
}
