//! The outbox: events written in the transaction of their change (and rolled back with it),
//! claimed with a lease, held back behind an earlier event of their key, rescheduled, parked as
//! dead and replayed.

use std::time::Duration;

use chrono::Utc;
use obakit_server::domain::OrderOutcome;
use obakit_server::store::{NewEvent, OutboxState, StoreError};
use obakit_server::usecase::UseCaseError;
use serde_json::json;

use crate::support::TestDb;
use crate::support::builders::*;
use crate::{SYNC, order_event};

async fn an_event_marked_invalid_rolls_back_the_change_that_caused_it(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let invalid = |_: &OrderOutcome| {
        vec![NewEvent::new("k", "a", json!({})).invalid_because("userService: minItems 1")]
    };
    let error = cases
        .place_order(&uc2("ORD-1", 2), SYNC, invalid)
        .await
        .expect_err("the event does not match the spec");
    assert!(
        matches!(error, UseCaseError::Store(StoreError::InvalidEvent { .. })),
        "{error:?}"
    );
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none(),
        "nothing of the order stored"
    );
    assert!(store.pending_events(10).await.expect("read").is_empty());
}

async fn the_outbox_is_written_in_the_same_transaction_as_the_change(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    store
        .enqueue(&[NewEvent::with_id("fixed-id", "k", "a", json!({}))])
        .await
        .expect("enqueued");
    // An event that cannot be stored (its id is taken) must take the order down with it.
    let clashing = |_: &OrderOutcome| vec![NewEvent::with_id("fixed-id", "k", "b", json!({}))];
    let error = cases
        .place_order(&uc2("ORD-1", 2), SYNC, clashing)
        .await
        .expect_err("the event clashes");
    assert!(
        matches!(error, UseCaseError::Store(StoreError::Conflict(_))),
        "{error:?}"
    );
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none(),
        "nothing of the order stored"
    );
    let retried = cases
        .place_order(&uc2("ORD-1", 2), SYNC, order_event)
        .await
        .expect("placed");
    assert!(!retried.replayed, "the failed attempt left no order behind");
}

async fn the_outbox_event_is_claimable_once_and_then_delivered(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let placed = cases
        .place_order(&uc2("ORD-1", 1), SYNC, order_event)
        .await
        .expect("placed");
    let now = Utc::now();
    let claimed = store
        .claim_due(now, 10, Duration::from_secs(60))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    let payload: serde_json::Value = serde_json::from_str(&claimed[0].payload).expect("JSON");
    assert_eq!(payload["orderId"], json!(placed.outcome.order_id));
    assert!(
        store
            .claim_due(now, 10, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty(),
        "leased"
    );
    assert!(
        store
            .mark_delivered(&claimed[0].id)
            .await
            .expect("delivered")
    );
    let later = now + chrono::Duration::minutes(5);
    assert!(
        store
            .claim_due(later, 10, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty(),
        "delivered"
    );
    let stored = store
        .outbox_event(&claimed[0].id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(stored.state, OutboxState::Delivered);
}

async fn a_retried_event_holds_back_later_events_of_its_key_only(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let first = NewEvent::new("k", "license-1", json!({"n": 1}));
    let second = NewEvent::new("k", "license-1", json!({"n": 2}));
    let other = NewEvent::new("k", "license-2", json!({"n": 3}));
    store
        .enqueue(&[first.clone(), second.clone(), other.clone()])
        .await
        .expect("enqueued");
    let now = Utc::now();
    let lease = Duration::from_secs(60);
    let ids = |events: Vec<obakit_server::store::OutboxEvent>| -> Vec<String> {
        events.into_iter().map(|e| e.id).collect()
    };
    let claimed = ids(store.claim_due(now, 10, lease).await.expect("claim"));
    assert_eq!(
        claimed,
        [first.id.clone(), other.id.clone()],
        "one event per key"
    );
    store
        .reschedule(&first.id, now + chrono::Duration::minutes(5), "503")
        .await
        .expect("rescheduled");
    assert!(store.mark_delivered(&other.id).await.expect("delivered"));
    let later = now + chrono::Duration::minutes(1);
    assert!(
        store
            .claim_due(later, 10, lease)
            .await
            .expect("claim")
            .is_empty(),
        "the second event of license-1 waits for the first"
    );
    let after_retry = now + chrono::Duration::minutes(6);
    assert_eq!(
        ids(store
            .claim_due(after_retry, 10, lease)
            .await
            .expect("claim")),
        std::slice::from_ref(&first.id)
    );
    assert!(store.mark_delivered(&first.id).await.expect("delivered"));
    assert_eq!(
        ids(store
            .claim_due(after_retry, 10, lease)
            .await
            .expect("claim")),
        std::slice::from_ref(&second.id),
        "then the second, in the order they were stored"
    );
}

async fn an_expired_claim_is_handed_out_again(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    store
        .enqueue(&[NewEvent::new("k", "a", json!({"n": 1}))])
        .await
        .expect("enqueued");
    let now = Utc::now();
    assert_eq!(
        store
            .claim_due(now, 10, Duration::from_secs(30))
            .await
            .expect("claim")
            .len(),
        1
    );
    let after_lease = now + chrono::Duration::seconds(31);
    assert_eq!(
        store
            .claim_due(after_lease, 10, Duration::from_secs(30))
            .await
            .expect("claim")
            .len(),
        1
    );
}

async fn failed_deliveries_are_rescheduled_parked_as_dead_and_replayed(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    store
        .enqueue(&[NewEvent::new("k", "a", json!({"n": 1}))])
        .await
        .expect("enqueued");
    let now = Utc::now();
    let event = store
        .claim_due(now, 10, Duration::from_secs(60))
        .await
        .expect("claim")
        .remove(0);
    let retry_at = now + chrono::Duration::seconds(10);
    assert!(
        store
            .reschedule(&event.id, retry_at, "503 from the gateway")
            .await
            .expect("rescheduled")
    );
    assert!(
        store
            .claim_due(now, 10, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty(),
        "not due yet"
    );
    let again = store
        .claim_due(retry_at, 10, Duration::from_secs(60))
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(
        (again.attempts, again.last_error.as_deref()),
        (1, Some("503 from the gateway"))
    );
    assert!(
        store
            .park_dead(&again.id, "410 gone")
            .await
            .expect("parked")
    );
    let dead = store.dead_events(10).await.expect("read");
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].state, dead[0].attempts), (OutboxState::Dead, 2));
    assert!(
        store
            .claim_due(retry_at, 10, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty()
    );
    assert!(store.replay_dead(&again.id).await.expect("replayed"));
    let replayed = store
        .claim_due(
            Utc::now() + chrono::Duration::seconds(1),
            10,
            Duration::from_secs(60),
        )
        .await
        .expect("claim");
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0].attempts, 0);
    assert!(store.dead_events(10).await.expect("read").is_empty());
}

crate::on_both_backends!(
    an_event_marked_invalid_rolls_back_the_change_that_caused_it,
    the_outbox_is_written_in_the_same_transaction_as_the_change,
    the_outbox_event_is_claimable_once_and_then_delivered,
    a_retried_event_holds_back_later_events_of_its_key_only,
    an_expired_claim_is_handed_out_again,
    failed_deliveries_are_rescheduled_parked_as_dead_and_replayed,
);
