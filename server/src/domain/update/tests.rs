//! The update state machine, exhaustively: every externalState, swaps, terminated licenses and
//! all-or-nothing refusals.

use chrono::{Duration, Utc};

use super::*;
use crate::domain::ids::OrderId;

fn license(id: &str) -> License {
    let created = Utc::now() - Duration::hours(1);
    License {
        id: LicenseId::from(id),
        fleet_id: FleetId::from("fleet"),
        order_id: OrderId::from("order"),
        state: LicenseState::Active,
        external_state: None,
        terminated_at: None,
        offer: Offer::new("OBA-1"),
        end_user: None,
        realizing_resource: None,
        login: None,
        characteristics: Vec::new(),
        created_at: created,
        updated_at: created,
    }
}

fn item(id: &str, state: Option<&str>, swap: Option<&str>) -> UpdateItem {
    UpdateItem {
        license_id: LicenseId::from(id),
        external_state: state.map(ExternalState::from),
        swap_to: swap.map(Offer::new),
    }
}

fn plan(found: Vec<License>, items: Vec<UpdateItem>) -> Result<UpdatePlan, DomainError> {
    plan_update(
        found,
        &UpdateRequest { items },
        &Catalogue::open(),
        Utc::now(),
    )
}

#[test]
fn suspended_and_inactive_make_a_license_inactive() {
    for external in ["suspended", "inactive"] {
        let planned =
            plan(vec![license("a")], vec![item("a", Some(external), None)]).expect("accepted");
        assert_eq!(planned.licenses[0].state, LicenseState::Inactive);
        assert_eq!(planned.modified, vec![LicenseId::from("a")]);
    }
}

#[test]
fn active_reactivates_an_inactive_license() {
    let mut inactive = license("a");
    inactive.state = LicenseState::Inactive;
    let planned = plan(vec![inactive], vec![item("a", Some("active"), None)]).expect("accepted");
    assert_eq!(planned.licenses[0].state, LicenseState::Active);
}

#[test]
fn deleted_terminates() {
    let planned =
        plan(vec![license("a")], vec![item("a", Some("deleted"), None)]).expect("accepted");
    assert!(planned.licenses[0].is_terminated());
    assert_eq!(planned.changes[0].kind, ChangeKind::Terminated);
}

#[test]
fn reactivating_a_terminated_license_is_refused() {
    let mut terminated = license("a");
    terminated.terminated_at = Some(Utc::now());
    let refused = plan(vec![terminated], vec![item("a", Some("active"), None)]);
    assert!(matches!(refused, Err(DomainError::Terminated { .. })));
}

#[test]
fn deleting_a_terminated_license_again_is_a_no_op() {
    let mut terminated = license("a");
    terminated.terminated_at = Some(Utc::now());
    let planned = plan(vec![terminated], vec![item("a", Some("deleted"), None)]).expect("accepted");
    assert!(planned.changes.is_empty());
    assert!(planned.modified.is_empty());
}

#[test]
fn unknown_external_state_refuses_the_update_and_names_the_license() {
    let refused =
        plan(vec![license("a")], vec![item("a", Some("paused"), None)]).expect_err("refused");
    assert_eq!(
        refused.to_string(),
        "license a: unknown externalState \"paused\""
    );
}

#[test]
fn unknown_id_refuses_the_whole_update() {
    let refused = plan(
        vec![license("a")],
        vec![
            item("a", Some("inactive"), None),
            item("zz", Some("inactive"), None),
        ],
    );
    assert_eq!(
        refused,
        Err(DomainError::UnknownLicense(LicenseId::from("zz")))
    );
}

#[test]
fn swap_changes_the_offer() {
    let planned = plan(vec![license("a")], vec![item("a", None, Some("OBA-2"))]).expect("accepted");
    assert_eq!(planned.licenses[0].offer.code, "OBA-2");
    assert!(matches!(
        planned.changes[0].kind,
        ChangeKind::OfferSwapped { .. }
    ));
}

#[test]
fn swap_to_an_offer_outside_the_catalogue_is_refused() {
    let catalogue = Catalogue::new([("OBA-1", "basic")]);
    let request = UpdateRequest {
        items: vec![item("a", None, Some("OBA-9"))],
    };
    let refused = plan_update(vec![license("a")], &request, &catalogue, Utc::now());
    assert!(matches!(refused, Err(DomainError::UnknownSwapOffer { .. })));
}

#[test]
fn repeating_the_current_state_changes_nothing() {
    let mut suspended = license("a");
    suspended.state = LicenseState::Inactive;
    suspended.external_state = Some(ExternalState::Suspended);
    let planned =
        plan(vec![suspended], vec![item("a", Some("suspended"), None)]).expect("accepted");
    assert!(planned.changes.is_empty());
}

#[test]
fn items_on_the_same_license_apply_in_order() {
    let planned = plan(
        vec![license("a")],
        vec![
            item("a", Some("suspended"), None),
            item("a", Some("active"), None),
        ],
    )
    .expect("accepted");
    assert_eq!(planned.licenses.len(), 1);
    assert_eq!(planned.licenses[0].state, LicenseState::Active);
    assert_eq!(planned.changes.len(), 2);
}
