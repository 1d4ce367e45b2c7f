//! Every example validates against its schema and holds no `null`, `{}` or `[]`; every named
//! example is used and every use case has one; and the validator itself rejects wrong examples.

use serde_json::{Value, json};

use crate::documents::Specs;
use crate::example_report::ExampleReport;
use crate::json_schema::{empty_values, json_schema_for, validate_example};

#[test]
fn every_example_validates_against_its_schema_and_has_no_null_or_empty_value() {
    let specs = Specs::load();
    let report = ExampleReport::of(&specs);
    assert!(
        report.checked > 100,
        "only {} examples checked; is the walk broken?",
        report.checked
    );
    assert!(
        report.failures.is_empty(),
        "examples that break their schema:\n{}",
        report.failures.join("\n")
    );
}

#[test]
fn every_named_example_is_used_so_it_is_validated() {
    let specs = Specs::load();
    let report = ExampleReport::of(&specs);
    let mut unused = Vec::new();
    for (file, doc) in &specs.docs {
        for name in doc["components"]
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|e| e.0)
        {
            if !report
                .used_named_examples
                .contains(&(file.clone(), name.clone()))
            {
                unused.push(format!("{file}#/components/examples/{name}"));
            }
        }
    }
    assert!(
        unused.is_empty(),
        "named examples no operation or response uses (never validated):\n{}",
        unused.join("\n")
    );
}

