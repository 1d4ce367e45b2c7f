//! Orange's updates: suspend, reactivate, delete and swap, applied whole or not at all.

use obakit_server::domain::{
    Catalogue, ChangeKind, ExternalState, LicenseId, LicenseState, UpdateState,
};
use obakit_server::store::no_events;

use crate::support::TestDb;
use crate::support::builders::*;
use crate::{completed, fleet, ids};

async fn updates_suspend_reactivate_and_delete_and_deleted_licenses_disappear(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 3)).await;
    let [a, b, c] = <[LicenseId; 3]>::try_from(ids(&outcome)).expect("three licenses");
    let applied = cases
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

    let reactivated = cases
        .apply_update(&update(vec![set_state(&a, "active")]), no_events)
        .await
        .expect("applied");
    assert_eq!(reactivated.licenses[0].state, LicenseState::Active);
}

async fn an_update_with_one_unknown_id_changes_nothing(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 1)).await;
    let known = ids(&outcome).remove(0);
    let unknown = LicenseId::from("no-such-license");
    let refused = cases
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
    let cases = db.cases().await;
    let store = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 2)).await;
    let [a, b] = <[LicenseId; 2]>::try_from(ids(&outcome)).expect("two licenses");
    cases
        .apply_update(&update(vec![set_state(&a, "deleted")]), no_events)
        .await
        .expect("applied");
    let refused = cases
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
    let again = cases
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
    let cases = db.cases().await;
    let outcome = completed(&cases, &uc2("ORD-1", 1)).await;
    let license = ids(&outcome).remove(0);
    let refused = cases
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
    let cases = db
        .cases()
        .await
        .with_catalogue(Catalogue::new([(OFFER, "basic"), ("OBA-GOLD", "gold")]));
    let store = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 1)).await;
    let license = ids(&outcome).remove(0);
    let swapped = cases
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
    let refused = cases
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

crate::on_both_backends!(
    updates_suspend_reactivate_and_delete_and_deleted_licenses_disappear,
    an_update_with_one_unknown_id_changes_nothing,
    reactivating_a_terminated_license_fails_the_whole_update,
    an_unknown_external_state_fails_the_update_naming_the_license,
    a_swap_changes_the_offer_and_an_unknown_offer_fails,
);
