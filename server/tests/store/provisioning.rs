//! Provisioning: a refusal fails the order or update and stores nothing; the webhook provisioner
//! over HTTP (2xx accepted, other answers a refusal, timeouts and 5xx faults that store nothing).

use std::sync::Arc;
use std::time::Duration;

use obakit_server::domain::{Catalogue, OrderState, UpdateState};
use obakit_server::provisioning::Webhook;
use obakit_server::store::no_events;
use obakit_server::usecase::UseCaseError;
use poem::http::StatusCode;

use crate::support::builders::*;
use crate::support::hook::Hook;
use crate::support::{Scripted, TestDb};
use crate::{SYNC, completed, ids};

async fn a_provisioning_refusal_fails_the_order_and_stores_nothing(db: TestDb) {
    let scripted = Arc::new(Scripted::refusing());
    let cases = db.cases_with(scripted.clone(), Catalogue::open()).await;
    let store = cases.store();
    let outcome = cases
        .place_order(&uc2("ORD-1", 2), SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    assert_eq!(
        outcome.reason.as_deref(),
        Some("provisioning refused: the partner's system said no")
    );
    assert!(outcome.fleet_id.is_none() && outcome.licenses.is_empty());
    let attempted = scripted.actions.lock().expect("lock").clone();
    let obakit_server::provisioning::ActionKind::LicensesCreated {
        fleet_id, licenses, ..
    } = &attempted[0].kind
    else {
        panic!("a licensesCreated action");
    };
    assert_eq!(licenses.len(), 2);
    assert!(store.fleet(fleet_id).await.expect("read").is_none());
    assert!(
        store
            .licenses_by_ids(&licenses.iter().map(|l| l.id.clone()).collect::<Vec<_>>())
            .await
            .expect("read")
            .is_empty()
    );
}

async fn a_provisioning_refusal_fails_the_update_and_changes_nothing(db: TestDb) {
    let scripted = Arc::new(Scripted::default());
    let cases = db.cases_with(scripted.clone(), Catalogue::open()).await;
    let store = cases.store();
    let license = ids(&completed(&cases, &uc2("ORD-1", 1)).await).remove(0);
    scripted.set_refusing(true);
    let refused = cases
        .apply_update(&update(vec![set_state(&license, "deleted")]), no_events)
        .await
        .expect("answered");
    assert_eq!(refused.state, UpdateState::Failed);
    assert!(
        store.license(&license).await.expect("read").is_some(),
        "still there"
    );
    assert_eq!(scripted.names(), vec!["licensesCreated", "licensesUpdated"]);
}

async fn the_webhook_provisioner_posts_each_action_and_accepts_2xx(db: TestDb) {
    let hook = Hook::start(StatusCode::NO_CONTENT, Duration::ZERO).await;
    let webhook = Webhook::new(&hook.url, Duration::from_secs(5)).expect("webhook");
    let cases = db
        .cases_with(Arc::new(webhook), Catalogue::new([(OFFER, "basic plan")]))
        .await;
    let outcome = completed(&cases, &uc2("ORD-1", 2)).await;
    let license = ids(&outcome).remove(0);
    cases
        .apply_update(&update(vec![set_state(&license, "suspended")]), no_events)
        .await
        .expect("applied");
    let received = hook.received();
    assert_eq!(received.len(), 2);
    let created = &received[0];
    assert_eq!(created.body["action"], "licensesCreated");
    assert_eq!(created.body["plan"], "basic plan");
    assert_eq!(created.body["newFleet"], true);
    assert_eq!(created.body["licenses"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        created.idempotency_key.as_deref(),
        created.body["id"].as_str()
    );
    assert_eq!(created.content_type.as_deref(), Some("application/json"));
    let updated = &received[1].body;
    assert_eq!(updated["action"], "licensesUpdated");
    assert_eq!(updated["changes"][0]["change"], "stateChanged");
    assert_eq!(updated["changes"][0]["externalState"], "suspended");
}

async fn a_webhook_answering_non_2xx_fails_the_order_with_the_status(db: TestDb) {
    let hook = Hook::start(StatusCode::UNPROCESSABLE_ENTITY, Duration::ZERO).await;
    let webhook = Webhook::new(&hook.url, Duration::from_secs(5)).expect("webhook");
    let cases = db.cases_with(Arc::new(webhook), Catalogue::open()).await;
    let store = cases.store();
    let outcome = cases
        .place_order(&uc2("ORD-1", 1), SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    assert_eq!(
        outcome.reason.as_deref(),
        Some("provisioning refused licensesCreated: webhook answered 422")
    );
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none()
    );
}

async fn a_webhook_that_does_not_answer_in_time_is_a_fault_that_stores_nothing(db: TestDb) {
    let hook = Hook::start(StatusCode::OK, Duration::from_secs(5)).await;
    let webhook = Webhook::new(&hook.url, Duration::from_millis(300)).expect("webhook");
    let cases = db.cases_with(Arc::new(webhook), Catalogue::open()).await;
    let store = cases.store();
    let error = cases
        .place_order(&uc2("ORD-1", 1), SYNC, no_events)
        .await
        .expect_err("a fault, not a refusal");
    assert!(
        matches!(error, UseCaseError::ProvisioningFault(_)),
        "{error:?}"
    );
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none(),
        "nothing stored, not even as a first answer"
    );
    hook.answer_with(StatusCode::OK, Duration::ZERO);
    let placed = cases
        .place_order(&uc2("ORD-1", 1), SYNC, no_events)
        .await
        .expect("placed");
    assert!(!placed.replayed, "the resend is worked, not replayed");
    assert_eq!(placed.outcome.state, OrderState::Completed);
    let keys: Vec<_> = hook
        .received()
        .into_iter()
        .map(|r| r.idempotency_key.expect("a key"))
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the same idempotency key on the retry");
}

async fn an_unreachable_webhook_or_a_5xx_is_a_fault_that_stores_nothing(db: TestDb) {
    // A port nobody listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let webhook = Webhook::new(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(2))
        .expect("webhook");
    let cases = db.cases_with(Arc::new(webhook), Catalogue::open()).await;
    let error = cases
        .place_order(&uc2("ORD-1", 1), SYNC, no_events)
        .await
        .expect_err("a fault, not a refusal");
    assert!(
        matches!(error, UseCaseError::ProvisioningFault(_)),
        "{error:?}"
    );
    let hook = Hook::start(StatusCode::BAD_GATEWAY, Duration::ZERO).await;
    let webhook = Webhook::new(&hook.url, Duration::from_secs(2)).expect("webhook");
    let cases = db.cases_with(Arc::new(webhook), Catalogue::open()).await;
    let store = cases.store();
    let error = cases
        .place_order(&uc2("ORD-2", 1), SYNC, no_events)
        .await
        .expect_err("a 5xx is a fault");
    assert!(
        matches!(error, UseCaseError::ProvisioningFault(_)),
        "{error:?}"
    );
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none()
    );
}

crate::on_both_backends!(
    a_provisioning_refusal_fails_the_order_and_stores_nothing,
    a_provisioning_refusal_fails_the_update_and_changes_nothing,
    the_webhook_provisioner_posts_each_action_and_accepts_2xx,
    a_webhook_answering_non_2xx_fails_the_order_with_the_status,
    a_webhook_that_does_not_answer_in_time_is_a_fault_that_stores_nothing,
    an_unreachable_webhook_or_a_5xx_is_a_fault_that_stores_nothing,
);
