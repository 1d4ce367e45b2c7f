//! License reads: by ids in the order asked, and a fleet of 10,000 stored and listed.

use obakit_server::domain::{LicenseId, LicenseState};
use obakit_server::store::no_events;

use crate::support::TestDb;
use crate::support::builders::*;
use crate::{completed, fleet, ids};

async fn licenses_by_ids_keep_the_order_asked_and_leave_out_unknown_ones(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 3)).await;
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

async fn an_order_of_ten_thousand_licenses_is_stored_and_listed(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let started = std::time::Instant::now();
    let outcome = completed(&cases, &uc2("ORD-BIG", 10_000)).await;
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
    let updated = cases
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

crate::on_both_backends!(
    licenses_by_ids_keep_the_order_asked_and_leave_out_unknown_ones,
    an_order_of_ten_thousand_licenses_is_stored_and_listed,
);
