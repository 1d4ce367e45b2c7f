//! The three documents are in `spec/` and each parses as OpenAPI 3.0.

use crate::documents::{file_name, spec_paths};

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
