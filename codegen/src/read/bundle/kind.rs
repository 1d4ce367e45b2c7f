//! The component kinds a reference into another file can be copied as, and where each lives per dialect.

use super::super::version::Dialect;

/// The component kinds a reference can be copied as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Kind {
    Schemas,
    Responses,
    Parameters,
    Examples,
    RequestBodies,
    Headers,
    SecuritySchemes,
    Links,
}

impl Kind {
    pub(super) const ALL: [Kind; 8] = [
        Kind::Schemas,
        Kind::Responses,
        Kind::Parameters,
        Kind::Examples,
        Kind::RequestBodies,
        Kind::Headers,
        Kind::SecuritySchemes,
        Kind::Links,
    ];

    pub(super) fn from_components_key(key: &str) -> Option<Kind> {
        Some(match key {
            "schemas" => Kind::Schemas,
            "responses" => Kind::Responses,
            "parameters" => Kind::Parameters,
            "examples" => Kind::Examples,
            "requestBodies" => Kind::RequestBodies,
            "headers" => Kind::Headers,
            "securitySchemes" => Kind::SecuritySchemes,
            "links" => Kind::Links,
            _ => return None,
        })
    }

    /// Where components of this kind live in a root document of `dialect`; `None`: nowhere, inline them.
    pub(super) fn section(self, dialect: Dialect) -> Option<&'static [&'static str]> {
        match (dialect, self) {
            (Dialect::Swagger2, Kind::Schemas) => Some(&["definitions"]),
            (Dialect::Swagger2, Kind::Parameters) => Some(&["parameters"]),
            (Dialect::Swagger2, Kind::Responses) => Some(&["responses"]),
            (Dialect::Swagger2, _) => None,
            (Dialect::OpenApi3, Kind::Schemas) => Some(&["components", "schemas"]),
            (Dialect::OpenApi3, Kind::Responses) => Some(&["components", "responses"]),
            (Dialect::OpenApi3, Kind::Parameters) => Some(&["components", "parameters"]),
            (Dialect::OpenApi3, Kind::Examples) => Some(&["components", "examples"]),
            (Dialect::OpenApi3, Kind::RequestBodies) => Some(&["components", "requestBodies"]),
            (Dialect::OpenApi3, Kind::Headers) => Some(&["components", "headers"]),
            (Dialect::OpenApi3, Kind::SecuritySchemes) => Some(&["components", "securitySchemes"]),
            (Dialect::OpenApi3, Kind::Links) => Some(&["components", "links"]),
        }
    }

    pub(super) fn noun(self) -> &'static str {
        match self {
            Kind::Schemas => "schema",
            Kind::Responses => "response",
            Kind::Parameters => "parameter",
            Kind::Examples => "example",
            Kind::RequestBodies => "request body",
            Kind::Headers => "header",
            Kind::SecuritySchemes => "security scheme",
            Kind::Links => "link",
        }
    }
}
