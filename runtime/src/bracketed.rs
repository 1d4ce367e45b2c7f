//! Values spread over bracketed keys (`metadata[key]=v`, `created[gt]=1`, `expand[]=a`,
//! `items[0][price]=1`), as query parameters in the `deepObject` style and form fields that hold
//! objects are written: the client spreads a JSON value into such pairs, the server gathers them
//! back into one and reads its string leaves as the schema's numbers and booleans.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use serde_json::{Map, Value};

/// The JSON value the keys of `name` spell, every leaf a string; `None` when no key names it.
pub(crate) fn gather(name: &str, pairs: &[(String, String)]) -> Option<Value> {
    let mut root: Option<Value> = None;
    for (key, value) in pairs {
        let Some(rest) = key.strip_prefix(name) else {
            continue;
        };
        let mut path = Vec::new();
        let mut rest = rest;
        let mut well_formed = true;
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                well_formed = false;
                break;
            };
            let Some(end) = inner.find(']') else {
                well_formed = false;
                break;
            };
            path.push(&inner[..end]);
            rest = &inner[end + 1..];
        }
        if !well_formed {
            continue;
        }
        insert(
            root.get_or_insert(Value::Null),
            &path,
            Value::String(value.clone()),
        );
    }
    root
}

fn insert(node: &mut Value, path: &[&str], leaf: Value) {
    let Some((first, rest)) = path.split_first() else {
        *node = leaf;
        return;
    };
    // `[]` and `[0]` are list items, in the order they come.
    let is_item = first.is_empty() || first.bytes().all(|b| b.is_ascii_digit());
    if is_item && matches!(node, Value::Null | Value::Array(_)) {
        if node.is_null() {
            *node = Value::Array(Vec::new());
        }
        if let Value::Array(items) = node {
            let index = first.parse::<usize>().ok().filter(|i| *i < items.len());
            match index {
                Some(i) if !rest.is_empty() => insert(&mut items[i], rest, leaf),
                _ => {
                    let mut item = Value::Null;
                    insert(&mut item, rest, leaf);
                    items.push(item);
                }
            }
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(map) = node {
        insert(
            map.entry((*first).to_owned()).or_insert(Value::Null),
            rest,
            leaf,
        );
    }
}

/// Turns the string leaves of `value` into the numbers and booleans `schema` says they are.
pub(crate) fn coerce(
    value: Value,
    schema: &MetaSchemaRef,
    registry: &Registry,
    depth: usize,
) -> Value {
    let schema: &MetaSchema = match schema {
        MetaSchemaRef::Inline(s) => s,
        MetaSchemaRef::Reference(name) => match registry.schemas.get(name) {
            Some(s) => s,
            None => return value,
        },
    };
    if depth > 32 {
        return value;
    }
    let alternatives: Vec<&MetaSchemaRef> = schema
        .one_of
        .iter()
        .chain(&schema.any_of)
        .chain(&schema.all_of)
        .collect();
    if !alternatives.is_empty() {
        // The first alternative of the value's own shape (object, list or scalar) that changes
        // nothing it should not: a scalar leaf goes to the first scalar alternative it parses as.
        for alternative in alternatives {
            let shape = resolve(alternative, registry).map_or("", |s| s.ty);
            let fits = match &value {
                Value::Object(_) => shape == "object" || shape.is_empty(),
                Value::Array(_) => shape == "array",
                Value::String(s) => scalar(s, shape).is_some(),
                _ => true,
            };
            if fits {
                return coerce(value, alternative, registry, depth + 1);
            }
        }
        return value;
    }
    match value {
        Value::String(s) => scalar(&s, schema.ty).unwrap_or(Value::String(s)),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let property = schema
                        .properties
                        .iter()
                        .find(|(name, _)| *name == k)
                        .map(|(_, s)| s)
                        .or(schema.additional_properties.as_deref());
                    let v = match property {
                        Some(p) => coerce(v, p, registry, depth + 1),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| match schema.items.as_deref() {
                    Some(s) => coerce(v, s, registry, depth + 1),
                    None => v,
                })
                .collect(),
        ),
        other => other,
    }
}

fn resolve<'r>(schema: &'r MetaSchemaRef, registry: &'r Registry) -> Option<&'r MetaSchema> {
    match schema {
        MetaSchemaRef::Inline(s) => Some(s),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}

/// A string leaf as the JSON scalar of type `ty`, when it reads as one.
fn scalar(s: &str, ty: &str) -> Option<Value> {
    match ty {
        "integer" => s
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.parse::<u64>().map(Value::from))
            .ok(),
        "number" => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        "boolean" => s.parse::<bool>().ok().map(Value::Bool),
        "string" | "" => Some(Value::String(s.to_owned())),
        _ => None,
    }
}

pub(crate) fn spread(key: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                spread(format!("{key}[{k}]"), v, out);
            }
        }
        // `[]` for plain items; an index for objects and lists, whose keys must say which item
        // they belong to (`items[0][price]=1&items[0][quantity]=2`).
        Value::Array(items) => {
            for (index, v) in items.iter().enumerate() {
                let key = match v {
                    Value::Object(_) | Value::Array(_) => format!("{key}[{index}]"),
                    _ => format!("{key}[]"),
                };
                spread(key, v, out);
            }
        }
        Value::String(s) => out.push((key, s.clone())),
        other => out.push((key, other.to_string())),
    }
}
