//! Compares what two OpenAPI 3.0 documents say, following `$ref`s on both sides, and lists every
//! difference as one line: the JSON path (in the first document where it has the node), what the
//! first says and what the second says.
//!
//! Differences of notation only are normalized away, not reported:
//! - `$ref`s are followed on both sides; an inline schema of one side may be a named component on the
//!   other (hoisted or inlined), and an alias component (`A: {$ref: B}`) is the same as `B`;
//! - a `$ref` wrapped in a one-element `allOf` (poem-openapi's way of giving a `$ref` a description) is
//!   the `$ref` with that description;
//! - media type parameters (`application/json; charset=utf-8` is `application/json`);
//! - keywords at their default value (`default: null`, `required: false`, `deprecated: false`, `nullable: false`,
//!   `readOnly: false`, `writeOnly: false`, `uniqueItems: false`, `allowEmptyValue: false`,
//!   `additionalProperties: true`), a parameter's style at the default of its location, and `explode` on a
//!   parameter whose schema is neither an array nor an object (where it has no effect);
//! - the `title` poem-openapi gives an object schema when it is the schema's own component name;
//! - the order of `required`, `enum`, `tags`, properties, parameters and responses;
//! - numbers written differently (`1` and `1.0`), whitespace around descriptions;
//! - the patch version of `openapi` (3.0.0 and 3.0.3).
//!
//! Not compared (see [`NOT_COMPARED`]): what says nothing about requests and answers, or what the
//! mounting code sets rather than the document's author.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// Categories left out of the comparison, and why.
pub(crate) const NOT_COMPARED: &[(&str, &str)] = &[
    (
        "info, servers",
        "set by whoever mounts the service (OpenApiService::new(api, title, version), .server(…))",
    ),
    (
        "example, examples",
        "illustrations; they constrain nothing (tests/spec_documents validates them against the spec)",
    ),
    (
        "x-* extensions",
        "tooling annotations (x-contract-source, x-obakit-role), not part of the HTTP contract",
    ),
    (
        "security, components.securitySchemes",
        "the generated servers leave authentication to the application's middleware (server/)",
    ),
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn excluded(key: &str) -> bool {
    key.starts_with("x-") || matches!(key, "example" | "examples")
}

/// One thing the two documents say differently.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Difference {
    /// Where, as a JSON path into the spec (into the published document for what only it has).
    pub(crate) path: String,
    /// What the spec says there (`None`: nothing).
    pub(crate) spec: Option<Value>,
    /// What the published document says there (`None`: nothing).
    pub(crate) published: Option<Value>,
    /// The keyword sits beside a `$ref` (e.g. the description of a property whose schema is a `$ref`).
    pub(crate) beside_ref: bool,
    /// Said instead of the two values, for differences that are not about one keyword.
    pub(crate) note: Option<&'static str>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.note {
            Some(note) => write!(f, "{}: {note}", self.path),
            None => write!(
                f,
                "{}: spec {}, published {}",
                self.path,
                show(self.spec.as_ref()),
                show(self.published.as_ref())
            ),
        }
    }
}

/// Every difference between what `spec` and `published` say, sorted by path.
pub(crate) fn differences(spec: &Value, published: &Value) -> Vec<Difference> {
    let mut c = Comparison {
        spec,
        published,
        found: Vec::new(),
        beside_ref: false,
        pending: Vec::new(),
        compared: BTreeSet::new(),
    };
    c.document();
    c.found.sort_by_key(ToString::to_string);
    c.found.dedup();
    c.found
}

struct Comparison<'a> {
    spec: &'a Value,
    published: &'a Value,
    found: Vec<Difference>,
    /// Set while the keywords beside a `$ref` are compared.
    beside_ref: bool,
    /// Component schema pairs (spec name, published name) still to compare.
    pending: Vec<(String, String)>,
    compared: BTreeSet<(String, String)>,
}

// ---------------------------------------------------------------------------------------------------
// Paths and notation helpers
// ---------------------------------------------------------------------------------------------------

/// `at.key`, or `at['key']` when the key is not a plain name.
fn member(at: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        format!("{at}.{key}")
    } else {
        format!("{at}['{}']", key.replace('\'', "\\'"))
    }
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_owned(),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 100 {
                let cut: String = text.chars().take(100).collect();
                format!("{cut}…")
            } else {
                text
            }
        }
    }
}

fn empty() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

