//! The store against real databases: every use case and refusal, idempotency, all-or-nothing
//! updates, visibility rules, the outbox, provisioning (scripted and over HTTP) and concurrent
//! writers. Each test runs on SQLite (`…::sqlite`) and PostgreSQL (`…::postgres`).

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use obakit_server::domain::{
    AppliedChange, Catalogue, ChangeKind, Characteristic, DomainError, EndUser, ExternalState,
    FleetId, LicenseId, LicenseState, Login, LoginKey, OperationAction, OrderOutcome, OrderState,
    PartnerChange, RealizingResource, UpdateState,
};
use obakit_server::provisioning::Webhook;
use obakit_server::store::{NewEvent, OutboxState, Processing, Store, StoreError, no_events};
use poem::http::StatusCode;
use serde_json::json;
use support::builders::*;
use support::hook::Hook;
use support::{Scripted, TestDb};

const SYNC: Processing = Processing::Synchronous;
const ASYNC: Processing = Processing::Asynchronous;

/// Places an order that must complete; returns its outcome.
async fn completed(store: &Store, order: &obakit_server::domain::PlaceOrder) -> OrderOutcome {
    let placed = store
        .place_order(order, SYNC, no_events)
        .await
        .expect("order placed");
    assert_eq!(
        placed.outcome.state,
        OrderState::Completed,
        "{:?}",
        placed.outcome.reason
    );
    placed.outcome
}

fn ids(outcome: &OrderOutcome) -> Vec<LicenseId> {
    outcome.licenses.iter().map(|l| l.id.clone()).collect()
}

fn fleet(outcome: &OrderOutcome) -> FleetId {
    outcome.fleet_id.clone().expect("the order has a fleet")
}

/// An event for the order, as the HTTP layer would build it.
fn order_event(outcome: &OrderOutcome) -> Vec<NewEvent> {
    vec![NewEvent::new(
        "productOrder.stateChange",
        outcome.order_id.as_str(),
        json!({"orderId": outcome.order_id, "state": outcome.state}),
    )]
}