#[test]
fn every_use_case_has_a_named_example() {
    let specs = Specs::load();
    let expected = [
        ("common.yaml", "ErrorMissingBody"),
        ("common.yaml", "ErrorInvalidBody"),
        ("common.yaml", "ErrorMissingBodyField"),
        ("common.yaml", "ErrorInvalidBodyField"),
        ("common.yaml", "ErrorMissingQueryParameter"),
        ("common.yaml", "ErrorInvalidQueryParameter"),
        ("common.yaml", "ErrorMissingCredentials"),
        ("common.yaml", "ErrorInvalidCredentials"),
        ("common.yaml", "ErrorNotFound"),
        ("common.yaml", "ErrorConflict"),
        ("common.yaml", "ErrorBodyTooLarge"),
        ("product-ordering.yaml", "Uc1CustomerAndContactsRequest"),
        ("product-ordering.yaml", "Uc1CustomerAndContactsCompleted"),
        ("product-ordering.yaml", "Uc2NewFleetRequest"),
        ("product-ordering.yaml", "Uc2NewFleetCompleted"),
        ("product-ordering.yaml", "Uc3AddLicensesRequest"),
        ("product-ordering.yaml", "Uc3AddLicensesCompleted"),
        ("product-ordering.yaml", "Uc3UnknownFleetRequest"),
        ("product-ordering.yaml", "Uc3UnknownFleetFailed"),
        ("product-ordering.yaml", "ProductOrderAcknowledged"),
        ("product-ordering.yaml", "ProductOrderCompletedEvent"),
        ("product-ordering.yaml", "ProductOrderFailedEvent"),
        ("product-ordering.yaml", "TokenRequestClientCredentials"),
        ("product-ordering.yaml", "TokenIssued"),
        ("user-service.yaml", "UserServicesOfFleet"),
        ("user-service.yaml", "UserServicesByIds"),
        ("user-service.yaml", "UserServiceOne"),
        ("user-service.yaml", "UpdateSuspendRequest"),
        ("user-service.yaml", "UpdateSuspendCompleted"),
        ("user-service.yaml", "UpdateReactivateRequest"),
        ("user-service.yaml", "UpdateReactivateCompleted"),
        ("user-service.yaml", "UpdateDeleteRequest"),
        ("user-service.yaml", "UpdateDeleteCompleted"),
        ("user-service.yaml", "UpdateSwapRequest"),
        ("user-service.yaml", "UpdateSwapCompleted"),
        ("user-service.yaml", "UpdateReactivateTerminatedRequest"),
        ("user-service.yaml", "UpdateFailed"),
        ("user-service.yaml", "UpdateAcknowledged"),
        ("user-service.yaml", "UpdateNotificationAsyncAnswer"),
        ("user-service.yaml", "Uc5EndUserAddEvent"),
        ("user-service.yaml", "Uc5EndUserModifyEvent"),
        ("user-service.yaml", "Uc5EndUserDeleteEvent"),
        ("user-service.yaml", "Uc5RealizingResourceModifyEvent"),
        ("user-service.yaml", "Uc5RightOperationEvent"),
        ("user-service.yaml", "Uc5ServiceCharacteristicEvent"),
    ];
    for (file, name) in expected {
        assert!(
            specs.doc(file)["components"]["examples"]
                .get(name)
                .is_some(),
            "{file} lacks the example {name}"
        );
    }
    // The examples show what they claim.
    let po = &specs.doc("product-ordering.yaml")["components"]["examples"];
    assert!(
        po["Uc1CustomerAndContactsRequest"]["value"]
            .get("orderItem")
            .is_none()
    );
    assert!(
        po["Uc2NewFleetRequest"]["value"]["orderItem"][0]["productRef"]
            .get("id")
            .is_none()
    );
    assert_eq!(
        po["Uc2NewFleetRequest"]["value"]["orderItem"][0]["productRef"]["userServiceQuantity"],
        3
    );
    assert!(po["Uc2NewFleetCompleted"]["value"]["orderItem"][0]["productRef"]["id"].is_string());
    assert_eq!(
        po["Uc2NewFleetCompleted"]["value"]["orderItem"][0]["productRef"]["userService"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(po["Uc3UnknownFleetFailed"]["value"]["state"], "failed");
    assert!(po["Uc3UnknownFleetFailed"]["value"]["note"]["text"].is_string());
    assert_eq!(
        po["ProductOrderCompletedEvent"]["value"]["type"],
        "completedStateNotification"
    );
    assert_eq!(
        po["ProductOrderFailedEvent"]["value"]["type"],
        "failedStateNotification"
    );
    let us = &specs.doc("user-service.yaml")["components"]["examples"];
    let operation_of = |name: &str, operation: &str| {
        us[name]["value"]["resource"]["userService"][0][operation]["action"].clone()
    };
    assert_eq!(
        operation_of("Uc5EndUserAddEvent", "endUserOperation"),
        "add"
    );
    assert_eq!(
        operation_of("Uc5EndUserModifyEvent", "endUserOperation"),
        "modify"
    );
    assert_eq!(
        operation_of("Uc5EndUserDeleteEvent", "endUserOperation"),
        "delete"
    );
    assert_eq!(
        operation_of(
            "Uc5RealizingResourceModifyEvent",
            "realizingResourceOperation"
        ),
        "modify"
    );
    assert!(operation_of("Uc5RightOperationEvent", "rightOperation").is_string());
    assert!(
        operation_of(
            "Uc5ServiceCharacteristicEvent",
            "serviceCharacteristicOperation"
        )
        .is_string()
    );
    assert_eq!(
        us["UpdateNotificationAsyncAnswer"]["value"]["resource"]["state"],
        "completed"
    );
    assert!(
        us["Uc5EndUserAddEvent"]["value"]["resource"]
            .get("state")
            .is_none()
    );
}

/// The real ProductOrder schema, to feed deliberately wrong examples to the validator.
fn product_order_schema() -> (Specs, Value) {
    let specs = Specs::load();
    (
        specs,
        json!({ "$ref": "#/components/schemas/ProductOrder" }),
    )
}

#[test]
fn example_validator_accepts_a_correct_order() {
    let (specs, schema) = product_order_schema();
    let order = json!({
        "id": "po-1",
        "state": "completed",
        "orderItem": [{
            "id": "1", "action": "add",
            "productOffering": { "externalReference": { "type": "orange", "id": "PO-X" } },
            "productRef": { "id": "fleet-1", "userServiceQuantity": 1 }
        }]
    });
    validate_example(&specs, "product-ordering.yaml", &schema, &order).unwrap();
}

#[test]
fn example_validator_rejects_examples_that_break_the_schema() {
    let (specs, schema) = product_order_schema();
    let item = |quantity: Value| {
        json!({
            "id": "1", "action": "add",
            "productOffering": { "externalReference": { "type": "orange", "id": "PO-X" } },
            "productRef": { "userServiceQuantity": quantity }
        })
    };
    let wrong = [
        (
            "two order items (maxItems 1)",
            json!({ "orderItem": [item(json!(1)), item(json!(1))] }),
        ),
        (
            "userServiceQuantity 0 (minimum 1)",
            json!({ "orderItem": [item(json!(0))] }),
        ),
        (
            "userServiceQuantity beyond int32",
            json!({ "orderItem": [item(json!(3_000_000_000_i64))] }),
        ),
        (
            "userServiceQuantity as text",
            json!({ "orderItem": [item(json!("3"))] }),
        ),
        ("a state not in the enumeration", json!({ "state": "done" })),
        (
            "an orderDate that is not a date-time",
            json!({ "orderDate": "10/03/2025" }),
        ),
        (
            "a customer without externalReference (cross-file required)",
            json!({ "customer": { "tradingName": "X" } }),
        ),
        (
            "an ExternalReference without id (schema in common.yaml)",
            json!({ "externalReference": { "type": "orange" } }),
        ),
    ];
    for (what, example) in wrong {
        assert!(
            validate_example(&specs, "product-ordering.yaml", &schema, &example).is_err(),
            "the validator accepted {what}: {example}"
        );
    }
    let event = json!({ "$ref": "#/components/schemas/ProductOrderEvent" });
    let bad_uuid = json!({ "id": "not-a-uuid", "type": "completedStateNotification", "time": "2025-03-10T09:16:30Z", "resource": {} });
    assert!(
        validate_example(&specs, "product-ordering.yaml", &event, &bad_uuid).is_err(),
        "accepted an event id that is no UUID"
    );
}

#[test]
fn example_report_flags_a_wrong_named_example_and_empty_values() {
    let specs = Specs::from_docs([(
        "api.yaml",
        json!({
            "paths": { "/x": { "post": {
                "requestBody": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/X" },
                    "examples": { "bad": { "$ref": "#/components/examples/Bad" }, "empty": { "value": { "n": 1, "tags": [] } } }
                } } },
                "responses": {}
            } } },
            "components": {
                "schemas": { "X": { "type": "object", "required": ["n"], "properties": {
                    "n": { "type": "integer", "minimum": 1, "example": 0 },
                    "tags": { "type": "array", "items": { "type": "string" } }
                } } },
                "examples": { "Bad": { "value": { "n": "one" } } }
            }
        }),
    )]);
    let report = ExampleReport::of(&specs);
    let failures = report.failures.join("\n");
    assert!(
        failures.contains("examples/bad"),
        "the wrong named example was not flagged:\n{failures}"
    );
    assert!(
        failures.contains("`[]` at `/tags`"),
        "the empty array was not flagged:\n{failures}"
    );
    assert!(
        failures.contains("properties/n/example"),
        "the wrong schema example was not flagged:\n{failures}"
    );
    assert!(
        report
            .used_named_examples
            .contains(&("api.yaml".to_owned(), "Bad".to_owned()))
    );
}

