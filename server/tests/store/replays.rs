//! Idempotent orders: a resend (by Orange's order id, or by content for an order without one) is
//! answered with the first answer and creates nothing, a different content under the same id is a
//! conflict, and concurrent resends create the order once.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use obakit_server::domain::{Catalogue, FleetId, OrderState};
use obakit_server::store::no_events;
use obakit_server::usecase::UseCaseError;

use crate::support::builders::*;
use crate::support::{Scripted, TestDb};
use crate::{SYNC, completed, fleet, order_event};

async fn a_replayed_order_answers_the_first_answer_and_creates_nothing(db: TestDb) {
    let scripted = Arc::new(Scripted::default());
    let cases = db.cases_with(scripted.clone(), Catalogue::open()).await;
    let store = cases.store();
    let order = uc2("ORD-1", 2);
    let first = cases
        .place_order(&order, SYNC, order_event)
        .await
        .expect("placed");
    let again = cases
        .place_order(&order, SYNC, order_event)
        .await
        .expect("replayed");
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.outcome, again.outcome);
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&first.outcome))
            .await
            .expect("read")
            .len(),
        2
    );
    assert_eq!(
        scripted.names(),
        vec!["licensesCreated"],
        "provisioned once"
    );
    let events = store
        .claim_due(Utc::now(), 10, Duration::from_secs(60))
        .await
        .expect("claim");
    assert_eq!(events.len(), 1, "one event, from the first placement only");
}

async fn the_same_order_id_with_a_different_content_is_a_conflict(db: TestDb) {
    let cases = db.cases().await;
    completed(&cases, &uc2("ORD-1", 2)).await;
    let different = uc2("ORD-1", 5);
    let error = cases
        .place_order(&different, SYNC, no_events)
        .await
        .expect_err("conflict");
    assert!(
        matches!(error, UseCaseError::OrderConflict { ref external_id } if external_id == "ORD-1"),
        "{error:?}"
    );
}

async fn a_replayed_failed_order_answers_the_same_failure(db: TestDb) {
    let cases = db.cases().await;
    let order = uc3("ORD-1", &FleetId::from("unknown"), 1);
    let first = cases
        .place_order(&order, SYNC, no_events)
        .await
        .expect("answered");
    let again = cases
        .place_order(&order, SYNC, no_events)
        .await
        .expect("answered");
    assert_eq!(first.outcome.state, OrderState::Failed);
    assert!(again.replayed);
    assert_eq!(first.outcome, again.outcome);
}

async fn concurrent_replays_of_one_order_create_it_once(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let order = uc2("ORD-1", 3);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (cases, order) = (cases.clone(), order.clone());
            tokio::spawn(async move { cases.place_order(&order, SYNC, no_events).await })
        })
        .collect();
    let mut fresh = 0;
    let mut answers = Vec::new();
    for task in tasks {
        let placed = task.await.expect("task").expect("placed or replayed");
        fresh += usize::from(!placed.replayed);
        answers.push(placed.outcome);
    }
    assert_eq!(fresh, 1);
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&answers[0]))
            .await
            .expect("read")
            .len(),
        3
    );
}

/// UC2 without Orange's order id (the getting-started page never names one on productOrder).
fn unreferenced_uc2(quantity: u32) -> obakit_server::domain::PlaceOrder {
    obakit_server::domain::PlaceOrder {
        external_id: None,
        ..uc2("content", quantity)
    }
}

async fn an_order_without_orange_s_id_resent_with_the_same_content_creates_nothing_twice(
    db: TestDb,
) {
    let cases = db.cases().await;
    let store = cases.store();
    let first = cases
        .place_order(&unreferenced_uc2(2), SYNC, no_events)
        .await
        .expect("placed");
    assert!(!first.replayed);
    let resent = cases
        .place_order(&unreferenced_uc2(2), SYNC, no_events)
        .await
        .expect("answered");
    assert!(resent.replayed, "the same content is a resend");
    assert_eq!(resent.outcome, first.outcome, "the first answer again");
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&first.outcome))
            .await
            .expect("read")
            .len(),
        2
    );
    let other = cases
        .place_order(&unreferenced_uc2(3), SYNC, no_events)
        .await
        .expect("placed");
    assert!(!other.replayed, "other content is another order");
    assert_ne!(other.outcome.order_id, first.outcome.order_id);
}

async fn concurrent_resends_of_an_order_without_orange_s_id_create_it_once(db: TestDb) {
    let cases = db.cases().await;
    let order = unreferenced_uc2(3);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (cases, order) = (cases.clone(), order.clone());
            tokio::spawn(async move { cases.place_order(&order, SYNC, no_events).await })
        })
        .collect();
    let mut fresh = 0;
    let mut answers = Vec::new();
    for task in tasks {
        let placed = task.await.expect("task").expect("placed or replayed");
        fresh += usize::from(!placed.replayed);
        answers.push(placed.outcome);
    }
    assert_eq!(fresh, 1);
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
}

crate::on_both_backends!(
    a_replayed_order_answers_the_first_answer_and_creates_nothing,
    the_same_order_id_with_a_different_content_is_a_conflict,
    a_replayed_failed_order_answers_the_same_failure,
    concurrent_replays_of_one_order_create_it_once,
    an_order_without_orange_s_id_resent_with_the_same_content_creates_nothing_twice,
    concurrent_resends_of_an_order_without_orange_s_id_create_it_once,
);