fn object(value: Option<&Value>) -> &Map<String, Value> {
    value.and_then(Value::as_object).unwrap_or(empty())
}

/// `application/json; charset=utf-8` → `application/json`.
fn media_type(name: &str) -> String {
    name.split(';')
        .next()
        .unwrap_or(name)
        .trim()
        .to_ascii_lowercase()
}

/// The value a keyword has when it is absent.
fn default_of(key: &str) -> Option<Value> {
    match key {
        "required" | "deprecated" | "nullable" | "readOnly" | "writeOnly" | "uniqueItems"
        | "allowEmptyValue" | "allowReserved" => Some(Value::Bool(false)),
        "additionalProperties" => Some(Value::Bool(true)),
        // `default: null` says what an absent default says: no value is filled in.
        "default" => Some(Value::Null),
        _ => None,
    }
}

/// A value as compared: text trimmed, numbers as f64, sets sorted.
fn canonical(key: &str, value: &Value) -> Value {
    match (key, value) {
        (_, Value::String(s)) => Value::String(s.trim().to_owned()),
        (_, Value::Number(n)) => serde_json::json!(n.as_f64()),
        ("required" | "enum" | "tags", Value::Array(items)) => {
            let mut items: Vec<Value> = items.iter().map(|v| canonical("", v)).collect();
            items.sort_by_key(Value::to_string);
            Value::Array(items)
        }
        _ => value.clone(),
    }
}

fn same(key: &str, a: Option<&Value>, b: Option<&Value>) -> bool {
    let default = default_of(key);
    let a = a.or(default.as_ref()).map(|v| canonical(key, v));
    let b = b.or(default.as_ref()).map(|v| canonical(key, v));
    a == b
}

const SCHEMAS: &str = "#/components/schemas/";

