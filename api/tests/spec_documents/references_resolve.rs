//! Every `$ref` resolves, across files only through `common.yaml`, and the check finds one that
//! does not.

use serde_json::json;

use crate::documents::{Specs, refs_of, unresolved_refs};

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
