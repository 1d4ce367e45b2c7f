//! UC2 and UC3: fleets and licenses created by orders, with the characteristics, end users and
//! offers they were ordered with, and the orders refused (another customer's or an unknown fleet,
//! an offer outside the catalogue).

use obakit_server::domain::{Catalogue, Characteristic, FleetId, LicenseState, OrderState};
use obakit_server::store::no_events;

use crate::support::TestDb;
use crate::support::builders::*;
use crate::{SYNC, completed, fleet, ids};

async fn uc2_creates_a_fleet_of_active_licenses_with_end_users_in_order(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let outcome = completed(&cases, &uc2_configured("ORD-1", 3, &["Ana", "Bob"])).await;
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
    let cases = db.cases().await;
    let store = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 1)).await;
    let customer = store
        .customer_by_external_id("CUST-1")
        .await
        .expect("read")
        .expect("created");
    assert_eq!(Some(customer.id), outcome.customer_id);
}

async fn uc3_adds_licenses_to_the_known_fleet(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let first = completed(&cases, &uc2("ORD-1", 2)).await;
    let added = completed(&cases, &uc3("ORD-2", &fleet(&first), 3)).await;
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

async fn uc3_naming_another_customer_s_fleet_fails_with_the_reason(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let fleet = fleet(&completed(&cases, &uc2("ORD-1", 1)).await);
    let mut intruder = uc3("ORD-2", &fleet, 1);
    intruder.customer = Some(customer("CUST-OTHER"));
    let outcome = cases
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
    assert_eq!(completed(&cases, &owner).await.state, OrderState::Completed);
}

async fn uc3_with_an_unknown_fleet_fails_with_a_reason_and_creates_nothing(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let unknown = FleetId::from("no-such-fleet");
    let outcome = cases
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

async fn licenses_keep_the_characteristics_they_were_ordered_with(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let mut order = uc2("ORD-1", 2);
    if let Some(item) = order.item.as_mut() {
        item.fleet_characteristics = vec![Characteristic::new("domain", "durand.example")];
    }
    let outcome = completed(&cases, &order).await;
    let fleet = fleet(&outcome);
    let added = completed(&cases, &uc3("ORD-2", &fleet, 1)).await;
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

async fn an_order_outside_the_catalogue_fails_and_one_inside_completes(db: TestDb) {
    let cases = db
        .cases()
        .await
        .with_catalogue(Catalogue::new([(OFFER, "basic plan")]));
    let refused = cases
        .place_order(&with_offer(uc2("ORD-1", 1), "OBA-GOLD"), SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(refused.state, OrderState::Failed);
    assert_eq!(
        refused.reason.as_deref(),
        Some("offer \"OBA-GOLD\" is not in the partner's catalogue")
    );
    completed(&cases, &uc2("ORD-2", 1)).await;
}

crate::on_both_backends!(
    uc2_creates_a_fleet_of_active_licenses_with_end_users_in_order,
    uc2_creates_the_customer_when_uc1_never_came,
    uc3_adds_licenses_to_the_known_fleet,
    uc3_naming_another_customer_s_fleet_fails_with_the_reason,
    uc3_with_an_unknown_fleet_fails_with_a_reason_and_creates_nothing,
    licenses_keep_the_characteristics_they_were_ordered_with,
    an_order_outside_the_catalogue_fails_and_one_inside_completes,
);
