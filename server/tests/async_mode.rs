//! Asynchronous mode end to end over real HTTP: Orange's order or update is acknowledged at once,
//! the work is done after, and its event reaches the (mock) gateway with a bearer token; nothing
//! is visible before completion; a server killed with SIGKILL during a gateway outage loses nothing.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use obakit_server::config::{Mode, ServeConfig};
use obakit_server::store::{OutboxState, Store};
use obakit_simulator::mock_orange::Faults;
use serde_json::{Value, json};
use support::TestDb;
use support::app::TestApp;
use support::mock::{CLIENT_ID, CLIENT_SECRET, TestMock};
use support::process::Served;
use support::wait_until;

const WAIT: Duration = Duration::from_secs(30);

fn asynchronous(mock: &TestMock) -> impl FnOnce(&mut ServeConfig) + '_ {
    move |config| {
        config.mode.product_ordering = Mode::Async;
        config.mode.user_service = Mode::Async;
        config.orange.gateway_url = mock.url.clone();
        config.orange.client_id = Some(CLIENT_ID.into());
        config.orange.client_secret = Some(CLIENT_SECRET.into());
    }
}

fn order(external_id: &str, fleet: Option<&str>, quantity: u32) -> Value {
    let mut product_ref = json!({"userServiceQuantity": quantity});
    if let Some(fleet) = fleet {
        product_ref["id"] = json!(fleet);
    }
    json!({
        "externalReference": {"type": "orange", "id": external_id},
        "category": "production",
        "customer": {"externalReference": {"type": "orange", "id": "CUST-ASYNC"}, "tradingName": "Durand Conseil"},
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": "PO-BUSAPP-STARTER"}},
            "productRef": product_ref
        }]
    })
}

async fn post(app: &TestApp, path: &str, body: &Value) -> Value {
    let response = app
        .post_json(path, body.to_string())
        .send()
        .await
        .expect("send");
    let status = response.status();
    let answer: Value = response.json().await.expect("a JSON answer");
    assert!(status.is_success(), "{path} answered {status}: {answer}");
    answer
}

async fn get(app: &TestApp, path: &str) -> Value {
    app.request(reqwest::Method::GET, path)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("JSON")
}

fn events_of(mock: &TestMock, api: &str) -> Vec<Value> {
    mock.mock
        .events()
        .into_iter()
        .filter(|e| e.api == api)
        .map(|e| e.body)
        .collect()
}

async fn an_order_is_acknowledged_then_its_completed_event_arrives_with_the_fleet_and_licenses(
    db: TestDb,
) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, asynchronous(&mock)).await;
    let answer = post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-1", None, 3),
    )
    .await;
    assert_eq!(answer["state"], "acknowledged");
    let order_id = answer["id"]
        .as_str()
        .expect("the partner's order id is answered at once")
        .to_owned();
    wait_until("the order's event arrives", WAIT, async || {
        !events_of(&mock, "productOrdering").is_empty()
    })
    .await;
    let events = events_of(&mock, "productOrdering");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["type"], "completedStateNotification");
    assert_eq!(
        event["resource"]["id"],
        order_id.as_str(),
        "the event answers the acknowledged order"
    );
    assert_eq!(event["resource"]["externalReference"]["id"], "ORA-ASYNC-1");
    assert_eq!(event["resource"]["state"], "completed");
    let product_ref = &event["resource"]["orderItem"][0]["productRef"];
    let fleet = product_ref["id"]
        .as_str()
        .expect("the new fleet's id")
        .to_owned();
    assert_eq!(product_ref["userService"].as_array().map(Vec::len), Some(3));
    assert!(
        mock.mock.events()[0].token.starts_with("mock-"),
        "sent with a token the gateway issued"
    );
    let listed = get(
        &app,
        &format!("/userservice/v2/userService?productRefId={fleet}"),
    )
    .await;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(3),
        "the licenses are visible once completed"
    );
}

