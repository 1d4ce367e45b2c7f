//! UC5, changes the partner makes, over real HTTP and from the command line: every admin
//! operation stores its change and the `updateNotification` with the matching operation reaches
//! the (mock) gateway; admin credentials are required and Orange's are refused; refusals and bad
//! input answer in Orange's error body; dead events are listed and replayed; `obakit license`
//! does the same on the database. Each test runs on SQLite and on PostgreSQL.

mod support;

use std::time::Duration;

use obakit_server::config::{AdminConfig, ServeConfig};
use obakit_server::store::OutboxState;
use obakit_simulator::mock_orange::Faults;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::TestDb;
use support::app::{self as harness, TestApp};
use support::mock::{CLIENT_ID, CLIENT_SECRET, TestMock};
use support::wait_until;

const WAIT: Duration = Duration::from_secs(30);
const ADMIN_TOKEN: &str = "admin-token-for-tests-0123456789";
const ADMIN_USER: &str = "operator";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// The admin API on, events going to `mock`.
fn with_admin(mock: &TestMock) -> impl FnOnce(&mut ServeConfig) + '_ {
    move |config| {
        config.admin = AdminConfig {
            token: Some(ADMIN_TOKEN.into()),
            basic_user: Some(ADMIN_USER.into()),
            basic_password: Some(ADMIN_PASSWORD.into()),
        };
        config.orange.gateway_url = mock.url.clone();
        config.orange.client_id = Some(CLIENT_ID.into());
        config.orange.client_secret = Some(CLIENT_SECRET.into());
    }
}

async fn start(db: &TestDb) -> (TestApp, TestMock) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(db, with_admin(&mock)).await;
    (app, mock)
}

/// A request with the admin bearer token.
fn admin(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(ADMIN_TOKEN)
}

/// Sends and returns the status and the JSON body (`null` for none).
async fn call(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("send");
    let status = response.status();
    let text = response.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON ({e}): {text}"))
    };
    (status, body)
}

async fn put(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    call(admin(app, Method::PUT, path).json(&body)).await
}

async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    call(admin(app, Method::DELETE, path)).await
}