async fn uc1_creates_the_customer_and_contacts_and_answers_their_ids(db: TestDb) {
    let store = db.store().await;
    let order = uc1(
        "ORD-1",
        "CUST-1",
        vec![contact(Some("K1"), "Ana"), contact(None, "Bob")],
    );
    let outcome = completed(&store, &order).await;
    let customer_id = outcome.customer_id.clone().expect("a customer id");
    assert_eq!(outcome.contact_ids.len(), 2);
    assert!(outcome.licenses.is_empty() && outcome.fleet_id.is_none());
    let customer = store
        .customer(&customer_id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(customer.data.external_id, "CUST-1");
    let contacts = store.contacts(&customer_id).await.expect("read");
    assert_eq!(contacts.len(), 2);
}

async fn uc1_tells_the_partner_s_platform_the_customer_and_its_contacts(db: TestDb) {
    let scripted = Arc::new(Scripted::default());
    let store = db.store_with(scripted.clone(), Catalogue::open()).await;
    let order = uc1("ORD-1", "CUST-1", vec![contact(Some("K1"), "Ana")]);
    let outcome = completed(&store, &order).await;
    assert_eq!(scripted.names(), ["customerUpdated"]);
    let action = serde_json::to_value(&scripted.actions.lock().expect("lock")[0]).expect("JSON");
    assert_eq!(action["customer"]["externalId"], "CUST-1");
    assert_eq!(
        action["customer"]["id"],
        outcome.customer_id.expect("an id").as_str()
    );
    assert_eq!(action["contacts"][0]["givenName"], "Ana");
    assert_eq!(action["contacts"][0]["id"], outcome.contact_ids[0].as_str());
}

async fn a_refused_uc1_provisioning_fails_the_order_and_stores_nothing(db: TestDb) {
    let store = db
        .store_with(Arc::new(Scripted::refusing()), Catalogue::open())
        .await;
    let outcome = store
        .place_order(&uc1("ORD-1", "CUST-1", Vec::new()), SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none()
    );
}

async fn uc3_naming_another_customer_s_fleet_fails_with_the_reason(db: TestDb) {
    let store = db.store().await;
    let fleet = fleet(&completed(&store, &uc2("ORD-1", 1)).await);
    let mut intruder = uc3("ORD-2", &fleet, 1);
    intruder.customer = Some(customer("CUST-OTHER"));
    let outcome = store
        .place_order(&intruder, SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    let reason = outcome.reason.clone().unwrap_or_default();
    assert!(
        reason.contains(fleet.as_str()) && reason.contains("another customer"),
        "{reason}"
    );
    assert_eq!(
        store.licenses_by_fleet(&fleet).await.expect("read").len(),
        1
    );
    let mut owner = uc3("ORD-3", &fleet, 1);
    owner.customer = Some(customer("CUST-1"));
    assert_eq!(completed(&store, &owner).await.state, OrderState::Completed);
}

async fn licenses_keep_the_characteristics_they_were_ordered_with(db: TestDb) {
    let store = db.store().await;
    let mut order = uc2("ORD-1", 2);
    if let Some(item) = order.item.as_mut() {
        item.fleet_characteristics = vec![Characteristic::new("domain", "durand.example")];
    }
    let outcome = completed(&store, &order).await;
    let fleet = fleet(&outcome);
    let added = completed(&store, &uc3("ORD-2", &fleet, 1)).await;
    for license in store.licenses_by_fleet(&fleet).await.expect("read") {
        assert_eq!(
            license.characteristics,
            [Characteristic::new("domain", "durand.example")],
            "{} (added later: {})",
            license.id,
            added.licenses.iter().any(|l| l.id == license.id)
        );
    }
}

async fn uc1_again_for_the_same_customer_updates_and_never_duplicates(db: TestDb) {
    let store = db.store().await;
    let first = completed(
        &store,
        &uc1(
            "ORD-1",
            "CUST-1",
            vec![contact(Some("K1"), "Ana"), contact(None, "Bob")],
        ),
    )
    .await;
    let mut renamed = contact(Some("K1"), "Anna");
    renamed.email = Some("anna@example.com".into());
    let mut again = uc1("ORD-2", "CUST-1", vec![renamed, contact(None, "Bob")]);
    if let Some(customer) = again.customer.as_mut() {
        customer.trading_name = Some("Renamed".into());
    }
    let second = completed(&store, &again).await;
    assert_eq!(first.customer_id, second.customer_id);
    assert_eq!(first.contact_ids, second.contact_ids);
    let customer = store
        .customer_by_external_id("CUST-1")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(customer.data.trading_name.as_deref(), Some("Renamed"));
    let contacts = store.contacts(&customer.id).await.expect("read");
    assert_eq!(contacts.len(), 2);
    assert!(
        contacts
            .iter()
            .any(|c| c.data.given_name.as_deref() == Some("Anna"))
    );
}

async fn uc1_with_contacts_but_no_customer_fails_with_a_reason(db: TestDb) {
    let store = db.store().await;
    let mut order = uc1("ORD-1", "CUST-1", vec![contact(None, "Ana")]);
    order.customer = None;
    let outcome = store
        .place_order(&order, SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    assert_eq!(
        outcome.reason.as_deref(),
        Some("relatedContact needs a customer to belong to")
    );
}

async fn uc2_creates_a_fleet_of_active_licenses_with_end_users_in_order(db: TestDb) {
    let store = db.store().await;
    let outcome = completed(&store, &uc2_configured("ORD-1", 3, &["Ana", "Bob"])).await;
    assert_eq!(outcome.licenses.len(), 3);
    assert!(
        outcome
            .licenses
            .iter()
            .all(|l| l.state == LicenseState::Active)
    );
    let listed = store
        .licenses_by_fleet(&fleet(&outcome))
        .await
        .expect("read");
    assert_eq!(
        listed.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        ids(&outcome)
    );
    let names: Vec<_> = listed
        .iter()
        .map(|l| l.end_user.as_ref().and_then(|u| u.given_name.clone()))
        .collect();
    assert_eq!(names, vec![Some("Ana".into()), Some("Bob".into()), None]);
    assert!(
        listed[0]
            .end_user
            .as_ref()
            .and_then(|u| u.id.as_ref())
            .is_some()
    );
    let stored_fleet = store
        .fleet(&fleet(&outcome))
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored_fleet.customer_id, outcome.customer_id);
}

async fn uc2_creates_the_customer_when_uc1_never_came(db: TestDb) {
    let store = db.store().await;
    let outcome = completed(&store, &uc2("ORD-1", 1)).await;
    let customer = store
        .customer_by_external_id("CUST-1")
        .await
        .expect("read")
        .expect("created");
    assert_eq!(Some(customer.id), outcome.customer_id);
}

async fn uc3_adds_licenses_to_the_known_fleet(db: TestDb) {
    let store = db.store().await;
    let first = completed(&store, &uc2("ORD-1", 2)).await;
    let added = completed(&store, &uc3("ORD-2", &fleet(&first), 3)).await;
    assert_eq!(added.fleet_id, first.fleet_id);
    assert_eq!(added.licenses.len(), 3);
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&first))
            .await
            .expect("read")
            .len(),
        5
    );
}

