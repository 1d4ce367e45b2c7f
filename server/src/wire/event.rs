//! Event payloads for Orange's gateway: the asynchronous answers (order completed or failed, update
//! done) and the partner-initiated changes (UC5), built from the same mapping as synchronous answers.

use obakit_api::product_ordering::types as po;
use obakit_api::user_service::types as us;
use poem_openapi::types::{ParseFromJSON, ToJSON};

use super::license::user_service;
use super::order::order_answer;
use super::update::update_answer;
use super::values::{wire_characteristics, wire_end_user, wire_login, wire_realizing_resource};
use crate::domain::{
    AppliedChange, LicenseChanged, OrderOutcome, OrderState, UpdateOutcome, UpdateState,
};
use crate::store::{NewEvent, new_event_id};

/// Outbox kind of a ProductOrdering event (payload: a `ProductOrderEvent`).
pub const PRODUCT_ORDER_EVENT: &str = "productOrdering.event";
/// Outbox kind of a UserService event (payload: a `UserServiceEvent`).
pub const USER_SERVICE_EVENT: &str = "userService.event";

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().fixed_offset()
}

fn event_uuid(id: &str) -> uuid::Uuid {
    // Outbox ids are UUIDs made by `new_event_id`; the parse cannot fail for them.
    uuid::Uuid::parse_str(id).unwrap_or_else(|_| uuid::Uuid::now_v7())
}

/// The event answering an asynchronous order: `completedStateNotification` or
/// `failedStateNotification`, carrying the order as a synchronous answer would have.
/// An order still `acknowledged` has nothing to announce.
pub(crate) fn order_event(request: po::ProductOrder, outcome: &OrderOutcome) -> Option<NewEvent> {
    let kind = match outcome.state {
        OrderState::Completed => po::ProductOrderEventType::CompletedStateNotification,
        OrderState::Failed => po::ProductOrderEventType::FailedStateNotification,
        OrderState::Acknowledged => return None,
    };
    let id = new_event_id();
    let event = po::ProductOrderEvent {
        id: event_uuid(&id),
        type_: kind,
        time: now(),
        resource: order_answer(request, outcome, &[]),
    };
    Some(checked::<po::ProductOrderEvent>(NewEvent::with_id(
        id,
        PRODUCT_ORDER_EVENT,
        outcome.order_id.to_string(),
        event.to_json().unwrap_or_default(),
    )))
}

/// The `updateNotification` answering an asynchronous update, with its final state.
///
/// A failed update lists every license Orange named that the store knows, as it is, deleted
/// ones included (reactivating a deleted license fails, and Orange must learn which one): the
/// event's `userService` is never empty. An update naming a license the store never knew is
/// refused before it is acknowledged, so it has no event.
pub(crate) fn update_event(outcome: &UpdateOutcome) -> NewEvent {
    let answer = update_answer(outcome);
    let user_service = match outcome.state {
        UpdateState::Failed => outcome.licenses.iter().map(user_service).collect(),
        _ => answer.user_service.unwrap_or_default(),
    };
    update_notification(
        us::UserServiceEventResource {
            state: Some(answer.state),
            user_service,
            note: answer.note,
        },
        outcome.update_id.to_string(),
    )
}

/// The `updateNotification` of a change the partner made (UC5): the license as it now is, with
/// the operation that changed it, and no `state`.
pub(crate) fn partner_change_event(changed: &LicenseChanged) -> NewEvent {
    let mut license = user_service(&changed.license);
    match &changed.change {
        AppliedChange::EndUser { action, end_user } => {
            if let Some(end_user) = wire_end_user(end_user) {
                license.end_user_operation = Some(us::EndUserOperation {
                    action: us::EndUserOperationAction::from_wire(action.as_str()),
                    end_user,
                });
            }
        }
        AppliedChange::RealizingResource {
            action,
            realizing_resource,
        } => {
            if let Some(realizing_resource) = wire_realizing_resource(realizing_resource) {
                license.realizing_resource_operation = Some(us::RealizingResourceOperation {
                    action: us::RealizingResourceOperationAction::from_wire(action.as_str()),
                    realizing_resource,
                });
            }
        }
        AppliedChange::Right {
            action,
            login_key_value,
            email,
        } => {
            license.right_operation = Some(us::RightOperation {
                action: us::RightOperationAction::from_wire(action.as_str()),
                login_key_value: wire_login(login_key_value),
                email: email.clone(),
            });
        }
        AppliedChange::ServiceCharacteristic {
            action,
            characteristic,
        } => {
            if let Some(mut wire) = wire_characteristics(std::slice::from_ref(characteristic)) {
                license.service_characteristic_operation =
                    Some(us::ServiceCharacteristicOperation {
                        action: us::ServiceCharacteristicOperationAction::from_wire(
                            action.as_str(),
                        ),
                        characteristic: wire.remove(0),
                    });
            }
        }
    }
    update_notification(
        us::UserServiceEventResource {
            state: None,
            user_service: vec![license],
            note: None,
        },
        changed.license.id.to_string(),
    )
}

/// An `updateNotification` carrying `resource`, with a fresh id that is also its outbox id.
fn update_notification(resource: us::UserServiceEventResource, key: String) -> NewEvent {
    let id = new_event_id();
    let event = us::UserServiceEvent {
        id: event_uuid(&id),
        type_: us::UserServiceEventType::UpdateNotification,
        time: now(),
        resource,
    };
    checked::<us::UserServiceEvent>(NewEvent::with_id(
        id,
        USER_SERVICE_EVENT,
        key,
        event.to_json().unwrap_or_default(),
    ))
}

/// `event`, marked invalid unless its payload reads back as `T`: the generated type applies the
/// spec's required properties and constraints (`minItems`, `maxLength`, patterns…), so an event
/// Orange's gateway would refuse fails the transaction that causes it (see
/// [`NewEvent::invalid`]).
fn checked<T: ParseFromJSON>(event: NewEvent) -> NewEvent {
    match T::parse_from_json(Some(event.payload.clone())) {
        Ok(_) => event,
        Err(error) => {
            let reason = error.into_message();
            event.invalid_because(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UpdateId;

    #[test]
    fn an_update_notification_listing_no_license_is_marked_invalid_before_it_is_stored() {
        let outcome = UpdateOutcome {
            update_id: UpdateId::generate(),
            state: UpdateState::Failed,
            licenses: Vec::new(),
            changes: Vec::new(),
            reason: Some("unknown license lic-1".into()),
        };
        let event = update_event(&outcome);
        let reason = event
            .invalid
            .expect("userService must hold at least one license");
        assert!(reason.contains("userService"), "{reason}");
    }
}
