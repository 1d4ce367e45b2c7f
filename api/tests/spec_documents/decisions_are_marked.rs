//! Where obakit decided what Orange leaves open, the node is marked `x-contract-source: decision`
//! with a `Decision:` line, and only such nodes carry one.

use serde_json::{Value, json};

use crate::documents::{Specs, walk};

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