async fn licenses_added_to_a_fleet_are_invisible_until_the_order_completes(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, asynchronous(&mock)).await;
    post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-2", None, 2),
    )
    .await;
    wait_until("the first order completes", WAIT, async || {
        events_of(&mock, "productOrdering").len() == 1
    })
    .await;
    let fleet =
        events_of(&mock, "productOrdering")[0]["resource"]["orderItem"][0]["productRef"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
    // The gateway is slow: the second order's event waits, its licenses must too.
    mock.mock.set_faults(Faults {
        unavailable: true,
        ..Faults::default()
    });
    let store: &Store = &app.store;
    let answer = post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-3", Some(&fleet), 4),
    )
    .await;
    assert_eq!(answer["state"], "acknowledged");
    let listed = get(
        &app,
        &format!("/userservice/v2/userService?productRefId={fleet}"),
    )
    .await;
    let visible = listed.as_array().map(Vec::len).unwrap_or_default();
    if store.pending_orders().await.expect("pending").is_empty() {
        assert_eq!(visible, 6, "completed orders show all their licenses");
    } else {
        assert_eq!(
            visible, 2,
            "an order not yet completed shows none of its licenses"
        );
    }
    mock.mock.set_faults(Faults::default());
    wait_until("the second order's event arrives", WAIT, async || {
        events_of(&mock, "productOrdering").len() == 2
    })
    .await;
    let listed = get(
        &app,
        &format!("/userservice/v2/userService?productRefId={fleet}"),
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(6));
}

async fn an_update_is_acknowledged_then_an_update_notification_with_its_state_arrives(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, asynchronous(&mock)).await;
    post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-4", None, 2),
    )
    .await;
    wait_until("the order completes", WAIT, async || {
        events_of(&mock, "productOrdering").len() == 1
    })
    .await;
    let licenses = events_of(&mock, "productOrdering")[0]["resource"]["orderItem"][0]["productRef"]
        ["userService"]
        .clone();
    let license = licenses[0]["id"].as_str().expect("a license id").to_owned();
    let answer = post(
        &app,
        "/userservice/v2/userService/update",
        &json!({"userService": [{"id": license, "externalState": "suspended"}]}),
    )
    .await;
    assert_eq!(answer["state"], "acknowledged");
    wait_until("the update's event arrives", WAIT, async || {
        !events_of(&mock, "userService").is_empty()
    })
    .await;
    let event = &events_of(&mock, "userService")[0];
    assert_eq!(event["type"], "updateNotification");
    assert_eq!(event["resource"]["state"], "completed");
    assert_eq!(event["resource"]["userService"][0]["id"], license.as_str());
    assert_eq!(event["resource"]["userService"][0]["state"], "inactive");
    let read = get(&app, &format!("/userservice/v2/userService/{license}")).await;
    assert_eq!(read["state"], "inactive");
}

async fn an_order_for_an_unknown_fleet_ends_in_a_failed_state_notification(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, asynchronous(&mock)).await;
    let answer = post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-5", Some("no-such-fleet"), 1),
    )
    .await;
    assert_eq!(answer["state"], "acknowledged");
    wait_until("the order's event arrives", WAIT, async || {
        !events_of(&mock, "productOrdering").is_empty()
    })
    .await;
    let event = &events_of(&mock, "productOrdering")[0];
    assert_eq!(event["type"], "failedStateNotification");
    assert_eq!(event["resource"]["state"], "failed");
    assert!(
        event["resource"]["note"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("no-such-fleet"),
        "the reason: {}",
        event["resource"]["note"]
    );
}

async fn a_customer_order_is_answered_at_once_in_asynchronous_mode(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, asynchronous(&mock)).await;
    let answer = post(
        &app,
        "/productordering/v2/productOrder",
        &json!({
            "externalReference": {"type": "orange", "id": "ORA-ASYNC-UC1"},
            "category": "production",
            "customer": {
                "externalReference": {"type": "orange", "id": "CUST-ASYNC-UC1"},
                "tradingName": "Durand Conseil"
            }
        }),
    )
    .await;
    assert_eq!(
        answer["state"], "completed",
        "Orange's asynchronous answer covers UC2 and UC3 only: {answer}"
    );
    assert!(
        answer["customer"]["id"].is_string(),
        "the customer's id: {answer}"
    );
    // Another order's event proves the dispatcher ran; UC1 must have sent none before it.
    post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-UC1-2", None, 1),
    )
    .await;
    wait_until("the second order's event arrives", WAIT, async || {
        !events_of(&mock, "productOrdering").is_empty()
    })
    .await;
    let events = events_of(&mock, "productOrdering");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0]["resource"]["externalReference"]["id"],
        "ORA-ASYNC-UC1-2"
    );
}

