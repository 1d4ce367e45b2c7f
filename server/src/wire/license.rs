//! A stored [`License`] → Orange's `userService`.
//!
//! Orange's `state` has no "terminated": a license Orange deleted is shown as `inactive` with
//! `externalState: deleted` (only in the answer to its deletion; reads leave it out).

use obakit_api::common::types::UserServiceState;
use obakit_api::user_service::types::{ExternalState, UserService};

use super::values::{
    wire_characteristics, wire_end_user, wire_login, wire_offer, wire_realizing_resource,
};
use super::wire_time;
use crate::domain::{License, LicenseState};

pub(crate) fn user_service(license: &License) -> UserService {
    let state = if license.is_terminated() {
        UserServiceState::Inactive
    } else {
        wire_state(license.state)
    };
    UserService {
        id: license.id.to_string(),
        related_product_ref_id: license.fleet_id.to_string(),
        state,
        external_state: license
            .external_state
            .as_ref()
            .map(|s| ExternalState::from_wire(s.as_str())),
        product_offering: wire_offer(&license.offer),
        end_user: license.end_user.as_ref().and_then(wire_end_user),
        realizing_resource: license
            .realizing_resource
            .as_ref()
            .and_then(wire_realizing_resource),
        login_key_value: license.login.as_ref().map(wire_login),
        characteristic: wire_characteristics(&license.characteristics),
        creation_date: Some(wire_time(license.created_at)),
        last_update: Some(wire_time(license.updated_at)),
        // Operations travel only in partner-initiated events, never in an answer to Orange.
        end_user_operation: None,
        realizing_resource_operation: None,
        right_operation: None,
        service_characteristic_operation: None,
    }
}

pub(super) fn wire_state(state: LicenseState) -> UserServiceState {
    match state {
        LicenseState::Active => UserServiceState::Active,
        LicenseState::Inactive => UserServiceState::Inactive,
    }
}
