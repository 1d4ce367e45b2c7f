//! Inbound authentication: each configured kind is accepted, missing credentials are 401 code 40,
//! wrong ones 401 code 41, and only the ping is anonymous.

use obakit_api::user_service::handler::ListUserServicesResponse;

use crate::support::TestDb;
use crate::support::app::{API_KEY, API_KEY_HEADER, BEARER, PASSWORD, TestApp, USER, basic};

const LIST: &str = "/userservice/v2/userService?productRefId=fleet-1";

/// The Orange error code of a 401 answer to `request`.
async fn refused_code(request: reqwest::RequestBuilder) -> i64 {
    let response = request.send().await.expect("sent");
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: serde_json::Value = response.json().await.expect("an Error body");
    body["code"].as_i64().expect("a code")
}

fn anonymous(app: &TestApp) -> reqwest::RequestBuilder {
    reqwest::Client::new().get(app.url(LIST))
}

async fn the_ping_needs_no_credentials(db: TestDb) {
    let app = TestApp::start(&db).await;
    let response = reqwest::Client::new()
        .get(app.url("/ping"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}

async fn missing_credentials_are_401_code_40(db: TestDb) {
    let app = TestApp::start(&db).await;
    match app
        .licenses_as(None)
        .list_user_services(Some("fleet-1".into()), None)
        .await
        .expect("answered")
    {
        ListUserServicesResponse::Unauthorized(error) => assert_eq!(error.0.code, 40),
        other => panic!("expected 401, got {other:?}"),
    }
    assert_eq!(refused_code(anonymous(&app)).await, 40);
}

async fn a_wrong_basic_password_is_401_code_41(db: TestDb) {
    let app = TestApp::start(&db).await;
    match app
        .licenses_as(Some(&basic(USER, "not-the-password")))
        .list_user_services(Some("fleet-1".into()), None)
        .await
        .expect("answered")
    {
        ListUserServicesResponse::Unauthorized(error) => assert_eq!(error.0.code, 41),
        other => panic!("expected 401, got {other:?}"),
    }
    let wrong_user = anonymous(&app).header("authorization", basic("someone", PASSWORD));
    assert_eq!(refused_code(wrong_user).await, 41);
}

async fn a_wrong_api_key_is_401_code_41(db: TestDb) {
    let app = TestApp::start(&db).await;
    let request = anonymous(&app).header(API_KEY_HEADER, "not-the-key");
    assert_eq!(refused_code(request).await, 41);
}

async fn a_wrong_bearer_token_is_401_code_41(db: TestDb) {
    let app = TestApp::start(&db).await;
    let request = anonymous(&app).bearer_auth("not-the-token");
    assert_eq!(refused_code(request).await, 41);
}

async fn basic_api_key_and_bearer_credentials_are_each_accepted(db: TestDb) {
    let app = TestApp::start(&db).await;
    let accepted = [
        anonymous(&app).header("authorization", basic(USER, PASSWORD)),
        anonymous(&app).header(API_KEY_HEADER, API_KEY),
        anonymous(&app).bearer_auth(BEARER),
    ];
    for request in accepted {
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 200);
    }
    // The generated client with credentials set through ClientCore::with_header.
    match app
        .licenses()
        .list_user_services(Some("fleet-1".into()), None)
        .await
        .expect("answered")
    {
        ListUserServicesResponse::Ok(licenses) => assert!(licenses.0.is_empty()),
        other => panic!("expected 200, got {other:?}"),
    }
}

crate::on_both_backends!(
    the_ping_needs_no_credentials,
    missing_credentials_are_401_code_40,
    a_wrong_basic_password_is_401_code_41,
    a_wrong_api_key_is_401_code_41,
    a_wrong_bearer_token_is_401_code_41,
    basic_api_key_and_bearer_credentials_are_each_accepted,
);
