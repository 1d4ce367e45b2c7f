//! Asynchronous mode: orders and updates acknowledged now and worked later, their licenses hidden
//! until then, and updates that cannot succeed failed at once or in their event.

use std::time::Duration;

use chrono::Utc;
use obakit_server::domain::{LicenseId, LicenseState, OrderState, UpdateState};
use obakit_server::store::no_events;

use crate::support::TestDb;
use crate::support::builders::*;
use crate::{ASYNC, completed, fleet, ids, order_event};

async fn an_async_order_is_acknowledged_and_its_licenses_stay_hidden_until_completed(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let order = uc2("ORD-1", 2);
    let placed = cases
        .place_order(&order, ASYNC, no_events)
        .await
        .expect("acknowledged");
    assert_eq!(placed.outcome.state, OrderState::Acknowledged);
    assert_eq!(
        store.pending_orders().await.expect("read"),
        vec![placed.outcome.order_id.clone()]
    );
    let completed = cases
        .complete_order(&placed.outcome.order_id, |_, outcome| order_event(outcome))
        .await
        .expect("completed");
    assert_eq!(completed.state, OrderState::Completed);
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&completed))
            .await
            .expect("read")
            .len(),
        2
    );
    assert!(store.pending_orders().await.expect("read").is_empty());
    // Completing again answers as it is and enqueues nothing more.
    let again = cases
        .complete_order(&placed.outcome.order_id, |_, outcome| order_event(outcome))
        .await
        .expect("answered");
    assert_eq!(again, completed);
    assert_eq!(
        store
            .claim_due(Utc::now(), 10, Duration::from_secs(60))
            .await
            .expect("claim")
            .len(),
        1
    );
    // A replay answers the first answer: acknowledged.
    let replay = cases
        .place_order(&order, ASYNC, no_events)
        .await
        .expect("replayed");
    assert!(replay.replayed);
    assert_eq!(replay.outcome.state, OrderState::Acknowledged);
    assert_eq!(
        store.order(&placed.outcome.order_id).await.expect("read"),
        Some(completed)
    );
}

async fn an_async_update_is_acknowledged_then_processed(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let license = ids(&completed(&cases, &uc2("ORD-1", 1)).await).remove(0);
    let request = update(vec![set_state(&license, "suspended")]);
    let acknowledged = cases
        .acknowledge_update(&request)
        .await
        .expect("acknowledged");
    assert_eq!(acknowledged.state, UpdateState::Acknowledged);
    assert_eq!(
        store
            .license(&license)
            .await
            .expect("read")
            .expect("visible")
            .state,
        LicenseState::Active
    );
    assert_eq!(
        store.pending_updates().await.expect("read"),
        vec![acknowledged.update_id.clone()]
    );
    let processed = cases
        .process_update(&acknowledged.update_id, no_events)
        .await
        .expect("processed");
    assert_eq!(processed.state, UpdateState::Completed);
    assert_eq!(
        store
            .license(&license)
            .await
            .expect("read")
            .expect("visible")
            .state,
        LicenseState::Inactive
    );
    assert!(store.pending_updates().await.expect("read").is_empty());
}

async fn an_async_update_naming_a_license_never_known_is_failed_at_once(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let license = ids(&completed(&cases, &uc2("ORD-1", 1)).await).remove(0);
    let request = update(vec![
        set_state(&license, "suspended"),
        set_state(&LicenseId::from("no-such-license"), "suspended"),
    ]);
    let answered = cases.acknowledge_update(&request).await.expect("answered");
    assert_eq!(answered.state, UpdateState::Failed);
    assert!(
        answered
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("no-such-license"),
        "{answered:?}"
    );
    assert!(
        store.pending_updates().await.expect("read").is_empty(),
        "nothing left to do later, so no event to send"
    );
}

async fn an_async_reactivation_of_a_deleted_license_is_acknowledged_and_fails_showing_it(
    db: TestDb,
) {
    let cases = db.cases().await;
    let license = ids(&completed(&cases, &uc2("ORD-1", 1)).await).remove(0);
    cases
        .apply_update(&update(vec![set_state(&license, "deleted")]), no_events)
        .await
        .expect("deleted");
    let request = update(vec![set_state(&license, "active")]);
    let acknowledged = cases.acknowledge_update(&request).await.expect("answered");
    assert_eq!(acknowledged.state, UpdateState::Acknowledged);
    let processed = cases
        .process_update(&acknowledged.update_id, no_events)
        .await
        .expect("processed");
    assert_eq!(processed.state, UpdateState::Failed);
    assert_eq!(
        processed
            .licenses
            .iter()
            .map(|l| l.id.clone())
            .collect::<Vec<_>>(),
        vec![license],
        "the failure carries the license Orange named, for its event"
    );
}

crate::on_both_backends!(
    an_async_order_is_acknowledged_and_its_licenses_stay_hidden_until_completed,
    an_async_update_is_acknowledged_then_processed,
    an_async_update_naming_a_license_never_known_is_failed_at_once,
    an_async_reactivation_of_a_deleted_license_is_acknowledged_and_fails_showing_it,
);
