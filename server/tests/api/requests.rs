//! Requests that cannot be processed at all: 400 (malformed JSON, missing field, constraint
//! violation, empty body, what the schema cannot check), 413, 404 for an unknown route, and a 500
//! that tells nothing of the failure when the database breaks. Each answer is Orange's error body.

use crate::support::TestDb;
use crate::support::app::TestApp;

const ORDERS: &str = "/productordering/v2/productOrder";
const UPDATE: &str = "/userservice/v2/userService/update";

/// Sends `request`, checks the status and that the body is Orange's Error; returns the code.
async fn error_code(request: reqwest::RequestBuilder, status: u16) -> i64 {
    let response = request.send().await.expect("sent");
    assert_eq!(response.status(), status);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert!(body["message"].is_string(), "{body}");
    assert!(body["description"].is_string(), "{body}");
    body["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("a code in {body}"))
}

const UC2_ITEM: &str = r#"{"id":"1","action":"add","productOffering":{"externalReference":{"type":"orange","id":"PO-1"}},"productRef":{"userServiceQuantity":QUANTITY}}"#;

fn uc2_body(quantity: &str) -> String {
    format!(
        r#"{{"externalReference":{{"type":"orange","id":"CMD-9"}},"orderItem":[{}]}}"#,
        UC2_ITEM.replace("QUANTITY", quantity)
    )
}

async fn malformed_json_is_400_code_22(db: TestDb) {
    let app = TestApp::start(&db).await;
    assert_eq!(
        error_code(app.post_json(ORDERS, r#"{"customer":"#), 400).await,
        22
    );
    assert_eq!(
        error_code(app.post_json(UPDATE, "{userService:[]}"), 400).await,
        22
    );
}

async fn an_empty_body_is_400_code_21(db: TestDb) {
    let app = TestApp::start(&db).await;
    assert_eq!(error_code(app.post_json(ORDERS, ""), 400).await, 21);
}

async fn a_missing_required_field_is_400_code_23(db: TestDb) {
    let app = TestApp::start(&db).await;
    let no_customer_reference = r#"{"customer":{"tradingName":"Durand Conseil"}}"#;
    assert_eq!(
        error_code(app.post_json(ORDERS, no_customer_reference), 400).await,
        23
    );
    let no_id = r#"{"userService":[{"externalState":"active"}]}"#;
    assert_eq!(error_code(app.post_json(UPDATE, no_id), 400).await, 23);
}

async fn a_constraint_violation_is_400_code_24(db: TestDb) {
    let app = TestApp::start(&db).await;
    assert_eq!(
        error_code(app.post_json(ORDERS, uc2_body("0")), 400).await,
        24
    );
    assert_eq!(
        error_code(app.post_json(ORDERS, uc2_body("\"two\"")), 400).await,
        24
    );
    let empty_update = r#"{"userService":[]}"#;
    assert_eq!(
        error_code(app.post_json(UPDATE, empty_update), 400).await,
        24
    );
}

async fn an_empty_end_user_configuration_is_400_code_24(db: TestDb) {
    // minProperties in the spec: the generated types check it (the server's own check stays behind
    // it), and the description names the schema that is empty.
    let app = TestApp::start(&db).await;
    for configuration in [r#"{}"#, r#"{"endUser":{}}"#] {
        let item = UC2_ITEM.replace("QUANTITY", "1").replace(
            r#""productRef""#,
            &format!(r#""endUserConfiguration":[{configuration}],"productRef""#),
        );
        let body = format!(r#"{{"orderItem":[{item}]}}"#);
        let response = app.post_json(ORDERS, body).send().await.expect("sent");
        assert_eq!(response.status(), 400);
        let error: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(error["code"], 24);
        assert!(
            error["description"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
                .contains("enduserconfiguration"),
            "{error}"
        );
    }
}

async fn an_invalid_query_value_is_400_code_28(db: TestDb) {
    let app = TestApp::start(&db).await;
    let request = app.request(
        reqwest::Method::GET,
        "/userservice/v2/userService?productRefId=",
    );
    assert_eq!(error_code(request, 400).await, 28);
}

async fn a_body_over_the_cap_is_413_code_66(db: TestDb) {
    let app = TestApp::start_with(&db, |config| {
        config.limits.product_order_bytes = 2_048;
        config.limits.user_service_update_bytes = 2_048;
    })
    .await;
    let padding = "x".repeat(4_096);
    let order = format!(r#"{{"note":{{"text":"{padding}"}}}}"#);
    assert_eq!(error_code(app.post_json(ORDERS, order), 413).await, 66);
    let update = format!(r#"{{"userService":[{{"id":"{padding}"}}]}}"#);
    assert_eq!(error_code(app.post_json(UPDATE, update), 413).await, 66);
}

async fn an_unknown_route_is_404_code_60(db: TestDb) {
    let app = TestApp::start(&db).await;
    let request = app.request(reqwest::Method::GET, "/userservice/v3/nothing");
    assert_eq!(error_code(request, 404).await, 60);
}

async fn a_broken_database_is_a_500_that_reveals_nothing(db: TestDb) {
    let app = TestApp::start(&db).await;
    db.execute("ALTER TABLE licenses RENAME TO licenses_gone")
        .await;
    let response = app
        .request(reqwest::Method::GET, "/userservice/v2/userService/lic-1")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 500);
    assert!(response.headers().contains_key("x-request-id"));
    let body = response.text().await.expect("a body");
    assert!(!body.contains("licenses"), "no internal detail: {body}");
    let error: serde_json::Value = serde_json::from_str(&body).expect("Orange's error body");
    assert_eq!(error["message"], "internal error");
}

crate::on_both_backends!(
    malformed_json_is_400_code_22,
    an_empty_body_is_400_code_21,
    a_missing_required_field_is_400_code_23,
    a_constraint_violation_is_400_code_24,
    an_empty_end_user_configuration_is_400_code_24,
    an_invalid_query_value_is_400_code_28,
    a_body_over_the_cap_is_413_code_66,
    an_unknown_route_is_404_code_60,
    a_broken_database_is_a_500_that_reveals_nothing,
);
