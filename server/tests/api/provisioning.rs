//! The provisioning webhook decides: a refusal or a timeout fails the order or the update, with
//! the reason in the note, and nothing is stored.

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

async fn a_webhook_that_does_not_answer_in_time_fails_the_order(db: TestDb) {
    let hook = Hook::start(StatusCode::OK, Duration::from_secs(3)).await;
    let app = app_with_webhook(&db, &hook, 300).await;
    let answer = place(&app, &uc2("CMD-2", 1)).await;
    assert_eq!(answer.state.as_ref().map(|s| s.as_str()), Some("failed"));
    let note = answer.note.clone().expect("the reason");
    assert!(note.text.contains("did not answer"), "{note:?}");
    for id in announced_licenses(&hook) {
        assert!(get(&app, &id).await.is_none(), "license {id} was not kept");
    }
}

async fn a_webhook_refusal_fails_the_update_and_changes_nothing(db: TestDb) {
    let hook = Hook::start(StatusCode::OK, Duration::ZERO).await;
    let app = app_with_webhook(&db, &hook, 5_000).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 1).await;
    hook.answer_with(StatusCode::SERVICE_UNAVAILABLE, Duration::ZERO);
    let answer = update(&app, vec![set_state(&ids[0], "suspended")]).await;
    assert_eq!(answer.state.as_str(), "failed");
    assert!(answer.note.expect("the reason").text.contains("503"));
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.state.as_str(), "active");
    assert_eq!(
        hook.received().last().expect("called").body["action"],
        "licensesUpdated"
    );
}

crate::on_both_backends!(
    a_webhook_refusal_fails_the_order_and_nothing_is_created,
    a_webhook_that_does_not_answer_in_time_fails_the_order,
    a_webhook_refusal_fails_the_update_and_changes_nothing,
);