async fn reactivating_a_deleted_license_brings_a_failed_update_notification_naming_it(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, asynchronous(&mock)).await;
    post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-6", None, 1),
    )
    .await;
    wait_until("the order completes", WAIT, async || {
        events_of(&mock, "productOrdering").len() == 1
    })
    .await;
    let license = events_of(&mock, "productOrdering")[0]["resource"]["orderItem"][0]["productRef"]
        ["userService"][0]["id"]
        .as_str()
        .expect("a license id")
        .to_owned();
    let deleted = post(
        &app,
        "/userservice/v2/userService/update",
        &json!({"userService": [{"id": license, "externalState": "deleted"}]}),
    )
    .await;
    assert_eq!(deleted["state"], "acknowledged");
    wait_until("the deletion's event arrives", WAIT, async || {
        events_of(&mock, "userService").len() == 1
    })
    .await;
    let reactivated = post(
        &app,
        "/userservice/v2/userService/update",
        &json!({"userService": [{"id": license, "externalState": "active"}]}),
    )
    .await;
    assert_eq!(reactivated["state"], "acknowledged");
    wait_until("the reactivation's event arrives", WAIT, async || {
        events_of(&mock, "userService").len() == 2
    })
    .await;
    let event = &events_of(&mock, "userService")[1];
    assert_eq!(event["resource"]["state"], "failed", "{event}");
    assert_eq!(event["resource"]["userService"][0]["id"], license.as_str());
    assert!(event["resource"]["note"]["text"].is_string(), "{event}");
    let dead = app.store.dead_events(100).await.expect("read");
    assert!(dead.is_empty(), "no event parked dead: {dead:?}");
}

async fn an_update_naming_only_unknown_licenses_is_answered_failed_at_once(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = TestApp::start_with(&db, asynchronous(&mock)).await;
    let answer = post(
        &app,
        "/userservice/v2/userService/update",
        &json!({"userService": [{"id": "no-such-license", "externalState": "suspended"}]}),
    )
    .await;
    assert_eq!(answer["state"], "failed", "{answer}");
    assert!(
        answer["note"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("no-such-license"),
        "{answer}"
    );
    assert!(
        app.store.pending_updates().await.expect("read").is_empty(),
        "nothing acknowledged, so no event owed"
    );
}

async fn a_provisioning_fault_is_retried_until_the_order_completes(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let hook =
        support::hook::Hook::start(poem::http::StatusCode::SERVICE_UNAVAILABLE, Duration::ZERO)
            .await;
    let app = TestApp::start_with(&db, |config| {
        asynchronous(&mock)(config);
        config.provisioning.webhook_url = Some(hook.url.clone());
    })
    .await;
    let answer = post(
        &app,
        "/productordering/v2/productOrder",
        &order("ORA-ASYNC-FAULT", None, 1),
    )
    .await;
    assert_eq!(answer["state"], "acknowledged");
    wait_until("the worker tries twice", WAIT, async || {
        hook.received().len() >= 2
    })
    .await;
    assert!(
        events_of(&mock, "productOrdering").is_empty(),
        "a fault is not a refusal: no failed event"
    );
    hook.answer_with(poem::http::StatusCode::OK, Duration::ZERO);
    wait_until("the order's event arrives", WAIT, async || {
        !events_of(&mock, "productOrdering").is_empty()
    })
    .await;
    let event = &events_of(&mock, "productOrdering")[0];
    assert_eq!(event["type"], "completedStateNotification", "{event}");
    let keys: std::collections::BTreeSet<_> = hook
        .received()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(
        keys.len(),
        1,
        "every retry carries the same idempotency key"
    );
}

on_both_backends!(
    an_order_is_acknowledged_then_its_completed_event_arrives_with_the_fleet_and_licenses,
    licenses_added_to_a_fleet_are_invisible_until_the_order_completes,
    an_update_is_acknowledged_then_an_update_notification_with_its_state_arrives,
    an_order_for_an_unknown_fleet_ends_in_a_failed_state_notification,
    a_customer_order_is_answered_at_once_in_asynchronous_mode,
    reactivating_a_deleted_license_brings_a_failed_update_notification_naming_it,
    an_update_naming_only_unknown_licenses_is_answered_failed_at_once,
    a_provisioning_fault_is_retried_until_the_order_completes,
);

#[tokio::test]
async fn serving_asynchronously_without_orange_credentials_is_refused_at_start() {
    let db = TestDb::sqlite();
    let mut config = ServeConfig {
        database_url: db.url(),
        ..ServeConfig::default()
    };
    config.auth.allow_anonymous = true;
    config.mode.product_ordering = Mode::Async;
    let refused = obakit_server::app::build(&config)
        .await
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("--orange-client-id"),
        "{refused}"
    );
}

