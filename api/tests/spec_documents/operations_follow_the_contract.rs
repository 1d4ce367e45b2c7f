//! The operations are exactly the contract's (ids, roles, tags, summaries, security, servers), the
//! components are uniquely named, and the contract's shapes and descriptions are in the schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::documents::Specs;

/// Component sections whose entry names must be unique across all files: the generator bundles every
/// document's components into one namespace. (Security schemes are per document by OpenAPI's design.)
const SHARED_COMPONENT_SECTIONS: [&str; 5] = [
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "examples",
];

/// (file, method, path, operationId, x-obakit-role) of every operation of the contract, O1 to O8.
const OPERATIONS: [(&str, &str, &str, &str, &str); 8] = [
    ("product-ordering.yaml", "get", "/ping", "ping", "partner"),
    (
        "product-ordering.yaml",
        "post",
        "/productordering/v2/productOrder",
        "createProductOrder",
        "partner",
    ),
    (
        "user-service.yaml",
        "get",
        "/userservice/v2/userService",
        "listUserServices",
        "partner",
    ),
    (
        "user-service.yaml",
        "get",
        "/userservice/v2/userService/{id}",
        "getUserService",
        "partner",
    ),
    (
        "user-service.yaml",
        "post",
        "/userservice/v2/userService/update",
        "updateUserServices",
        "partner",
    ),
    (
        "product-ordering.yaml",
        "post",
        "/{offer}/productordering/v2/event",
        "notifyProductOrderEvent",
        "orange",
    ),
    (
        "user-service.yaml",
        "post",
        "/{offer}/userservice/v2/event",
        "notifyUserServiceEvent",
        "orange",
    ),
    (
        "product-ordering.yaml",
        "post",
        "/oauth/v3/token",
        "createAccessToken",
        "orange",
    ),
];