async fn uc3_with_an_unknown_fleet_fails_with_a_reason_and_creates_nothing(db: TestDb) {
    let store = db.store().await;
    let unknown = FleetId::from("no-such-fleet");
    let outcome = store
        .place_order(&uc3("ORD-1", &unknown, 2), SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    assert_eq!(
        outcome.reason.as_deref(),
        Some("unknown productRefId no-such-fleet")
    );
    assert!(outcome.licenses.is_empty() && outcome.customer_id.is_none());
    assert!(
        store
            .licenses_by_fleet(&unknown)
            .await
            .expect("read")
            .is_empty()
    );
    // The customer the order named was rolled back with the rest of the work.
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none()
    );
}

async fn an_order_outside_the_catalogue_fails_and_one_inside_completes(db: TestDb) {
    let store = db
        .store()
        .await
        .with_catalogue(Catalogue::new([(OFFER, "basic plan")]));
    let refused = store
        .place_order(&with_offer(uc2("ORD-1", 1), "OBA-GOLD"), SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(refused.state, OrderState::Failed);
    assert_eq!(
        refused.reason.as_deref(),
        Some("offer \"OBA-GOLD\" is not in the partner's catalogue")
    );
    completed(&store, &uc2("ORD-2", 1)).await;
}

async fn a_replayed_order_answers_the_first_answer_and_creates_nothing(db: TestDb) {
    let scripted = Arc::new(Scripted::default());
    let store = db.store_with(scripted.clone(), Catalogue::open()).await;
    let order = uc2("ORD-1", 2);
    let first = store
        .place_order(&order, SYNC, order_event)
        .await
        .expect("placed");
    let again = store
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
    let store = db.store().await;
    completed(&store, &uc2("ORD-1", 2)).await;
    let different = uc2("ORD-1", 5);
    let error = store
        .place_order(&different, SYNC, no_events)
        .await
        .expect_err("conflict");
    assert!(
        matches!(error, StoreError::OrderConflict { ref external_id } if external_id == "ORD-1"),
        "{error:?}"
    );
}

async fn a_replayed_failed_order_answers_the_same_failure(db: TestDb) {
    let store = db.store().await;
    let order = uc3("ORD-1", &FleetId::from("unknown"), 1);
    let first = store
        .place_order(&order, SYNC, no_events)
        .await
        .expect("answered");
    let again = store
        .place_order(&order, SYNC, no_events)
        .await
        .expect("answered");
    assert_eq!(first.outcome.state, OrderState::Failed);
    assert!(again.replayed);
    assert_eq!(first.outcome, again.outcome);
}

async fn concurrent_replays_of_one_order_create_it_once(db: TestDb) {
    let store = db.store().await;
    let order = uc2("ORD-1", 3);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (store, order) = (store.clone(), order.clone());
            tokio::spawn(async move { store.place_order(&order, SYNC, no_events).await })
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
    let store = db.store().await;
    let first = store
        .place_order(&unreferenced_uc2(2), SYNC, no_events)
        .await
        .expect("placed");
    assert!(!first.replayed);
    let resent = store
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
    let other = store
        .place_order(&unreferenced_uc2(3), SYNC, no_events)
        .await
        .expect("placed");
    assert!(!other.replayed, "other content is another order");
    assert_ne!(other.outcome.order_id, first.outcome.order_id);
}

async fn concurrent_resends_of_an_order_without_orange_s_id_create_it_once(db: TestDb) {
    let store = db.store().await;
    let order = unreferenced_uc2(3);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (store, order) = (store.clone(), order.clone());
            tokio::spawn(async move { store.place_order(&order, SYNC, no_events).await })
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

async fn updates_suspend_reactivate_and_delete_and_deleted_licenses_disappear(db: TestDb) {
    let store = db.store().await;
    let outcome = completed(&store, &uc2("ORD-1", 3)).await;
    let [a, b, c] = <[LicenseId; 3]>::try_from(ids(&outcome)).expect("three licenses");
    let applied = store
        .apply_update(
            &update(vec![
                set_state(&a, "suspended"),
                set_state(&b, "inactive"),
                set_state(&c, "deleted"),
            ]),
            no_events,
        )
        .await
        .expect("applied");
    assert_eq!(applied.state, UpdateState::Completed);
    assert_eq!(applied.licenses.len(), 3);
    assert_eq!(applied.changes.len(), 3);
    let now_a = store.license(&a).await.expect("read").expect("visible");
    assert_eq!(
        (now_a.state, now_a.external_state),
        (LicenseState::Inactive, Some(ExternalState::Suspended))
    );
    assert!(
        store.license(&c).await.expect("read").is_none(),
        "terminated: not found"
    );
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&outcome))
            .await
            .expect("read")
            .len(),
        2
    );
    assert_eq!(
        store
            .licenses_by_ids(&[a.clone(), c.clone()])
            .await
            .expect("read")
            .len(),
        1
    );

    let reactivated = store
        .apply_update(&update(vec![set_state(&a, "active")]), no_events)
        .await
        .expect("applied");
    assert_eq!(reactivated.licenses[0].state, LicenseState::Active);
}

