//! updateUserServices: suspend, reactivate, delete, swap, and whole-update refusals that change
//! nothing (checked with reads afterwards).

use obakit_api::user_service::types::{ProductOfferingOperationAction, UserServiceUpdateResponse};

use crate::support::TestDb;
use crate::support::app::TestApp;
use crate::wire::*;

fn assert_failed_naming(answer: &UserServiceUpdateResponse, words: &[&str]) {
    assert_eq!(answer.state.as_str(), "failed", "{answer:?}");
    let note = answer.note.as_ref().expect("the reason");
    assert_eq!(note.author.as_deref(), Some("partner"));
    for word in words {
        assert!(note.text.contains(word), "{word:?} in {note:?}");
    }
}

async fn suspending_makes_licenses_inactive(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 2).await;
    let answer = update(
        &app,
        vec![
            set_state(&ids[0], "suspended"),
            set_state(&ids[1], "inactive"),
        ],
    )
    .await;
    assert_eq!(answer.state.as_str(), "completed");
    assert!(answer.note.is_none());
    let licenses = answer.user_service.expect("the licenses as they now are");
    assert_eq!(licenses.len(), 2);
    for (id, external) in [(&ids[0], "suspended"), (&ids[1], "inactive")] {
        let license = find(&licenses, id);
        assert_eq!(license.state.as_str(), "inactive");
        assert_eq!(
            license.external_state.as_ref().map(|s| s.as_str()),
            Some(external)
        );
        let read = get(&app, id).await.expect("still readable");
        assert_eq!(read.state.as_str(), "inactive");
    }
}

async fn reactivating_a_suspended_license_makes_it_active_again(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 1).await;
    update(&app, vec![set_state(&ids[0], "suspended")]).await;
    let answer = update(&app, vec![set_state(&ids[0], "active")]).await;
    assert_eq!(answer.state.as_str(), "completed");
    let license = &answer.user_service.expect("the license")[0];
    assert_eq!(license.state.as_str(), "active");
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.state.as_str(), "active");
    assert_eq!(
        read.external_state.as_ref().map(|s| s.as_str()),
        Some("active")
    );
}

async fn deleting_answers_the_license_once_as_inactive_deleted_then_it_is_gone(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (fleet, ids) = new_fleet(&app, "CMD-2", 2).await;
    let answer = update(&app, vec![set_state(&ids[0], "deleted")]).await;
    assert_eq!(answer.state.as_str(), "completed");
    let licenses = answer.user_service.expect("the deleted license, once");
    let deleted = find(&licenses, &ids[0]);
    assert_eq!(deleted.state.as_str(), "inactive");
    assert_eq!(
        deleted.external_state.as_ref().map(|s| s.as_str()),
        Some("deleted")
    );
    assert!(get(&app, &ids[0]).await.is_none());
    assert_eq!(list_fleet(&app, &fleet).await.len(), 1);
    // Orange resending the deletion is answered completed, and the license is not shown again.
    let again = update(&app, vec![set_state(&ids[0], "deleted")]).await;
    assert_eq!(again.state.as_str(), "completed");
    assert!(again.user_service.is_none(), "{again:?}");
}

async fn swapping_moves_a_license_to_the_new_offer(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 2).await;
    let answer = update(&app, vec![swap(&ids[0], OTHER_OFFER)]).await;
    assert_eq!(answer.state.as_str(), "completed");
    let swapped = &answer.user_service.expect("the license")[0];
    assert_eq!(swapped.product_offering.external_reference.id, OTHER_OFFER);
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.product_offering.external_reference.id, OTHER_OFFER);
    let other = get(&app, &ids[1]).await.expect("readable");
    assert_eq!(other.product_offering.external_reference.id, OFFER);
}

async fn one_unknown_id_fails_the_whole_update_and_changes_nothing(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 2).await;
    let answer = update(
        &app,
        vec![
            set_state(&ids[0], "suspended"),
            swap(&ids[1], OTHER_OFFER),
            set_state("lic-unknown", "suspended"),
        ],
    )
    .await;
    assert_failed_naming(&answer, &["lic-unknown"]);
    let shown = answer.user_service.expect("the known licenses, unchanged");
    assert_eq!(shown.len(), 2);
    assert_eq!(find(&shown, &ids[0]).state.as_str(), "active");
    let first = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(first.state.as_str(), "active");
    assert!(first.external_state.is_none());
    let second = get(&app, &ids[1]).await.expect("readable");
    assert_eq!(second.product_offering.external_reference.id, OFFER);
}

async fn reactivating_a_deleted_license_fails_the_whole_update(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 2).await;
    update(&app, vec![set_state(&ids[0], "deleted")]).await;
    let answer = update(
        &app,
        vec![
            set_state(&ids[1], "suspended"),
            set_state(&ids[0], "active"),
        ],
    )
    .await;
    assert_failed_naming(&answer, &[&ids[0], "terminated"]);
    let shown = answer.user_service.expect("the visible license");
    assert_eq!(shown.len(), 1, "the deleted license is not shown again");
    assert_eq!(
        get(&app, &ids[1]).await.expect("readable").state.as_str(),
        "active"
    );
    assert!(get(&app, &ids[0]).await.is_none());
}

async fn an_unknown_external_state_fails_the_update_with_a_reason(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 1).await;
    let answer = update(&app, vec![set_state(&ids[0], "paused")]).await;
    assert_failed_naming(&answer, &["paused"]);
    assert_eq!(
        get(&app, &ids[0]).await.expect("readable").state.as_str(),
        "active"
    );
}

async fn an_unknown_offering_operation_fails_the_update_with_a_reason(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 1).await;
    let mut item = swap(&ids[0], OTHER_OFFER);
    if let Some(operation) = item.product_offering_operation.as_mut() {
        operation.action = ProductOfferingOperationAction::from_wire("upgrade");
    }
    let answer = update(&app, vec![item]).await;
    assert_failed_naming(&answer, &["upgrade"]);
    let shown = answer.user_service.expect("the license, unchanged");
    assert_eq!(shown[0].product_offering.external_reference.id, OFFER);
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.product_offering.external_reference.id, OFFER);
}

async fn a_swap_to_an_offer_outside_the_catalogue_fails_and_changes_nothing(db: TestDb) {
    let app = TestApp::start_with(&db, |config| {
        config.catalogue.insert(OFFER.into(), "starter".into());
        config.catalogue.insert(OTHER_OFFER.into(), "pro".into());
    })
    .await;
    let (_, ids) = new_fleet(&app, "CMD-2", 1).await;
    let sold = update(&app, vec![swap(&ids[0], OTHER_OFFER)]).await;
    assert_eq!(sold.state.as_str(), "completed", "{sold:?}");
    let answer = update(&app, vec![swap(&ids[0], "PO-UNSOLD")]).await;
    assert_failed_naming(&answer, &["PO-UNSOLD", "catalogue"]);
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.product_offering.external_reference.id, OTHER_OFFER);
}

crate::on_both_backends!(
    suspending_makes_licenses_inactive,
    reactivating_a_suspended_license_makes_it_active_again,
    deleting_answers_the_license_once_as_inactive_deleted_then_it_is_gone,
    swapping_moves_a_license_to_the_new_offer,
    one_unknown_id_fails_the_whole_update_and_changes_nothing,
    reactivating_a_deleted_license_fails_the_whole_update,
    an_unknown_external_state_fails_the_update_with_a_reason,
    an_unknown_offering_operation_fails_the_update_with_a_reason,
    a_swap_to_an_offer_outside_the_catalogue_fails_and_changes_nothing,
);