#[test]
fn the_operations_are_exactly_the_contracts_with_their_ids_and_roles() {
    let specs = Specs::load();
    let found: BTreeSet<(String, String, String, String, String)> = specs
        .operations()
        .into_iter()
        .map(|(file, path, method, operation)| {
            let text = |key: &str| {
                operation
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("<missing>")
                    .to_owned()
            };
            (
                file.to_owned(),
                method.to_owned(),
                path.to_owned(),
                text("operationId"),
                text("x-obakit-role"),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String, String)> = OPERATIONS
        .iter()
        .map(|(f, m, p, id, role)| {
            (
                (*f).into(),
                (*m).into(),
                (*p).into(),
                (*id).into(),
                (*role).into(),
            )
        })
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn every_operation_has_an_id_a_role_a_tag_and_a_summary() {
    let specs = Specs::load();
    let mut ids = BTreeSet::new();
    for (file, path, method, operation) in specs.operations() {
        let place = format!("{file} {method} {path}");
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{place}: no operationId"));
        assert!(
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{place}: operationId {id} is not camelCase"
        );
        assert!(
            ids.insert(id.to_owned()),
            "operationId {id} is used twice across the specs"
        );
        let role = operation.get("x-obakit-role").and_then(Value::as_str);
        assert!(
            matches!(role, Some("partner" | "orange")),
            "{place}: x-obakit-role is {role:?}"
        );
        assert!(
            operation["tags"]
                .as_array()
                .is_some_and(|tags| !tags.is_empty()),
            "{place}: no tag"
        );
        for key in ["summary", "description"] {
            assert!(
                operation[key]
                    .as_str()
                    .is_some_and(|s| !s.trim().is_empty()),
                "{place}: no {key}"
            );
        }
    }
}

#[test]
fn operations_carry_the_contracts_security() {
    let specs = Specs::load();
    let partner_alternatives =
        json!([{ "partnerBasic": [] }, { "partnerApiKey": [] }, { "partnerBearer": [] }]);
    for (file, path, method, operation) in specs.operations() {
        let id = operation["operationId"].as_str().unwrap();
        let expected = match id {
            "ping" => json!([]),
            "createProductOrder" | "listUserServices" | "getUserService" | "updateUserServices" => {
                partner_alternatives.clone()
            }
            "notifyProductOrderEvent" | "notifyUserServiceEvent" => json!([{ "orangeOAuth2": [] }]),
            "createAccessToken" => json!([{ "gatewayClientBasic": [] }]),
            other => panic!("unexpected operation {other}"),
        };
        assert_eq!(
            operation["security"], expected,
            "{file} {method} {path}: security"
        );
        for requirement in expected.as_array().unwrap() {
            for scheme in requirement.as_object().unwrap().keys() {
                assert!(
                    specs.doc(file)["components"]["securitySchemes"]
                        .get(scheme)
                        .is_some(),
                    "{file}: security scheme {scheme} is not declared"
                );
            }
        }
    }
    let oauth =
        &specs.doc("product-ordering.yaml")["components"]["securitySchemes"]["orangeOAuth2"];
    assert_eq!(
        oauth["flows"]["clientCredentials"]["tokenUrl"],
        "https://ope.apibackbone.orange.com/oauth/v3/token"
    );
    let api_key = &specs.doc("user-service.yaml")["components"]["securitySchemes"]["partnerApiKey"];
    assert_eq!(
        (&api_key["in"], &api_key["name"]),
        (&json!("header"), &json!("X-API-Key"))
    );
}

#[test]
fn component_names_are_unique_across_all_files_and_schemas_are_pascal_case() {
    let specs = Specs::load();
    for section in SHARED_COMPONENT_SECTIONS {
        let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
        for (file, doc) in &specs.docs {
            for name in doc["components"]
                .get(section)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|e| e.0)
            {
                if let Some(first) = owners.insert(name, file) {
                    panic!("components/{section}/{name} is defined in both {first} and {file}");
                }
                if section == "schemas" {
                    assert!(
                        name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                            && name.chars().all(|c| c.is_ascii_alphanumeric()),
                        "{file}: schema name {name} is not PascalCase"
                    );
                }
            }
        }
    }
}

#[test]
fn documents_declare_the_partner_and_gateway_servers() {
    let specs = Specs::load();
    for file in ["product-ordering.yaml", "user-service.yaml"] {
        let servers = specs.doc(file)["servers"].as_array().unwrap();
        let urls: Vec<&str> = servers.iter().filter_map(|s| s["url"].as_str()).collect();
        assert!(
            urls.contains(&"https://{partnerServer}"),
            "{file}: {urls:?}"
        );
        assert!(
            urls.contains(&"https://ope.apibackbone.orange.com"),
            "{file}: {urls:?}"
        );
        assert!(
            servers
                .iter()
                .any(|s| s["variables"]["partnerServer"]["default"].is_string()),
            "{file}: no partnerServer variable"
        );
    }
    let common = specs.doc("common.yaml");
    assert_eq!(
        common["paths"],
        json!({}),
        "common.yaml has no operation of its own"
    );
}

#[test]
fn contract_shapes_are_expressed_in_the_schemas() {
    let specs = Specs::load();
    let po = &specs.doc("product-ordering.yaml")["components"]["schemas"];
    let us = &specs.doc("user-service.yaml")["components"]["schemas"];
    let common = &specs.doc("common.yaml")["components"];
    assert_eq!(po["ProductOrder"]["properties"]["orderItem"]["maxItems"], 1);
    let quantity = &po["ProductRef"]["properties"]["userServiceQuantity"];
    assert_eq!(
        (&quantity["type"], &quantity["format"], &quantity["minimum"]),
        (&json!("integer"), &json!("int32"), &json!(1))
    );
    let error = &common["schemas"]["Error"];
    assert_eq!(error["properties"]["code"]["format"], "int32");
    let error_text = error["description"].as_str().unwrap();
    for code in [
        "21", "22", "23", "24", "27", "28", "40", "41", "60", "66", "69",
    ] {
        assert!(
            error_text.contains(code),
            "the Error description does not list code {code}"
        );
    }
    assert_eq!(
        common["schemas"]["Offer"]["enum"],
        json!(["mba2", "mba2-beta"])
    );
    assert_eq!(
        common["schemas"]["PhoneNumber"]["required"],
        json!(["cc", "sn"])
    );
    let actions = |schema: &str| us[schema]["enum"].clone();
    assert_eq!(actions("ProductOfferingOperationAction"), json!(["swap"]));
    assert_eq!(
        actions("EndUserOperationAction"),
        json!(["add", "modify", "delete"])
    );
    assert_eq!(
        actions("RealizingResourceOperationAction"),
        json!(["modify"])
    );
    assert_eq!(
        actions("RightOperationAction"),
        json!(["add", "modify", "resetPassword"])
    );
    assert_eq!(
        actions("ServiceCharacteristicOperationAction"),
        json!(["add", "modify", "delete"])
    );
    assert_eq!(
        us["ExternalState"]["enum"],
        json!(["active", "suspended", "inactive", "deleted"])
    );
    assert_eq!(
        po["ProductOrderEventType"]["enum"],
        json!(["completedStateNotification", "failedStateNotification"])
    );
    assert_eq!(
        us["UserServiceEventType"]["enum"],
        json!(["updateNotification"])
    );

    let list = &specs.doc("user-service.yaml")["paths"]["/userservice/v2/userService"]["get"];
    let id = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "id")
        .expect("an id parameter");
    assert_eq!(
        (
            &id["in"],
            &id["style"],
            &id["explode"],
            &id["schema"]["type"]
        ),
        (
            &json!("query"),
            &json!("form"),
            &json!(false),
            &json!("array")
        )
    );
    let token = &specs.doc("product-ordering.yaml")["paths"]["/oauth/v3/token"]["post"];
    let form = &token["requestBody"]["content"]["application/x-www-form-urlencoded"];
    assert!(form.is_object(), "the token request is not a form");
    assert_eq!(po["GrantType"]["enum"], json!(["client_credentials"]));
    assert_eq!(
        po["TokenResponse"]["required"],
        json!(["token_type", "access_token", "expires_in"])
    );

    // Every enumeration says it is open.
    for (file, doc) in &specs.docs {
        for (name, schema) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if schema.get("enum").is_some() {
                let text = schema["description"].as_str().unwrap_or_default();
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    text.contains("unknown values are kept and passed on"),
                    "{file}: enumeration {name} is not documented as open"
                );
            }
        }
    }
}

#[test]
fn every_schema_and_property_has_a_description() {
    let specs = Specs::load();
    let mut missing = Vec::new();
    for (file, doc) in &specs.docs {
        for (name, schema) in doc["components"]
            .get("schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !schema["description"].is_string() {
                missing.push(format!("{file}: {name}"));
            }
            for (property, node) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if !node["description"].is_string() {
                    missing.push(format!("{file}: {name}.{property}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "without description:\n{}",
        missing.join("\n")
    );
}