async fn an_update_with_one_unknown_id_changes_nothing(db: TestDb) {
    let store = db.store().await;
    let outcome = completed(&store, &uc2("ORD-1", 1)).await;
    let known = ids(&outcome).remove(0);
    let unknown = LicenseId::from("no-such-license");
    let refused = store
        .apply_update(
            &update(vec![
                set_state(&known, "suspended"),
                set_state(&unknown, "suspended"),
            ]),
            no_events,
        )
        .await
        .expect("answered");
    assert_eq!(refused.state, UpdateState::Failed);
    assert_eq!(
        refused.reason.as_deref(),
        Some("unknown license id no-such-license")
    );
    let unchanged = store.license(&known).await.expect("read").expect("visible");
    assert_eq!(unchanged.state, LicenseState::Active);
    assert_eq!(unchanged.external_state, None);
}

async fn reactivating_a_terminated_license_fails_the_whole_update(db: TestDb) {
    let store = db.store().await;
    let outcome = completed(&store, &uc2("ORD-1", 2)).await;
    let [a, b] = <[LicenseId; 2]>::try_from(ids(&outcome)).expect("two licenses");
    store
        .apply_update(&update(vec![set_state(&a, "deleted")]), no_events)
        .await
        .expect("applied");
    let refused = store
        .apply_update(
            &update(vec![set_state(&b, "suspended"), set_state(&a, "active")]),
            no_events,
        )
        .await
        .expect("answered");
    assert_eq!(refused.state, UpdateState::Failed);
    assert_eq!(
        refused.reason.as_deref(),
        Some(format!("license {a} is terminated: externalState active is impossible").as_str())
    );
    assert_eq!(
        store
            .license(&b)
            .await
            .expect("read")
            .expect("visible")
            .state,
        LicenseState::Active
    );
    let again = store
        .apply_update(&update(vec![set_state(&a, "deleted")]), no_events)
        .await
        .expect("applied");
    assert_eq!(
        again.state,
        UpdateState::Completed,
        "deleting again is accepted (Orange retries)"
    );
}

async fn an_unknown_external_state_fails_the_update_naming_the_license(db: TestDb) {
    let store = db.store().await;
    let outcome = completed(&store, &uc2("ORD-1", 1)).await;
    let license = ids(&outcome).remove(0);
    let refused = store
        .apply_update(&update(vec![set_state(&license, "hibernating")]), no_events)
        .await
        .expect("answered");
    assert_eq!(refused.state, UpdateState::Failed);
    assert_eq!(
        refused.reason.as_deref(),
        Some(format!("license {license}: unknown externalState \"hibernating\"").as_str())
    );
}

async fn a_swap_changes_the_offer_and_an_unknown_offer_fails(db: TestDb) {
    let store = db
        .store()
        .await
        .with_catalogue(Catalogue::new([(OFFER, "basic"), ("OBA-GOLD", "gold")]));
    let outcome = completed(&store, &uc2("ORD-1", 1)).await;
    let license = ids(&outcome).remove(0);
    let swapped = store
        .apply_update(&update(vec![swap(&license, "OBA-GOLD")]), no_events)
        .await
        .expect("applied");
    assert_eq!(swapped.state, UpdateState::Completed);
    assert!(matches!(
        swapped.changes[0].kind,
        ChangeKind::OfferSwapped { .. }
    ));
    assert_eq!(
        store
            .license(&license)
            .await
            .expect("read")
            .expect("visible")
            .offer
            .code,
        "OBA-GOLD"
    );
    let refused = store
        .apply_update(&update(vec![swap(&license, "OBA-PLATINUM")]), no_events)
        .await
        .expect("answered");
    assert_eq!(refused.state, UpdateState::Failed);
    assert_eq!(
        store
            .license(&license)
            .await
            .expect("read")
            .expect("visible")
            .offer
            .code,
        "OBA-GOLD"
    );
}