/// A UC2 order through Orange's API: the ids of its new licenses.
async fn new_licenses(app: &TestApp, external_id: &str, quantity: u32) -> Vec<String> {
    let order = json!({
        "externalReference": {"type": "orange", "id": external_id},
        "category": "production",
        "customer": {"externalReference": {"type": "orange", "id": "CUST-ADMIN"}, "tradingName": "Durand Conseil"},
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": "PO-BUSAPP-STARTER"}},
            "productRef": {"userServiceQuantity": quantity}
        }]
    });
    let (status, answer) =
        call(app.post_json("/productordering/v2/productOrder", order.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["orderItem"][0]["productRef"]["userService"]
        .as_array()
        .expect("the new licenses")
        .iter()
        .map(|l| l["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The license as Orange's consultation answers it.
async fn consult(app: &TestApp, id: &str) -> (StatusCode, Value) {
    call(app.request(Method::GET, &format!("/userservice/v2/userService/{id}"))).await
}

/// The event `id` once the mock gateway has it.
async fn received(mock: &TestMock, id: &str) -> Value {
    wait_until(&format!("event {id} reaches Orange"), WAIT, async || {
        mock.received_ids().iter().any(|r| r == id)
    })
    .await;
    let event = mock
        .mock
        .events()
        .into_iter()
        .find(|e| e.body["id"] == id)
        .expect("the event");
    assert_eq!(event.api, "userService");
    event.body
}

/// Checks an admin answer and the event it queued: the answer names `operation`/`action`, the
/// event is an `updateNotification` without `state` for the one license, carrying that operation
/// with that action. Returns the event's license.
async fn notified(
    mock: &TestMock,
    answer: &Value,
    license: &str,
    operation: &str,
    action: &str,
) -> Value {
    assert_eq!(answer["operation"], operation, "{answer}");
    assert_eq!(answer["action"], action, "{answer}");
    assert_eq!(answer["userService"]["id"], license, "{answer}");
    let event_id = answer["eventId"].as_str().expect("the queued event's id");
    let event = received(mock, event_id).await;
    assert_eq!(event["type"], "updateNotification", "{event}");
    let resource = &event["resource"];
    assert!(
        resource.get("state").is_none(),
        "a partner change has no state: {event}"
    );
    let licenses = resource["userService"].as_array().expect("userService");
    assert_eq!(licenses.len(), 1, "{event}");
    let sent = licenses[0].clone();
    assert_eq!(sent["id"], license);
    assert_eq!(sent[operation]["action"], action, "{event}");
    sent
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: i64) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

async fn setting_an_end_user_adds_then_modifies_and_orange_hears_both(db: TestDb) {
    let (app, mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-1", 1).await;
    let path = format!("/admin/licenses/{}/end-user", ids[0]);
    let (status, added) = put(
        &app,
        &path,
        json!({"givenName": "Paul", "familyName": "Martin", "email": "paul.martin@example.fr"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let sent = notified(&mock, &added, &ids[0], "endUserOperation", "add").await;
    let end_user_id = sent["endUserOperation"]["endUser"]["id"].clone();
    assert!(end_user_id.is_string(), "the partner makes the id: {sent}");
    assert_eq!(sent["endUser"]["givenName"], "Paul");

    let (status, modified) = put(&app, &path, json!({"givenName": "Paula"})).await;
    assert_eq!(status, StatusCode::OK, "{modified}");
    let sent = notified(&mock, &modified, &ids[0], "endUserOperation", "modify").await;
    assert_eq!(sent["endUserOperation"]["endUser"]["givenName"], "Paula");
    assert_eq!(
        sent["endUserOperation"]["endUser"]["id"], end_user_id,
        "a modified end user keeps its id"
    );

    let (status, license) = consult(&app, &ids[0]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        license["endUser"]["givenName"], "Paula",
        "stored: {license}"
    );
    assert!(
        license.get("endUserOperation").is_none(),
        "operations never appear in Orange's reads: {license}"
    );
}

async fn removing_the_end_user_sends_a_delete_then_conflicts(db: TestDb) {
    let (app, mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-2", 1).await;
    let path = format!("/admin/licenses/{}/end-user", ids[0]);
    let (status, _) = put(&app, &path, json!({"email": "ana@example.fr"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, removed) = delete(&app, &path).await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    let sent = notified(&mock, &removed, &ids[0], "endUserOperation", "delete").await;
    assert_eq!(
        sent["endUserOperation"]["endUser"]["email"], "ana@example.fr",
        "the end user as it was"
    );
    assert!(sent.get("endUser").is_none(), "{sent}");
    let (_, license) = consult(&app, &ids[0]).await;
    assert!(license.get("endUser").is_none(), "stored: {license}");

    let (status, again) = delete(&app, &path).await;
    assert_error(status, &again, StatusCode::CONFLICT, 69);
    assert!(
        again["description"]
            .as_str()
            .is_some_and(|d| d.contains("no end user")),
        "{again}"
    );
}

async fn setting_the_realizing_resource_sends_a_modify(db: TestDb) {
    let (app, mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-3", 1).await;
    let resource = json!({"type": "URL", "characteristic": [{"name": "url", "value": "https://durand.example.fr"}]});
    let (status, answer) = put(
        &app,
        &format!("/admin/licenses/{}/realizing-resource", ids[0]),
        resource.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let sent = notified(
        &mock,
        &answer,
        &ids[0],
        "realizingResourceOperation",
        "modify",
    )
    .await;
    assert_eq!(
        sent["realizingResourceOperation"]["realizingResource"],
        resource
    );
    let (_, license) = consult(&app, &ids[0]).await;
    assert_eq!(license["realizingResource"], resource, "stored: {license}");
}

async fn setting_the_login_sends_a_right_operation_add_then_modify(db: TestDb) {
    let (app, mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-4", 1).await;
    let path = format!("/admin/licenses/{}/login", ids[0]);
    let (status, first) = put(
        &app,
        &path,
        json!({"key": "login", "value": "pmartin", "email": "paul.martin@example.fr"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let sent = notified(&mock, &first, &ids[0], "rightOperation", "add").await;
    assert_eq!(
        sent["rightOperation"]["loginKeyValue"],
        json!({"key": "login", "value": "pmartin"})
    );
    assert_eq!(sent["rightOperation"]["email"], "paul.martin@example.fr");

    let (status, second) = put(
        &app,
        &path,
        json!({"key": "organizationCode", "value": "DURAND-01"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let sent = notified(&mock, &second, &ids[0], "rightOperation", "modify").await;
    assert!(sent["rightOperation"].get("email").is_none(), "{sent}");
    let (_, license) = consult(&app, &ids[0]).await;
    assert_eq!(
        license["loginKeyValue"],
        json!({"key": "organizationCode", "value": "DURAND-01"})
    );
}

async fn characteristics_are_added_modified_and_deleted_by_name(db: TestDb) {
    let (app, mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-5", 1).await;
    let path = format!("/admin/licenses/{}/characteristics/storageSize", ids[0]);
    let (status, added) = put(&app, &path, json!({"value": "50GB"})).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let sent = notified(
        &mock,
        &added,
        &ids[0],
        "serviceCharacteristicOperation",
        "add",
    )
    .await;
    assert_eq!(
        sent["serviceCharacteristicOperation"]["characteristic"],
        json!({"name": "storageSize", "value": "50GB"})
    );

    let (status, modified) = put(&app, &path, json!({"value": "100GB"})).await;
    assert_eq!(status, StatusCode::OK, "{modified}");
    notified(
        &mock,
        &modified,
        &ids[0],
        "serviceCharacteristicOperation",
        "modify",
    )
    .await;
    let (_, license) = consult(&app, &ids[0]).await;
    assert_eq!(
        license["characteristic"],
        json!([{"name": "storageSize", "value": "100GB"}])
    );

    let (status, deleted) = delete(&app, &path).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    let sent = notified(
        &mock,
        &deleted,
        &ids[0],
        "serviceCharacteristicOperation",
        "delete",
    )
    .await;
    assert_eq!(
        sent["serviceCharacteristicOperation"]["characteristic"]["value"], "100GB",
        "the characteristic as it was"
    );
    let (_, license) = consult(&app, &ids[0]).await;
    assert!(license.get("characteristic").is_none(), "{license}");

    let (status, again) = delete(&app, &path).await;
    assert_error(status, &again, StatusCode::CONFLICT, 69);
}

async fn unknown_and_terminated_licenses_answer_404_code_60(db: TestDb) {
    let (app, mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-6", 1).await;
    let (status, answer) = call(app.post_json(
        "/userservice/v2/userService/update",
        json!({"userService": [{"id": ids[0], "externalState": "deleted"}]}).to_string(),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["state"], "completed", "{answer}");
    for license in [ids[0].as_str(), "lic-unknown"] {
        let (status, body) = put(
            &app,
            &format!("/admin/licenses/{license}/characteristics/seat"),
            json!({"value": "1"}),
        )
        .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 60);
        let (status, body) = put(
            &app,
            &format!("/admin/licenses/{license}/end-user"),
            json!({"givenName": "Ana"}),
        )
        .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, 60);
    }
    // The dispatcher polls every half second: give it the time to send anything queued.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        mock.mock.events().is_empty(),
        "a refused change sends nothing"
    );
}

async fn bad_input_answers_400_with_orange_codes(db: TestDb) {
    let (app, mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-7", 1).await;
    let license = &ids[0];
    let cases: Vec<(&str, String, &str, i64)> = vec![
        // (what, path, raw body, Orange code)
        (
            "an end user with nothing about the person",
            format!("/admin/licenses/{license}/end-user"),
            r#"{"id": "u-1"}"#,
            23,
        ),
        (
            "an empty body",
            format!("/admin/licenses/{license}/end-user"),
            "",
            21,
        ),
        (
            "malformed JSON",
            format!("/admin/licenses/{license}/login"),
            r#"{"key": "login", "#,
            22,
        ),
        (
            "a login key Orange does not know",
            format!("/admin/licenses/{license}/login"),
            r#"{"key": "badge", "value": "x"}"#,
            24,
        ),
        (
            "a login without its value",
            format!("/admin/licenses/{license}/login"),
            r#"{"key": "login"}"#,
            23,
        ),
        (
            "a realizing resource without characteristics",
            format!("/admin/licenses/{license}/realizing-resource"),
            r#"{"type": "URL", "characteristic": []}"#,
            24,
        ),
        (
            "a characteristic name with surrounding spaces",
            format!("/admin/licenses/{license}/characteristics/%20seat"),
            r#"{"value": "1"}"#,
            28,
        ),
    ];
    for (what, path, body, code) in cases {
        let request = admin(&app, Method::PUT, &path)
            .header("content-type", "application/json")
            .body(body.to_owned());
        let (status, answer) = call(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {answer}");
        assert_eq!(answer["code"], code, "{what}: {answer}");
    }
    let (status, answer) = call(admin(&app, Method::GET, "/admin/events/dead?limit=0")).await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, 28);
    let (_, stored) = consult(&app, license).await;
    assert!(stored.get("endUser").is_none() && stored.get("loginKeyValue").is_none());
    assert!(mock.mock.events().is_empty(), "bad input sends nothing");
}

async fn admin_credentials_are_required_and_orange_credentials_refused(db: TestDb) {
    let (app, _mock) = start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-8", 1).await;
    let path = format!("/admin/licenses/{}/characteristics/seat", ids[0]);
    let body = json!({"value": "1"});
    let client = reqwest::Client::new();
    let send = |authorization: Option<String>, api_key: bool| {
        let mut request = client.put(app.url(&path)).json(&body);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        if api_key {
            request = request.header(harness::API_KEY_HEADER, harness::API_KEY);
        }
        call(request)
    };
    let (status, answer) = send(None, false).await;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, 40);
    for (what, authorization) in [
        ("Orange's Basic credentials", TestApp::basic()),
        (
            "Orange's bearer token",
            format!("Bearer {}", harness::BEARER),
        ),
        ("a wrong admin token", format!("Bearer {ADMIN_TOKEN}-not")),
        (
            "the admin user with a wrong password",
            harness::basic(ADMIN_USER, harness::PASSWORD),
        ),
    ] {
        let (status, answer) = send(Some(authorization), false).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {answer}");
        assert_eq!(answer["code"], 41, "{what}: {answer}");
    }
    let (status, answer) = send(None, true).await;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, 40);

    let (status, answer) = send(Some(format!("Bearer {ADMIN_TOKEN}")), false).await;
    assert_eq!(status, StatusCode::OK, "the admin token: {answer}");
    let (status, answer) = send(Some(harness::basic(ADMIN_USER, ADMIN_PASSWORD)), false).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the admin Basic credentials: {answer}"
    );
    assert_eq!(answer["action"], "modify");

    // The admin credentials open nothing of Orange's API.
    let (status, answer) = call(
        client
            .get(app.url(&format!("/userservice/v2/userService/{}", ids[0])))
            .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, 41);
}

async fn the_admin_api_is_off_unless_configured(db: TestDb) {
    let app = TestApp::start(&db).await;
    let ids = new_licenses(&app, "CMD-ADM-9", 1).await;
    let path = format!("/admin/licenses/{}/end-user", ids[0]);
    let (status, answer) = call(
        reqwest::Client::new()
            .put(app.url(&path))
            .json(&json!({"givenName": "Ana"})),
    )
    .await;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, 40);
    let (status, answer) = call(
        app.request(Method::PUT, &path)
            .json(&json!({"givenName": "Ana"})),
    )
    .await;
    assert_error(status, &answer, StatusCode::NOT_FOUND, 60);
    let (status, _) = call(app.request(Method::GET, "/admin/openapi.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn admin_secrets_must_differ_from_orange_credentials(db: TestDb) {
    let reused = ServeConfig {
        database_url: db.url(),
        auth: obakit_server::config::AuthConfig {
            bearer_token: Some(ADMIN_TOKEN.into()),
            ..Default::default()
        },
        admin: AdminConfig {
            token: Some(ADMIN_TOKEN.into()),
            ..AdminConfig::default()
        },
        ..ServeConfig::default()
    };
    let refused = obakit_server::app::build(&reused)
        .await
        .err()
        .expect("an admin token equal to Orange's bearer token is refused");
    assert!(refused.to_string().contains("admin.token"), "{refused:#}");
    assert!(
        reused.validate().is_err(),
        "and the configuration check says so"
    );

    let short = ServeConfig {
        database_url: db.url(),
        admin: AdminConfig {
            token: Some("short".into()),
            ..AdminConfig::default()
        },
        ..ServeConfig::default()
    };
    let refused = short
        .validate()
        .expect_err("a short admin token is refused");
    assert!(refused.to_string().contains("16"), "{refused}");
}

async fn orange_documents_leave_the_admin_api_out_and_swagger_ui_shows_it(db: TestDb) {
    let (app, _mock) = start(&db).await;
    let public = reqwest::Client::new();
    let orange: Value = public
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("Orange's document");
    let paths = orange["paths"].as_object().expect("paths");
    assert!(
        paths.keys().all(|p| !p.starts_with("/admin")),
        "{:?}",
        paths.keys()
    );
    assert!(paths.contains_key("/productordering/v2/productOrder"));

    let response = public
        .get(app.url("/admin/openapi.json"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK, "public like Orange's");
    let document: Value = response.json().await.expect("the admin document");
    let paths = document["paths"].as_object().expect("paths");
    for path in [
        "/admin/licenses/{id}/end-user",
        "/admin/licenses/{id}/realizing-resource",
        "/admin/licenses/{id}/login",
        "/admin/licenses/{id}/characteristics/{name}",
        "/admin/events/dead",
        "/admin/events/{id}/replay",
    ] {
        assert!(paths.contains_key(path), "{path} in {:?}", paths.keys());
    }
    assert_eq!(document["tags"][0]["name"], "Admin", "{}", document["tags"]);
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    assert!(schemes.contains_key("adminBearer") && schemes.contains_key("adminBasic"));

    let ui = public
        .get(app.url("/docs/"))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("Swagger UI");
    for operation in ["adminSetEndUser", "createProductOrder", "listUserServices"] {
        assert!(ui.contains(operation), "Swagger UI lists {operation}");
    }
}

async fn dead_events_are_listed_and_replayed_through_the_admin_api(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, |config| {
        with_admin(&mock)(config);
        // One refused attempt parks the event as dead.
        config.orange.max_attempts = 1;
    })
    .await;
    let ids = new_licenses(&app, "CMD-ADM-10", 1).await;
    mock.mock.set_faults(Faults {
        refuse_events: true,
        ..Faults::default()
    });
    let (status, answer) = put(
        &app,
        &format!("/admin/licenses/{}/characteristics/seat", ids[0]),
        json!({"value": "1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let event_id = answer["eventId"].as_str().expect("event id").to_owned();
    wait_until("the event is dead", WAIT, async || {
        let (_, dead) = call(admin(&app, Method::GET, "/admin/events/dead")).await;
        dead.as_array()
            .is_some_and(|d| d.iter().any(|e| e["id"] == event_id.as_str()))
    })
    .await;
    let (status, dead) = call(admin(&app, Method::GET, "/admin/events/dead?limit=10")).await;
    assert_eq!(status, StatusCode::OK);
    let listed = &dead[0];
    assert_eq!(listed["id"], event_id.as_str());
    assert_eq!(listed["state"], "dead");
    assert_eq!(listed["kind"], "userService.event");
    assert_eq!(listed["key"], ids[0].as_str());
    assert!(listed["lastError"].is_string(), "{listed}");
    assert_eq!(
        listed["payload"]["resource"]["userService"][0]["serviceCharacteristicOperation"]["action"],
        "add"
    );

    mock.mock.set_faults(Faults::default());
    let replay = format!("/admin/events/{event_id}/replay");
    let (status, replayed) = call(admin(&app, Method::POST, &replay)).await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["state"], "pending");
    assert_eq!(replayed["attempts"], 0);
    let body = received(&mock, &event_id).await;
    assert_eq!(body["type"], "updateNotification");
    wait_until("the replayed event is delivered", WAIT, async || {
        app.store
            .outbox_event(&event_id)
            .await
            .ok()
            .flatten()
            .is_some_and(|e| e.state == OutboxState::Delivered)
    })
    .await;

    let (status, again) = call(admin(&app, Method::POST, &replay)).await;
    assert_error(status, &again, StatusCode::CONFLICT, 69);
    let (status, unknown) = call(admin(
        &app,
        Method::POST,
        "/admin/events/01a21911-0000-7000-8000-000000000000/replay",
    ))
    .await;
    assert_error(status, &unknown, StatusCode::NOT_FOUND, 60);
    let (status, none) = call(admin(&app, Method::GET, "/admin/events/dead")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(none, json!([]));
    let (status, refused) = call(app.request(Method::GET, "/admin/events/dead")).await;
    assert_error(status, &refused, StatusCode::UNAUTHORIZED, 41);
}

/// Runs `obakit license …` on `db`; returns the exit status success, stdout and stderr.
fn obakit_license(db: &TestDb, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_obakit"))
        .arg("license")
        .args(args)
        .env("OBAKIT_DATABASE_URL", db.url())
        .env_remove("OBAKIT_PROVISIONING_WEBHOOK_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run obakit");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs a command that must succeed; returns its JSON answer.
fn license_command(db: &TestDb, args: &[&str]) -> Value {
    let (ok, stdout, stderr) = obakit_license(db, args);
    assert!(ok, "obakit license {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("JSON ({e}): {stdout}"))
}

async fn the_license_commands_store_each_change_and_queue_its_event(db: TestDb) {
    // A running server (without the admin API) delivers what the commands queue.
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, |config| {
        config.orange.gateway_url = mock.url.clone();
        config.orange.client_id = Some(CLIENT_ID.into());
        config.orange.client_secret = Some(CLIENT_SECRET.into());
    })
    .await;
    let ids = new_licenses(&app, "CMD-ADM-11", 1).await;
    let id = ids[0].as_str();
    let steps: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec![
                "set-end-user",
                id,
                "--given-name",
                "Paul",
                "--email",
                "paul@example.fr",
                "--mobile",
                "33:612345678",
            ],
            "endUserOperation",
            "add",
        ),
        (
            vec!["set-end-user", id, "--family-name", "Martin"],
            "endUserOperation",
            "modify",
        ),
        (vec!["remove-end-user", id], "endUserOperation", "delete"),
        (
            vec![
                "set-realizing-resource",
                id,
                "--type",
                "URL",
                "--characteristic",
                "url=https://durand.example.fr",
            ],
            "realizingResourceOperation",
            "modify",
        ),
        (
            vec![
                "set-login",
                id,
                "--key",
                "organizationCode",
                "--value",
                "DURAND-01",
                "--email",
                "it@durand.example.fr",
            ],
            "rightOperation",
            "add",
        ),
        (
            vec!["set-characteristic", id, "seat", "1"],
            "serviceCharacteristicOperation",
            "add",
        ),
        (
            vec!["set-characteristic", id, "seat", "2"],
            "serviceCharacteristicOperation",
            "modify",
        ),
        (
            vec!["delete-characteristic", id, "seat"],
            "serviceCharacteristicOperation",
            "delete",
        ),
    ];
    for (args, operation, action) in steps {
        let answer = license_command(&db, &args);
        let event_id = answer["eventId"].as_str().expect("the event id");
        let queued = app
            .store
            .outbox_event(event_id)
            .await
            .expect("read the outbox")
            .expect("the event is queued with the change");
        assert_eq!(queued.kind, "userService.event");
        notified(&mock, &answer, id, operation, action).await;
    }
    let (_, license) = consult(&app, id).await;
    assert!(license.get("endUser").is_none(), "{license}");
    assert!(license.get("characteristic").is_none(), "{license}");
    assert_eq!(license["realizingResource"]["type"], "URL");
    assert_eq!(license["loginKeyValue"]["value"], "DURAND-01");

    // Refusals and bad input fail the command and queue nothing.
    let before = mock.mock.events().len();
    for (args, says) in [
        (vec!["remove-end-user", id], "no end user"),
        (
            vec!["delete-characteristic", id, "seat"],
            "no characteristic",
        ),
        (
            vec!["set-characteristic", "lic-unknown", "seat", "1"],
            "unknown license",
        ),
        (vec!["set-end-user", id], "at least one"),
        (
            vec![
                "set-realizing-resource",
                id,
                "--type",
                "URL",
                "--characteristic",
                "url",
            ],
            "NAME=VALUE",
        ),
    ] {
        let (ok, _, stderr) = obakit_license(&db, &args);
        assert!(!ok, "{args:?} must fail");
        // An end user without details is refused by the schema's minProperties or, before it, by
        // the command's own check; either message names the problem.
        let named =
            stderr.contains(says) || (says == "at least one" && stderr.contains("minProperties"));
        assert!(named, "{args:?}: {stderr}");
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        mock.mock.events().len(),
        before,
        "nothing sent for refusals"
    );
}

on_both_backends!(
    setting_an_end_user_adds_then_modifies_and_orange_hears_both,
    removing_the_end_user_sends_a_delete_then_conflicts,
    setting_the_realizing_resource_sends_a_modify,
    setting_the_login_sends_a_right_operation_add_then_modify,
    characteristics_are_added_modified_and_deleted_by_name,
    unknown_and_terminated_licenses_answer_404_code_60,
    bad_input_answers_400_with_orange_codes,
    admin_credentials_are_required_and_orange_credentials_refused,
    the_admin_api_is_off_unless_configured,
    admin_secrets_must_differ_from_orange_credentials,
    orange_documents_leave_the_admin_api_out_and_swagger_ui_shows_it,
    dead_events_are_listed_and_replayed_through_the_admin_api,
    the_license_commands_store_each_change_and_queue_its_event,
);
