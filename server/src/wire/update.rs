//! `userService/update` → [`UpdateRequest`], and an [`UpdateOutcome`] → the answer.
//!
//! The answer shows each named license as it now is, except licenses Orange deleted before this
//! request: a deleted license is answered once, by the update that deleted it, then never again.

use std::collections::HashSet;

use obakit_api::common::types::Note;
use obakit_api::user_service::types::{
    ProductOfferingOperationAction, UserServiceUpdateRequest, UserServiceUpdateResponse,
    UserServiceUpdateState,
};

use super::license::user_service;
use super::values::offer;
use super::{failure_note, non_empty};
use crate::domain::{
    ChangeKind, ExternalState, License, LicenseId, UpdateItem, UpdateOutcome, UpdateRequest,
    UpdateState,
};

/// The command for Orange's update, or the reason to refuse all of it.
///
/// The domain knows only the `swap` operation; another `productOfferingOperation.action` (the
/// enumeration is open) is a business refusal of the whole update, not a malformed request.
pub(crate) fn update_command(request: &UserServiceUpdateRequest) -> Result<UpdateRequest, String> {
    let items = request
        .user_service
        .iter()
        .map(|item| {
            let swap_to = match &item.product_offering_operation {
                None => None,
                Some(operation) => match &operation.action {
                    ProductOfferingOperationAction::Swap => {
                        Some(offer(operation.product_offering.clone()))
                    }
                    other => {
                        return Err(format!(
                            "license {}: productOfferingOperation action {:?} is not supported (only \"swap\")",
                            item.id,
                            other.as_str()
                        ));
                    }
                },
            };
            Ok(UpdateItem {
                license_id: LicenseId::from(item.id.as_str()),
                external_state: item
                    .external_state
                    .as_ref()
                    .map(|s| ExternalState::from(s.as_str())),
                swap_to,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(UpdateRequest { items })
}

/// The answer to an update the store worked.
pub(crate) fn update_answer(outcome: &UpdateOutcome) -> UserServiceUpdateResponse {
    let deleted_now: HashSet<&LicenseId> = outcome
        .changes
        .iter()
        .filter(|change| matches!(change.kind, ChangeKind::Terminated))
        .map(|change| &change.license_id)
        .collect();
    let shown = outcome
        .licenses
        .iter()
        .filter(|license| !license.is_terminated() || deleted_now.contains(&license.id));
    UserServiceUpdateResponse {
        state: wire_state(outcome.state),
        user_service: non_empty(shown.map(user_service).collect()),
        note: outcome.reason.as_deref().map(note),
    }
}

/// The answer to an update refused before the store saw it; `licenses` are the named ones as
/// they are (the visible ones: nothing changed).
pub(crate) fn update_refused(reason: &str, licenses: &[License]) -> UserServiceUpdateResponse {
    UserServiceUpdateResponse {
        state: UserServiceUpdateState::Failed,
        user_service: non_empty(licenses.iter().map(user_service).collect()),
        note: Some(note(reason)),
    }
}

fn note(reason: &str) -> Note {
    // Microseconds, like every date the store writes.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    failure_note(reason, Some(now))
}

fn wire_state(state: UpdateState) -> UserServiceUpdateState {
    match state {
        UpdateState::Acknowledged => UserServiceUpdateState::Acknowledged,
        UpdateState::Completed => UserServiceUpdateState::Completed,
        UpdateState::Failed => UserServiceUpdateState::Failed,
    }
}