async fn licenses_by_ids_keep_the_order_asked_and_leave_out_unknown_ones(db: TestDb) {
    let store = db.store().await;
    let outcome = completed(&store, &uc2("ORD-1", 3)).await;
    let [a, b, c] = <[LicenseId; 3]>::try_from(ids(&outcome)).expect("three licenses");
    let asked = [c.clone(), LicenseId::from("unknown"), a.clone(), c.clone()];
    let found: Vec<_> = store
        .licenses_by_ids(&asked)
        .await
        .expect("read")
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(found, vec![c, a]);
    assert!(store.license(&b).await.expect("read").is_some());
}

async fn an_async_order_is_acknowledged_and_its_licenses_stay_hidden_until_completed(db: TestDb) {
    let store = db.store().await;
    let order = uc2("ORD-1", 2);
    let placed = store
        .place_order(&order, ASYNC, no_events)
        .await
        .expect("acknowledged");
    assert_eq!(placed.outcome.state, OrderState::Acknowledged);
    assert_eq!(
        store.pending_orders().await.expect("read"),
        vec![placed.outcome.order_id.clone()]
    );
    let completed = store
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
    let again = store
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
    let replay = store
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

async fn an_event_marked_invalid_rolls_back_the_change_that_caused_it(db: TestDb) {
    let store = db.store().await;
    let invalid = |_: &OrderOutcome| {
        vec![NewEvent::new("k", "a", json!({})).invalid_because("userService: minItems 1")]
    };
    let error = store
        .place_order(&uc2("ORD-1", 2), SYNC, invalid)
        .await
        .expect_err("the event does not match the spec");
    assert!(
        matches!(error, StoreError::InvalidEvent { .. }),
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

async fn an_async_update_naming_a_license_never_known_is_failed_at_once(db: TestDb) {
    let store = db.store().await;
    let license = ids(&completed(&store, &uc2("ORD-1", 1)).await).remove(0);
    let request = update(vec![
        set_state(&license, "suspended"),
        set_state(&LicenseId::from("no-such-license"), "suspended"),
    ]);
    let answered = store.acknowledge_update(&request).await.expect("answered");
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
    let store = db.store().await;
    let license = ids(&completed(&store, &uc2("ORD-1", 1)).await).remove(0);
    store
        .apply_update(&update(vec![set_state(&license, "deleted")]), no_events)
        .await
        .expect("deleted");
    let request = update(vec![set_state(&license, "active")]);
    let acknowledged = store.acknowledge_update(&request).await.expect("answered");
    assert_eq!(acknowledged.state, UpdateState::Acknowledged);
    let processed = store
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

async fn an_async_update_is_acknowledged_then_processed(db: TestDb) {
    let store = db.store().await;
    let license = ids(&completed(&store, &uc2("ORD-1", 1)).await).remove(0);
    let request = update(vec![set_state(&license, "suspended")]);
    let acknowledged = store
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
    let processed = store
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

async fn partner_changes_are_stored_with_their_operation_and_event(db: TestDb) {
    let store = db.store().await;
    let license = ids(&completed(&store, &uc2("ORD-1", 1)).await).remove(0);
    let event = |changed: &obakit_server::domain::LicenseChanged| {
        vec![NewEvent::new(
            "userService.update",
            changed.license.fleet_id.as_str(),
            json!({"change": changed.change}),
        )]
    };
    let changes = [
        PartnerChange::SetEndUser {
            end_user: EndUser {
                given_name: Some("Ana".into()),
                ..EndUser::default()
            },
        },
        PartnerChange::SetRealizingResource {
            realizing_resource: RealizingResource {
                kind: "URL".into(),
                characteristics: vec![Characteristic::new("url", "https://x.example")],
            },
        },
        PartnerChange::SetLogin {
            login: Login {
                key: LoginKey::Login,
                value: "ana".into(),
            },
            email: Some("ana@example.com".into()),
        },
        PartnerChange::AddCharacteristic {
            characteristic: Characteristic::new("seat", "1"),
        },
        PartnerChange::ModifyCharacteristic {
            characteristic: Characteristic::new("seat", "2"),
        },
    ];
    for change in &changes {
        store
            .change_license(&license, change, event)
            .await
            .expect("changed");
    }
    let stored = store
        .license(&license)
        .await
        .expect("read")
        .expect("visible");
    assert_eq!(
        stored.end_user.and_then(|u| u.given_name).as_deref(),
        Some("Ana")
    );
    assert_eq!(
        stored.realizing_resource.map(|r| r.kind).as_deref(),
        Some("URL")
    );
    assert_eq!(stored.login.map(|l| l.value).as_deref(), Some("ana"));
    assert_eq!(
        stored.characteristics,
        vec![Characteristic::new("seat", "2")]
    );
    let removed = store
        .change_license(&license, &PartnerChange::RemoveEndUser, event)
        .await
        .expect("changed");
    assert!(matches!(
        removed.change,
        AppliedChange::EndUser {
            action: OperationAction::Delete,
            ..
        }
    ));
    let deleted = store
        .change_license(
            &license,
            &PartnerChange::DeleteCharacteristic {
                name: "seat".into(),
            },
            event,
        )
        .await
        .expect("changed");
    assert!(deleted.license.characteristics.is_empty());
    // Events of one license are handed out one at a time, in order: deliver each to see the next.
    let events = store.pending_events(100).await.expect("read");
    assert_eq!(events.len(), changes.len() + 2, "one event per change");
    for expected in &events {
        let claimed = store
            .claim_due(Utc::now(), 100, Duration::from_secs(60))
            .await
            .expect("claim");
        assert_eq!(
            claimed.iter().map(|e| &e.id).collect::<Vec<_>>(),
            [&expected.id],
            "the license's events one at a time, in order"
        );
        assert!(store.mark_delivered(&expected.id).await.expect("delivered"));
    }
}

async fn a_refused_partner_change_stores_nothing_and_enqueues_nothing(db: TestDb) {
    let scripted = Arc::new(Scripted::default());
    let store = db.store_with(scripted.clone(), Catalogue::open()).await;
    let license = ids(&completed(&store, &uc2("ORD-1", 1)).await).remove(0);
    let event = |_: &obakit_server::domain::LicenseChanged| {
        vec![NewEvent::new("userService.update", "k", json!({}))]
    };
    let refused = store
        .change_license(&license, &PartnerChange::RemoveEndUser, event)
        .await
        .expect_err("no end user");
    assert!(
        matches!(refused, StoreError::Refused(DomainError::NoEndUser { .. })),
        "{refused:?}"
    );
    scripted.set_refusing(true);
    let set = PartnerChange::SetLogin {
        login: Login {
            key: LoginKey::OrganizationCode,
            value: "ACME".into(),
        },
        email: None,
    };
    let refused = store
        .change_license(&license, &set, event)
        .await
        .expect_err("provisioning said no");
    assert!(
        matches!(refused, StoreError::Provisioning(_)),
        "{refused:?}"
    );
    assert!(
        store
            .license(&license)
            .await
            .expect("read")
            .expect("visible")
            .login
            .is_none()
    );
    let unknown = store
        .change_license(&LicenseId::from("nope"), &set, event)
        .await
        .expect_err("unknown");
    assert!(matches!(unknown, StoreError::Refused(ref e) if e.is_not_found()));
    assert!(
        store
            .claim_due(Utc::now(), 10, Duration::from_secs(60))
            .await
            .expect("claim")
            .is_empty()
    );
}

async fn a_provisioning_refusal_fails_the_order_and_stores_nothing(db: TestDb) {
    let scripted = Arc::new(Scripted::refusing());
    let store = db.store_with(scripted.clone(), Catalogue::open()).await;
    let outcome = store
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
    let store = db.store_with(scripted.clone(), Catalogue::open()).await;
    let license = ids(&completed(&store, &uc2("ORD-1", 1)).await).remove(0);
    scripted.set_refusing(true);
    let refused = store
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

async fn the_outbox_event_is_claimable_once_and_then_delivered(db: TestDb) {
    let store = db.store().await;
    let placed = store
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
    let store = db.store().await;
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
    let store = db.store().await;
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

async fn the_outbox_is_written_in_the_same_transaction_as_the_change(db: TestDb) {
    let store = db.store().await;
    store
        .enqueue(&[NewEvent::with_id("fixed-id", "k", "a", json!({}))])
        .await
        .expect("enqueued");
    // An event that cannot be stored (its id is taken) must take the order down with it.
    let clashing = |_: &OrderOutcome| vec![NewEvent::with_id("fixed-id", "k", "b", json!({}))];
    let error = store
        .place_order(&uc2("ORD-1", 2), SYNC, clashing)
        .await
        .expect_err("the event clashes");
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none(),
        "nothing of the order stored"
    );
    let retried = store
        .place_order(&uc2("ORD-1", 2), SYNC, order_event)
        .await
        .expect("placed");
    assert!(!retried.replayed, "the failed attempt left no order behind");
}

async fn failed_deliveries_are_rescheduled_parked_as_dead_and_replayed(db: TestDb) {
    let store = db.store().await;
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

async fn the_webhook_provisioner_posts_each_action_and_accepts_2xx(db: TestDb) {
    let hook = Hook::start(StatusCode::NO_CONTENT, Duration::ZERO).await;
    let webhook = Webhook::new(&hook.url, Duration::from_secs(5)).expect("webhook");
    let store = db
        .store_with(Arc::new(webhook), Catalogue::new([(OFFER, "basic plan")]))
        .await;
    let outcome = completed(&store, &uc2("ORD-1", 2)).await;
    let license = ids(&outcome).remove(0);
    store
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
    let store = db.store_with(Arc::new(webhook), Catalogue::open()).await;
    let outcome = store
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
    let store = db.store_with(Arc::new(webhook), Catalogue::open()).await;
    let error = store
        .place_order(&uc2("ORD-1", 1), SYNC, no_events)
        .await
        .expect_err("a fault, not a refusal");
    assert!(
        matches!(error, StoreError::ProvisioningFault(_)),
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
    let placed = store
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
    let store = db.store_with(Arc::new(webhook), Catalogue::open()).await;
    let error = store
        .place_order(&uc2("ORD-1", 1), SYNC, no_events)
        .await
        .expect_err("a fault, not a refusal");
    assert!(
        matches!(error, StoreError::ProvisioningFault(_)),
        "{error:?}"
    );
    let hook = Hook::start(StatusCode::BAD_GATEWAY, Duration::ZERO).await;
    let webhook = Webhook::new(&hook.url, Duration::from_secs(2)).expect("webhook");
    let store = db.store_with(Arc::new(webhook), Catalogue::open()).await;
    let error = store
        .place_order(&uc2("ORD-2", 1), SYNC, no_events)
        .await
        .expect_err("a 5xx is a fault");
    assert!(
        matches!(error, StoreError::ProvisioningFault(_)),
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

async fn twenty_concurrent_orders_and_readers_never_fail(db: TestDb) {
    let store = db.store().await;
    let seed = completed(&store, &uc2("ORD-SEED", 5)).await;
    let writers = (0..20).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            let order = uc2(&format!("ORD-{n}"), 50);
            store
                .place_order(&order, SYNC, order_event)
                .await
                .map(|p| p.outcome.state)
        })
    });
    let readers = (0..20).map(|_| {
        let (store, fleet) = (store.clone(), fleet(&seed));
        tokio::spawn(async move { store.licenses_by_fleet(&fleet).await.map(|l| l.len()) })
    });
    let readers: Vec<_> = readers.collect();
    for writer in writers.collect::<Vec<_>>() {
        let state = writer
            .await
            .expect("task")
            .expect("no database error, never 'database is locked'");
        assert_eq!(state, OrderState::Completed);
    }
    for reader in readers {
        assert_eq!(reader.await.expect("task").expect("read"), 5);
    }
    assert_eq!(
        store
            .claim_due(Utc::now(), 100, Duration::from_secs(60))
            .await
            .expect("claim")
            .len(),
        20,
        "one event per order"
    );
}

async fn an_order_of_ten_thousand_licenses_is_stored_and_listed(db: TestDb) {
    let store = db.store().await;
    let started = std::time::Instant::now();
    let outcome = completed(&store, &uc2("ORD-BIG", 10_000)).await;
    let placed = started.elapsed();
    let started = std::time::Instant::now();
    let listed = store
        .licenses_by_fleet(&fleet(&outcome))
        .await
        .expect("read");
    let read = started.elapsed();
    assert_eq!(listed.len(), 10_000);
    let started = std::time::Instant::now();
    let items = ids(&outcome)
        .iter()
        .map(|id| set_state(id, "suspended"))
        .collect();
    let updated = store
        .apply_update(&update(items), no_events)
        .await
        .expect("applied");
    assert_eq!(updated.changes.len(), 10_000);
    eprintln!(
        "10,000 licenses: placed in {placed:?}, listed in {read:?}, suspended in {:?}",
        started.elapsed()
    );
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&outcome))
            .await
            .expect("read")
            .iter()
            .filter(|l| l.state == LicenseState::Inactive)
            .count(),
        10_000
    );
}

on_both_backends!(
    uc1_creates_the_customer_and_contacts_and_answers_their_ids,
    uc1_again_for_the_same_customer_updates_and_never_duplicates,
    uc1_tells_the_partner_s_platform_the_customer_and_its_contacts,
    a_refused_uc1_provisioning_fails_the_order_and_stores_nothing,
    uc3_naming_another_customer_s_fleet_fails_with_the_reason,
    licenses_keep_the_characteristics_they_were_ordered_with,
    uc1_with_contacts_but_no_customer_fails_with_a_reason,
    uc2_creates_a_fleet_of_active_licenses_with_end_users_in_order,
    uc2_creates_the_customer_when_uc1_never_came,
    uc3_adds_licenses_to_the_known_fleet,
    uc3_with_an_unknown_fleet_fails_with_a_reason_and_creates_nothing,
    an_order_outside_the_catalogue_fails_and_one_inside_completes,
    a_replayed_order_answers_the_first_answer_and_creates_nothing,
    the_same_order_id_with_a_different_content_is_a_conflict,
    a_replayed_failed_order_answers_the_same_failure,
    concurrent_replays_of_one_order_create_it_once,
    an_order_without_orange_s_id_resent_with_the_same_content_creates_nothing_twice,
    concurrent_resends_of_an_order_without_orange_s_id_create_it_once,
    updates_suspend_reactivate_and_delete_and_deleted_licenses_disappear,
    an_update_with_one_unknown_id_changes_nothing,
    reactivating_a_terminated_license_fails_the_whole_update,
    an_unknown_external_state_fails_the_update_naming_the_license,
    a_swap_changes_the_offer_and_an_unknown_offer_fails,
    licenses_by_ids_keep_the_order_asked_and_leave_out_unknown_ones,
    an_async_order_is_acknowledged_and_its_licenses_stay_hidden_until_completed,
    an_async_update_is_acknowledged_then_processed,
    an_event_marked_invalid_rolls_back_the_change_that_caused_it,
    an_async_update_naming_a_license_never_known_is_failed_at_once,
    an_async_reactivation_of_a_deleted_license_is_acknowledged_and_fails_showing_it,
    partner_changes_are_stored_with_their_operation_and_event,
    a_refused_partner_change_stores_nothing_and_enqueues_nothing,
    a_provisioning_refusal_fails_the_order_and_stores_nothing,
    a_provisioning_refusal_fails_the_update_and_changes_nothing,
    the_outbox_event_is_claimable_once_and_then_delivered,
    a_retried_event_holds_back_later_events_of_its_key_only,
    an_expired_claim_is_handed_out_again,
    the_outbox_is_written_in_the_same_transaction_as_the_change,
    failed_deliveries_are_rescheduled_parked_as_dead_and_replayed,
    the_webhook_provisioner_posts_each_action_and_accepts_2xx,
    a_webhook_answering_non_2xx_fails_the_order_with_the_status,
    a_webhook_that_does_not_answer_in_time_is_a_fault_that_stores_nothing,
    an_unreachable_webhook_or_a_5xx_is_a_fault_that_stores_nothing,
    twenty_concurrent_orders_and_readers_never_fail,
    an_order_of_ten_thousand_licenses_is_stored_and_listed,
);

#[tokio::test]
async fn an_unsupported_database_url_is_refused() {
    let error = Store::connect("mysql://localhost/db")
        .await
        .expect_err("refused");
    assert!(matches!(error, StoreError::UnsupportedUrl(_)), "{error:?}");
}

#[tokio::test]
async fn a_sqlite_file_is_created_at_first_start_and_reopened_with_its_data() {
    let db = TestDb::sqlite();
    let first = db.store().await;
    let outcome = completed(&first, &uc2("ORD-1", 1)).await;
    first.close().await;
    let reopened = db.store().await;
    assert_eq!(
        reopened
            .licenses_by_fleet(&fleet(&outcome))
            .await
            .expect("read")
            .len(),
        1
    );
}

#[tokio::test]
async fn an_in_memory_sqlite_store_shares_one_database_between_reads_and_writes() {
    let store = Store::connect("sqlite::memory:").await.expect("connect");
    let outcome = completed(&store, &uc2("ORD-1", 2)).await;
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&outcome))
            .await
            .expect("read")
            .len(),
        2
    );
}