/// The component schemas the operations of `doc` use, directly or through other schemas.
fn schemas_reachable_from_paths(doc: &Value) -> BTreeSet<String> {
    fn refs(node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                for (key, value) in map {
                    match (
                        key.as_str(),
                        value.as_str().and_then(|r| r.strip_prefix(SCHEMAS)),
                    ) {
                        ("$ref", Some(name)) => out.push(name.to_owned()),
                        _ => refs(value, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    refs(doc.get("paths").unwrap_or(&Value::Null), &mut todo);
    let mut reachable = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !reachable.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = doc.pointer(&format!("/components/schemas/{name}")) {
            refs(schema, &mut todo);
        }
    }
    reachable
}

impl<'a> Comparison<'a> {
    fn differ(&mut self, at: &str, spec: Option<&Value>, published: Option<&Value>) {
        self.found.push(Difference {
            path: at.to_owned(),
            spec: spec.cloned(),
            published: published.cloned(),
            beside_ref: self.beside_ref,
            note: None,
        });
    }

    fn note(&mut self, at: &str, note: &'static str) {
        self.found.push(Difference {
            path: at.to_owned(),
            spec: None,
            published: None,
            beside_ref: false,
            note: Some(note),
        });
    }

    /// Compares the keywords beside two `$ref`s.
    fn siblings(&mut self, at: &str, s: Map<String, Value>, p: Map<String, Value>) {
        self.beside_ref = true;
        self.fields(at, &Value::Object(s), &Value::Object(p), &[]);
        self.beside_ref = false;
    }

    /// Records a difference when the keyword `key` differs.
    fn keyword(&mut self, at: &str, key: &str, spec: Option<&Value>, published: Option<&Value>) {
        if !same(key, spec, published) {
            self.differ(&member(at, key), spec, published);
        }
    }

    /// Follows `$ref`s (to anything but a schema) to the node they name.
    fn resolve(doc: &'a Value, mut node: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    node = reference
                        .strip_prefix('#')
                        .and_then(|pointer| doc.pointer(pointer))
                        .unwrap_or_else(|| panic!("unresolved $ref {reference}"));
                }
                None => break,
            }
        }
        node
    }

    // -----------------------------------------------------------------------------------------------
    // Document, tags, paths, operations
    // -----------------------------------------------------------------------------------------------

    fn document(&mut self) {
        let version = |doc: &Value| {
            doc.get("openapi")
                .and_then(Value::as_str)
                .map(|v| Value::String(v.split('.').take(2).collect::<Vec<_>>().join(".")))
        };
        let (s, p) = (version(self.spec), version(self.published));
        if s != p {
            self.differ("$.openapi", s.as_ref(), p.as_ref());
        }
        self.tags();
        self.paths();
        while let Some((spec_name, published_name)) = self.pending.pop() {
            self.component(&spec_name, &published_name);
        }
        let reachable = schemas_reachable_from_paths(self.published);
        for name in object(self.published.pointer("/components/schemas")).keys() {
            if !reachable.contains(name) {
                self.note(
                    &member("$.components.schemas", name),
                    "published schema that no operation uses",
                );
            }
        }
        for key in object(Some(self.spec))
            .keys()
            .chain(object(Some(self.published)).keys())
            .cloned()
            .collect::<BTreeSet<_>>()
        {
            if !matches!(
                key.as_str(),
                "openapi" | "info" | "servers" | "tags" | "paths" | "components" | "security"
            ) && !excluded(&key)
            {
                self.keyword("$", &key, self.spec.get(&key), self.published.get(&key));
            }
        }
    }

    fn tags(&mut self) {
        let tags = |doc: &'a Value| -> BTreeMap<String, &'a Value> {
            doc.get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| (t["name"].as_str().unwrap_or_default().to_owned(), t))
                .collect()
        };
        let (s, p) = (tags(self.spec), tags(self.published));
        for name in s.keys().chain(p.keys()).collect::<BTreeSet<_>>() {
            let at = format!("$.tags[?(@.name=='{name}')]");
            match (s.get(name), p.get(name)) {
                (Some(st), Some(pt)) => self.fields(&at, st, pt, &["name"]),
                (st, pt) => self.differ(&at, st.copied(), pt.copied()),
            }
        }
    }

    /// Compares every keyword of two nodes but `skip`, `x-*` and examples, as plain values.
    fn fields(&mut self, at: &str, s: &Value, p: &Value, skip: &[&str]) {
        let (so, po) = (object(Some(s)), object(Some(p)));
        let keys: BTreeSet<&String> = so.keys().chain(po.keys()).collect();
        for key in keys {
            if !excluded(key) && !skip.contains(&key.as_str()) {
                self.keyword(at, key, so.get(key), po.get(key));
            }
        }
    }

    fn paths(&mut self) {
        let (sp, pp) = (
            object(self.spec.get("paths")),
            object(self.published.get("paths")),
        );
        let keys: BTreeSet<&String> = sp.keys().chain(pp.keys()).collect();
        for key in keys {
            let at = member("$.paths", key);
            match (sp.get(key), pp.get(key)) {
                (Some(s), Some(p)) => self.path_item(&at, s, p),
                (s, p) => self.differ(
                    &at,
                    s.map(|_| &Value::Bool(true)),
                    p.map(|_| &Value::Bool(true)),
                ),
            }
        }
    }

    fn path_item(&mut self, at: &str, s: &'a Value, p: &'a Value) {
        let s = Self::resolve(self.spec, s);
        let p = Self::resolve(self.published, p);
        for method in METHODS {
            let op_at = member(at, method);
            match (s.get(method), p.get(method)) {
                (None, None) => {}
                (Some(so), Some(po)) => {
                    self.operation(&op_at, so, po, s.get("parameters"), p.get("parameters"))
                }
                (so, po) => self.differ(
                    &member(&op_at, "operationId"),
                    so.and_then(|o| o.get("operationId")).or(so),
                    po.and_then(|o| o.get("operationId")).or(po),
                ),
            }
        }
        let mut skip: Vec<&str> = METHODS.to_vec();
        skip.push("parameters");
        self.fields(at, s, p, &skip);
    }

    fn operation(
        &mut self,
        at: &str,
        s: &'a Value,
        p: &'a Value,
        s_inherited: Option<&'a Value>,
        p_inherited: Option<&'a Value>,
    ) {
        self.fields(
            at,
            s,
            p,
            &["parameters", "requestBody", "responses", "security"],
        );
        self.parameters(
            at,
            (s_inherited, s.get("parameters")),
            (p_inherited, p.get("parameters")),
        );

        let at_body = member(at, "requestBody");
        match (s.get("requestBody"), p.get("requestBody")) {
            (None, None) => {}
            (Some(sb), Some(pb)) => {
                let sb = Self::resolve(self.spec, sb);
                let pb = Self::resolve(self.published, pb);
                self.fields(&at_body, sb, pb, &["content"]);
                self.content(&at_body, sb.get("content"), pb.get("content"));
            }
            (sb, pb) => self.differ(&at_body, sb, pb),
        }

        let (sr, pr) = (object(s.get("responses")), object(p.get("responses")));
        let statuses: BTreeSet<&String> = sr.keys().chain(pr.keys()).collect();
        for status in statuses {
            let at_r = member(&member(at, "responses"), status);
            match (sr.get(status), pr.get(status)) {
                (Some(s), Some(p)) => self.response(&at_r, s, p),
                (s, p) => {
                    let describe = |r: Option<&'a Value>, doc: &'a Value| {
                        r.map(|r| Self::resolve(doc, r))
                            .map(|r| r.get("description").unwrap_or(r))
                    };
                    self.differ(&at_r, describe(s, self.spec), describe(p, self.published));
                }
            }
        }
    }

    fn parameters(
        &mut self,
        at: &str,
        s: (Option<&'a Value>, Option<&'a Value>),
        p: (Option<&'a Value>, Option<&'a Value>),
    ) {
        let collect = |doc: &'a Value, (inherited, own): (Option<&'a Value>, Option<&'a Value>)| {
            let mut by_key: BTreeMap<(String, String), &'a Value> = BTreeMap::new();
            for list in [inherited, own] {
                for param in list.and_then(Value::as_array).into_iter().flatten() {
                    let param = Self::resolve(doc, param);
                    let name = param["name"].as_str().unwrap_or_default().to_owned();
                    let location = param["in"].as_str().unwrap_or_default().to_owned();
                    by_key.insert((location, name), param);
                }
            }
            by_key
        };
        let (sp, pp) = (collect(self.spec, s), collect(self.published, p));
        let keys: BTreeSet<&(String, String)> = sp.keys().chain(pp.keys()).collect();
        for key @ (location, name) in keys {
            let at_p = format!("{at}.parameters[?(@.name=='{name}' && @.in=='{location}')]");
            match (sp.get(key), pp.get(key)) {
                (Some(s), Some(p)) => self.parameter(&at_p, location, s, p),
                (s, p) => self.differ(&at_p, s.copied(), p.copied()),
            }
        }
    }

    fn parameter(&mut self, at: &str, location: &str, s: &'a Value, p: &'a Value) {
        self.fields(
            at,
            s,
            p,
            &["name", "in", "schema", "style", "explode", "required"],
        );
        // A path parameter is always required.
        let required = |v: &Value| {
            Value::Bool(
                location == "path" || v.get("required").and_then(Value::as_bool) == Some(true),
            )
        };
        self.keyword(at, "required", Some(&required(s)), Some(&required(p)));

        let default_style = match location {
            "query" | "cookie" => "form",
            _ => "simple",
        };
        let style = |v: &Value| {
            v.get("style")
                .cloned()
                .unwrap_or_else(|| Value::String(default_style.to_owned()))
        };
        let (s_style, p_style) = (style(s), style(p));
        self.keyword(at, "style", Some(&s_style), Some(&p_style));
        // explode has an effect on arrays and objects only.
        let structured = |doc: &'a Value, v: &'a Value| {
            v.get("schema")
                .map(|schema| Self::schema_body(doc, schema))
                .and_then(|schema| schema.get("type"))
                .is_some_and(|t| t == "array" || t == "object")
        };
        if structured(self.spec, s) || structured(self.published, p) {
            let explode = |v: &Value, style: &Value| {
                v.get("explode")
                    .cloned()
                    .unwrap_or(Value::Bool(style == "form"))
            };
            self.keyword(
                at,
                "explode",
                Some(&explode(s, &s_style)),
                Some(&explode(p, &p_style)),
            );
        }
        match (s.get("schema"), p.get("schema")) {
            (None, None) => {}
            (Some(ss), Some(ps)) => self.schema(&member(at, "schema"), ss, ps),
            (ss, ps) => self.differ(&member(at, "schema"), ss, ps),
        }
    }

    fn response(&mut self, at: &str, s: &'a Value, p: &'a Value) {
        let s = Self::resolve(self.spec, s);
        let p = Self::resolve(self.published, p);
        self.fields(at, s, p, &["content", "headers"]);
        self.content(at, s.get("content"), p.get("content"));
        let (sh, ph) = (object(s.get("headers")), object(p.get("headers")));
        let names: BTreeMap<String, &String> = sh
            .keys()
            .chain(ph.keys())
            .map(|n| (n.to_ascii_lowercase(), n))
            .collect();
        for (lower, name) in names {
            let at_h = member(&member(at, "headers"), name);
            let find = |h: &'a Map<String, Value>| {
                h.iter()
                    .find(|(n, _)| n.to_ascii_lowercase() == lower)
                    .map(|(_, v)| v)
            };
            match (find(sh), find(ph)) {
                (Some(shd), Some(phd)) => {
                    let shd = Self::resolve(self.spec, shd);
                    let phd = Self::resolve(self.published, phd);
                    self.fields(&at_h, shd, phd, &["schema", "style", "explode"]);
                    match (shd.get("schema"), phd.get("schema")) {
                        (Some(ss), Some(ps)) => self.schema(&member(&at_h, "schema"), ss, ps),
                        (ss, ps) => self.keyword(&at_h, "schema", ss, ps),
                    }
                }
                (shd, phd) => self.differ(&at_h, shd, phd),
            }
        }
    }

    fn content(&mut self, at: &str, s: Option<&'a Value>, p: Option<&'a Value>) {
        let by_type = |content: Option<&'a Value>| -> BTreeMap<String, &'a Value> {
            object(content)
                .iter()
                .map(|(name, media)| (media_type(name), media))
                .collect()
        };
        let (sc, pc) = (by_type(s), by_type(p));
        let at_c = member(at, "content");
        for name in sc.keys().chain(pc.keys()).collect::<BTreeSet<_>>() {
            let at_m = member(&at_c, name);
            match (sc.get(name), pc.get(name)) {
                (Some(sm), Some(pm)) => {
                    self.fields(&at_m, sm, pm, &["schema"]);
                    match (sm.get("schema"), pm.get("schema")) {
                        (None, None) => {}
                        (Some(ss), Some(ps)) => self.schema(&member(&at_m, "schema"), ss, ps),
                        (ss, ps) => self.differ(&member(&at_m, "schema"), ss, ps),
                    }
                }
                (sm, pm) => self.differ(
                    &at_m,
                    sm.map(|_| &Value::Bool(true)),
                    pm.map(|_| &Value::Bool(true)),
                ),
            }
        }
    }

    // -----------------------------------------------------------------------------------------------
    // Schemas
    // -----------------------------------------------------------------------------------------------

    /// The component a schema node names (through alias chains), its own keywords beside the
    /// reference, or `None` for an inline schema. A one-element `allOf` around a `$ref` is the `$ref`.
    fn site(doc: &Value, node: &Value) -> Option<(String, Map<String, Value>)> {
        let obj = node.as_object()?;
        let (reference, mut siblings) = if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            (r, obj.clone())
        } else {
            let all_of = obj.get("allOf")?.as_array()?;
            // poem-openapi writes a described `$ref` as `allOf: [{$ref}, {description}]`.
            let (only, annotations) = match all_of.as_slice() {
                [only] => (only, None),
                [only, extra] if only.get("$ref").is_some() => (only, Some(extra.as_object()?)),
                _ => return None,
            };
            let r = only.get("$ref")?.as_str()?;
            const SCHEMA_KEYWORDS: [&str; 7] = [
                "type",
                "properties",
                "items",
                "oneOf",
                "anyOf",
                "enum",
                "$ref",
            ];
            if SCHEMA_KEYWORDS.iter().any(|k| obj.contains_key(*k)) || only.as_object()?.len() != 1
            {
                return None;
            }
            if annotations.is_some_and(|a| SCHEMA_KEYWORDS.iter().any(|k| a.contains_key(*k))) {
                return None;
            }
            let mut siblings = obj.clone();
            for (k, v) in annotations.into_iter().flatten() {
                siblings.insert(k.clone(), v.clone());
            }
            (r, siblings)
        };
        siblings.remove("$ref");
        siblings.remove("allOf");
        let mut name = reference.strip_prefix(SCHEMAS)?.to_owned();
        // An alias component (`A: {$ref: B}`) stands for B.
        for _ in 0..32 {
            let target = doc.pointer(&format!("/components/schemas/{name}"))?;
            match target.get("$ref").and_then(Value::as_str) {
                Some(next) if target.as_object().is_some_and(|o| o.len() == 1) => {
                    name = next.strip_prefix(SCHEMAS)?.to_owned();
                }
                _ => break,
            }
        }
        Some((name, siblings))
    }

    fn component_of(doc: &'a Value, name: &str) -> &'a Value {
        doc.pointer(&format!("/components/schemas/{name}"))
            .unwrap_or_else(|| panic!("no component schema {name}"))
    }

    /// A schema node with its reference followed (for peeking at its type).
    fn schema_body(doc: &'a Value, node: &'a Value) -> &'a Value {
        match Self::site(doc, node) {
            Some((name, _)) => Self::component_of(doc, &name),
            None => node,
        }
    }

    fn schema(&mut self, at: &str, s: &Value, p: &Value) {
        if at.matches(".properties").count() + at.matches(".items").count() > 64 {
            self.note(
                at,
                "schema nested too deeply to compare (an inlined recursive schema?)",
            );
            return;
        }
        match (Self::site(self.spec, s), Self::site(self.published, p)) {
            (Some((sn, s_siblings)), Some((pn, p_siblings))) => {
                self.siblings(at, s_siblings, p_siblings);
                if sn != pn {
                    // Another schema altogether: one difference, not a comparison of two unrelated schemas.
                    self.differ(
                        &member(at, "$ref"),
                        Some(&Value::String(sn)),
                        Some(&Value::String(pn)),
                    );
                } else if self.compared.insert((sn.clone(), pn.clone())) {
                    self.pending.push((sn, pn));
                }
            }
            (Some((sn, siblings)), None) => {
                // The generator inlined a component of the spec.
                let mut merged = object(Some(Self::component_of(self.spec, &sn))).clone();
                merged.extend(siblings);
                self.body(at, &Value::Object(merged), p, None);
            }
            (None, Some((pn, siblings))) => {
                // The generator hoisted an inline schema of the spec into a named component.
                let mut merged = object(Some(Self::component_of(self.published, &pn))).clone();
                merged.extend(siblings);
                self.body(at, s, &Value::Object(merged), Some(&pn));
            }
            (None, None) => self.body(at, s, p, None),
        }
    }

    fn component(&mut self, spec_name: &str, published_name: &str) {
        let at = member("$.components.schemas", spec_name);
        let s = Self::component_of(self.spec, spec_name);
        let p = Self::component_of(self.published, published_name);
        self.body(&at, s, p, Some(published_name));
    }

    /// Compares two schemas keyword by keyword (`s` and `p` are not references themselves).
    fn body(&mut self, at: &str, s: &Value, p: &Value, published_name: Option<&str>) {
        let so = object(Some(s)).clone();
        let mut po = object(Some(p)).clone();
        // poem-openapi titles an object schema with its own name.
        if let (Some(name), None) = (published_name, so.get("title"))
            && po.get("title").and_then(Value::as_str) == Some(name)
        {
            po.remove("title");
        }
        let keys: BTreeSet<String> = so.keys().chain(po.keys()).cloned().collect();
        for key in keys {
            if excluded(&key) {
                continue;
            }
            let (sv, pv) = (so.get(&key), po.get(&key));
            let at_k = member(at, &key);
            match key.as_str() {
                "properties" => {
                    let (sp, pp) = (object(sv), object(pv));
                    let names: BTreeSet<&String> = sp.keys().chain(pp.keys()).collect();
                    for name in names {
                        let at_n = member(&at_k, name);
                        match (sp.get(name), pp.get(name)) {
                            (Some(sn), Some(pn)) => self.schema(&at_n, sn, pn),
                            (sn, pn) => self.differ(&at_n, sn, pn),
                        }
                    }
                }
                "items" | "not" => match (sv, pv) {
                    (Some(sn), Some(pn)) => self.schema(&at_k, sn, pn),
                    _ => self.differ(&at_k, sv, pv),
                },
                "additionalProperties"
                    if sv.is_some_and(Value::is_object) && pv.is_some_and(Value::is_object) =>
                {
                    self.schema(&at_k, sv.unwrap(), pv.unwrap());
                }
                "allOf" | "oneOf" | "anyOf" => {
                    let (sa, pa) = (
                        sv.and_then(Value::as_array).cloned().unwrap_or_default(),
                        pv.and_then(Value::as_array).cloned().unwrap_or_default(),
                    );
                    if sa.len() != pa.len() {
                        self.differ(&at_k, sv, pv);
                    } else {
                        for (i, (sn, pn)) in sa.iter().zip(&pa).enumerate() {
                            self.schema(&format!("{at_k}[{i}]"), sn, pn);
                        }
                    }
                }
                _ => self.keyword(at, &key, sv, pv),
            }
        }
    }
}