/// `obakit serve` as a child process on `db_url`, asynchronous, sending its events to `gateway`.
fn serve_async(db_url: &str, gateway: &str, dir: &std::path::Path) -> Served {
    Served::start(
        dir,
        &[
            "--database-url",
            db_url,
            "--basic-user",
            "orange",
            "--basic-password",
            "pw",
            "--product-ordering-mode",
            "async",
            "--user-service-mode",
            "async",
            "--orange-gateway-url",
            gateway,
            "--orange-client-id",
            CLIENT_ID,
            "--orange-client-secret",
            CLIENT_SECRET,
            // A delivery cut by the kill blocks its event for this long plus 5 s.
            "--orange-request-timeout-ms",
            "2000",
        ],
        &[],
    )
}

async fn nothing_is_lost_when_the_server_is_killed_during_a_gateway_outage(db: TestDb) {
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    mock.mock.set_faults(Faults {
        unavailable: true,
        ..Faults::default()
    });
    let dir = tempfile::tempdir().expect("working folder");
    let server = serve_async(&db.url(), &mock.url, dir.path());
    server.wait_for_ping(WAIT).await;
    let port = server.port;
    let http = reqwest::Client::new();
    for n in 0..5 {
        let answer: Value = http
            .post(format!(
                "http://127.0.0.1:{port}/productordering/v2/productOrder"
            ))
            .basic_auth("orange", Some("pw"))
            .json(&order(&format!("ORA-KILL-{n}"), None, 2))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("JSON");
        assert_eq!(answer["state"], "acknowledged", "{answer}");
    }
    let store = db.store().await;
    wait_until(
        "every order is done and its event has failed once",
        WAIT,
        async || {
            let pending = store.pending_orders().await.expect("pending");
            let dead_or_delivered = store.dead_events(100).await.expect("dead").len();
            pending.is_empty() && dead_or_delivered == 0 && outbox_attempted(&store).await >= 5
        },
    )
    .await;
    let produced = outbox_ids(&store).await;
    server.kill_9();
    assert!(
        mock.mock.events().is_empty(),
        "nothing arrived during the outage"
    );

    mock.mock.set_faults(Faults::default());
    let _server = serve_async(&db.url(), &mock.url, dir.path());
    wait_until("every event arrives after the restart", WAIT, async || {
        mock.mock.events().len() >= produced.len()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = mock.received_ids();
    let delivered: BTreeSet<String> = received.iter().cloned().collect();
    println!(
        "killed during outage: produced {}, delivered {}, duplicates {}, lost {}",
        produced.len(),
        delivered.len(),
        received.len() - delivered.len(),
        produced.difference(&delivered).count()
    );
    assert_eq!(produced.len(), 5);
    assert_eq!(
        delivered, produced,
        "the events arrive with the ids they had before the kill"
    );
    assert_eq!(received.len(), produced.len(), "and each arrives once");
}

/// Ids of every event waiting in the outbox (each order's completion enqueues one).
async fn outbox_ids(store: &Store) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for event in store.pending_events(1000).await.expect("pending events") {
        ids.insert(event.id);
    }
    ids
}

/// How many outbox events have been attempted at least once.
async fn outbox_attempted(store: &Store) -> usize {
    let mut attempted = 0;
    for event in store.pending_events(1000).await.expect("pending events") {
        if event.attempts >= 1 && event.state == OutboxState::Pending {
            attempted += 1;
        }
    }
    attempted
}

on_both_backends!(nothing_is_lost_when_the_server_is_killed_during_a_gateway_outage);