#[test]
fn empty_value_check_finds_null_empty_object_and_empty_array() {
    assert!(empty_values(&json!({ "a": 1, "b": [1], "c": { "d": "x" } })).is_empty());
    let found = empty_values(&json!({ "a": null, "b": {}, "c": [{ "d": [] }] }));
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn converter_handles_nullable_and_drops_openapi_only_keywords() {
    let specs = Specs::from_docs([("a.yaml", json!({}))]);
    let schema = json!({
        "type": "object",
        "properties": {
            "s": { "type": "string", "nullable": true, "example": "x", "x-contract-source": "decision" },
            "e": { "type": "string", "enum": ["a"], "nullable": true },
            "n": { "type": "integer", "format": "int32" }
        }
    });
    validate_example(
        &specs,
        "a.yaml",
        &schema,
        &json!({ "s": null, "e": null, "n": 5 }),
    )
    .unwrap();
    assert!(validate_example(&specs, "a.yaml", &schema, &json!({ "e": "b" })).is_err());
    assert!(
        validate_example(
            &specs,
            "a.yaml",
            &schema,
            &json!({ "n": 2_147_483_648_i64 })
        )
        .is_err()
    );
    let converted = json_schema_for(&specs, "a.yaml", &schema)
        .unwrap()
        .to_string();
    assert!(
        !converted.contains("nullable")
            && !converted.contains("example")
            && !converted.contains("x-contract")
    );
}
