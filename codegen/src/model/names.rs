//! Naming: every Rust identifier the generator makes comes from here, from spec identifiers only.

use std::collections::BTreeSet;

use heck::{ToPascalCase, ToSnakeCase};

use crate::read::LoadedSpec;

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Names that generated code uses unqualified inside a types module and that a schema must not shadow.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option", "Result", "Vec", "String", "Box", "Some", "None", "Ok", "Err",
];

/// Methods the generated server wrappers and clients have beside the operations (constructors and
/// accessors): an operation never takes one of these names.
pub const RESERVED_METHOD_NAMES: &[&str] = &["new", "core", "from_core", "from_arc"];

/// Turns any text into words heck can case: characters that cannot be in an identifier separate words.
fn words(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '+' => out.push_str(" plus "),
            c if c.is_alphanumeric() => out.push(c),
            '\'' => {}
            _ => out.push(' '),
        }
    }
    out
}

/// A PascalCase type or variant name; never empty, never starting with a digit, never a keyword.
pub fn type_name(input: &str) -> String {
    let mut name = words(input).to_pascal_case();
    if name.is_empty() {
        name = "Value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if KEYWORDS.contains(&name.as_str()) || RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A snake_case field, parameter, method or module name.
pub fn value_name(input: &str) -> String {
    // `-` and `+` in enum-like values get their own words before heck decides the case.
    let mut name = words(input).to_snake_case();
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The module for one spec: its `x-obakit-name` when given, else the file's stem.
pub fn module_name(spec: &LoadedSpec) -> String {
    value_name(&api_base_name(spec))
}

/// The PascalCase base of an API's trait and client names.
pub fn api_rust_name(spec: &LoadedSpec) -> String {
    type_name(&api_base_name(spec))
}

fn api_base_name(spec: &LoadedSpec) -> String {
    if let Some(name) = spec.raw.get("x-obakit-name").and_then(|v| v.as_str()) {
        return name.to_owned();
    }
    file_stem(&spec.path)
}

/// A file's stem, used to name the module of a shared schema file.
pub fn file_stem(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "api".to_owned())
}

/// Hands out names unique within one scope (a struct's fields, an enum's variants, a module's types).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }
    /// `name`, or `name2`, `name3`… when a case collision took it already.
    pub fn unique(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let sep = if name.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|i| format!("{name}{sep}{i}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }
    /// Takes `name` as it is (two uses of one name are allowed: a shared schema seen from two specs).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

/// The variant name of a response: its status' reason phrase, `Status418` when it has none.
pub fn status_variant(status: Option<u16>) -> String {
    let name = match status {
        None => "Default",
        Some(100) => "Continue",
        Some(200) => "Ok",
        Some(201) => "Created",
        Some(202) => "Accepted",
        Some(203) => "NonAuthoritativeInformation",
        Some(204) => "NoContent",
        Some(206) => "PartialContent",
        Some(301) => "MovedPermanently",
        Some(302) => "Found",
        Some(303) => "SeeOther",
        Some(304) => "NotModified",
        Some(307) => "TemporaryRedirect",
        Some(308) => "PermanentRedirect",
        Some(400) => "BadRequest",
        Some(401) => "Unauthorized",
        Some(402) => "PaymentRequired",
        Some(403) => "Forbidden",
        Some(404) => "NotFound",
        Some(405) => "MethodNotAllowed",
        Some(406) => "NotAcceptable",
        Some(408) => "RequestTimeout",
        Some(409) => "Conflict",
        Some(410) => "Gone",
        Some(412) => "PreconditionFailed",
        Some(413) => "PayloadTooLarge",
        Some(415) => "UnsupportedMediaType",
        Some(422) => "UnprocessableEntity",
        Some(429) => "TooManyRequests",
        Some(500) => "InternalServerError",
        Some(501) => "NotImplemented",
        Some(502) => "BadGateway",
        Some(503) => "ServiceUnavailable",
        Some(504) => "GatewayTimeout",
        Some(other) => return format!("Status{other}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_pascal_case_and_never_keywords_or_digits_first() {
        assert_eq!(type_name("productOrder"), "ProductOrder");
        assert_eq!(type_name("in-progress"), "InProgress");
        assert_eq!(type_name("1st"), "V1st");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("String"), "String_");
        assert_eq!(type_name("mba2-beta"), "Mba2Beta");
        assert_eq!(type_name(""), "Value");
    }

    #[test]
    fn value_names_are_snake_case_and_escape_keywords() {
        assert_eq!(value_name("productRefId"), "product_ref_id");
        assert_eq!(value_name("type"), "type_");
        assert_eq!(value_name("@type"), "type_");
        assert_eq!(value_name("@baseType"), "base_type");
        assert_eq!(value_name("2fa"), "_2fa");
    }

    #[test]
    fn scope_separates_case_collisions() {
        let mut scope = Scope::default();
        assert_eq!(scope.unique(type_name("foo_bar")), "FooBar");
        assert_eq!(scope.unique(type_name("fooBar")), "FooBar2");
        assert_eq!(scope.unique("V1".to_owned()), "V1");
        assert_eq!(scope.unique("V1".to_owned()), "V1_2");
    }
}
