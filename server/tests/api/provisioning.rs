//! The provisioning webhook decides: a refusal (a 4xx) fails the order or the update, with the
//! reason in the note, and nothing is stored; a fault (no answer in time, a 5xx) is not a
//! refusal: 503 with `Retry-After`, nothing stored, and Orange's resend is worked afresh.

use std::time::Duration;

use poem::http::StatusCode;

use crate::support::TestDb;
use crate::support::app::TestApp;
use crate::support::hook::Hook;
use crate::wire::*;

async fn app_with_webhook(db: &TestDb, hook: &Hook, timeout_ms: u64) -> TestApp {
    TestApp::start_with(db, |config| {
        config.provisioning.webhook_url = Some(hook.url.clone());
        config.provisioning.webhook_timeout_ms = Some(timeout_ms);
    })
    .await
}

/// The license ids the webhook was told about in its last `licensesCreated` call.
fn announced_licenses(hook: &Hook) -> Vec<String> {
    let received = hook.received();
    let last = received.last().expect("the webhook was called");
    assert_eq!(last.body["action"], "licensesCreated");
    last.body["licenses"]
        .as_array()
        .expect("licenses")
        .iter()
        .map(|l| l["id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn a_webhook_refusal_fails_the_order_and_nothing_is_created(db: TestDb) {
    let hook = Hook::start(StatusCode::UNPROCESSABLE_ENTITY, Duration::ZERO).await;
    let app = app_with_webhook(&db, &hook, 5_000).await;
    let answer = place(&app, &uc2("CMD-2", 2)).await;
    assert_eq!(answer.state.as_ref().map(|s| s.as_str()), Some("failed"));
    let note = answer.note.clone().expect("the reason");
    assert!(note.text.contains("422"), "{note:?}");
    assert!(licenses_of(&answer).is_empty());
    let announced = announced_licenses(&hook);
    assert_eq!(announced.len(), 2);
    for id in &announced {
        assert!(get(&app, id).await.is_none(), "license {id} was not kept");
    }
}

async fn a_webhook_that_does_not_answer_in_time_is_a_503_and_the_resend_completes(db: TestDb) {
    let hook = Hook::start(StatusCode::OK, Duration::from_secs(3)).await;
    let app = app_with_webhook(&db, &hook, 300).await;
    let order = uc2("CMD-2", 1);
    let body = poem_openapi::types::ToJSON::to_json_string(&order);
    let response = app
        .post_json("/productordering/v2/productOrder", body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 503);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    let error: serde_json::Value = response.json().await.expect("Orange's error body");
    assert_eq!(error["code"], 5, "{error}");
    for id in announced_licenses(&hook) {
        assert!(get(&app, &id).await.is_none(), "license {id} was not kept");
    }
    hook.answer_with(StatusCode::OK, Duration::ZERO);
    let answer = place(&app, &order).await;
    assert_eq!(answer.state.as_ref().map(|s| s.as_str()), Some("completed"));
    let keys: Vec<_> = hook
        .received()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0], keys[1],
        "the resend carries the same idempotency key"
    );
}

async fn a_webhook_fault_during_an_update_is_a_503_and_changes_nothing(db: TestDb) {
    let hook = Hook::start(StatusCode::OK, Duration::ZERO).await;
    let app = app_with_webhook(&db, &hook, 5_000).await;
    let (_, ids) = new_fleet(&app, "CMD-3", 1).await;
    hook.answer_with(StatusCode::SERVICE_UNAVAILABLE, Duration::ZERO);
    let response = app
        .post_json(
            "/userservice/v2/userService/update",
            serde_json::json!({"userService": [{"id": ids[0], "externalState": "suspended"}]})
                .to_string(),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.state.as_str(), "active");
}

async fn a_webhook_refusal_fails_the_update_and_changes_nothing(db: TestDb) {
    let hook = Hook::start(StatusCode::OK, Duration::ZERO).await;
    let app = app_with_webhook(&db, &hook, 5_000).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 1).await;
    hook.answer_with(StatusCode::CONFLICT, Duration::ZERO);
    let answer = update(&app, vec![set_state(&ids[0], "suspended")]).await;
    assert_eq!(answer.state.as_str(), "failed");
    assert!(answer.note.expect("the reason").text.contains("409"));
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.state.as_str(), "active");
    assert_eq!(
        hook.received().last().expect("called").body["action"],
        "licensesUpdated"
    );
}

crate::on_both_backends!(
    a_webhook_refusal_fails_the_order_and_nothing_is_created,
    a_webhook_that_does_not_answer_in_time_is_a_503_and_the_resend_completes,
    a_webhook_fault_during_an_update_is_a_503_and_changes_nothing,
    a_webhook_refusal_fails_the_update_and_changes_nothing,
);
