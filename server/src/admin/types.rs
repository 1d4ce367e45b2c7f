//! The admin API's bodies and answers, and the checks that turn a request into a [`LicenseEdit`].
//!
//! The end user and the realizing resource come in Orange's own shapes (`Individual`,
//! `RealizingResource`), so what the partner sends is what Orange receives, with the same limits.
//! Every name here starts with `Admin` because the admin API shares Swagger UI (one schema
//! namespace) with Orange's APIs.

use chrono::{DateTime, Utc};
use obakit_api::common::types::{Error, Individual, RealizingResource as WireRealizingResource};
use obakit_api::user_service::types::UserService;
use poem_openapi::{Enum, Object};

use super::changes::{Edited, LicenseEdit};
use crate::domain::{
    Characteristic, EndUser, Login, LoginKey, PartnerChange, Phone, RealizingResource,
};
use crate::store::{OutboxEvent, OutboxState};
use crate::wire::OrangeCode;

/// Characteristic names are at most this long on the wire (the spec's `Characteristic.name`).
const NAME_MAX_CHARS: usize = 255;

/// What a license's login identifies. Closed here, unlike on the wire: a partner sets only the
/// kinds Orange knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "AdminLoginKey", rename_all = "camelCase")]
pub enum AdminLoginKey {
    /// The license has its own login.
    Login,
    /// One code common to every license of the customer.
    OrganizationCode,
}

/// The login to set on a license.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "AdminLogin", rename_all = "camelCase")]
pub struct AdminLogin {
    pub key: AdminLoginKey,
    /// The login, or the organisation code shared by the customer's licenses.
    #[oai(validator(min_length = 1, max_length = 255))]
    pub value: String,
    /// Where Orange sends the login and password (`rightOperation.email`).
    #[oai(
        validator(min_length = 3, max_length = 254),
        skip_serializing_if_is_none
    )]
    pub email: Option<String>,
}

/// The value of a characteristic to add or modify; its name is in the path.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "AdminCharacteristicValue")]
pub struct AdminCharacteristicValue {
    #[oai(validator(max_length = 1024))]
    pub value: String,
}

/// The answer to a change: the license as it now is and the event queued for Orange.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "AdminLicenseChanged", rename_all = "camelCase")]
pub struct AdminLicenseChanged {
    /// The license, as Orange's consultation would now answer it.
    pub user_service: UserService,
    /// The operation the event carries: `endUserOperation`, `realizingResourceOperation`,
    /// `rightOperation` or `serviceCharacteristicOperation`.
    pub operation: String,
    /// Its action: `add`, `modify` or `delete`.
    pub action: String,
    /// The id of the queued `updateNotification` (also its `id` on the wire).
    pub event_id: String,
}

impl AdminLicenseChanged {
    pub fn of(edited: &Edited) -> Self {
        let (operation, action) = edited.operation();
        Self {
            user_service: crate::wire::user_service(&edited.changed.license),
            operation: operation.to_owned(),
            action: action.to_owned(),
            event_id: edited.event_id.clone(),
        }
    }
}

/// An event to Orange as the outbox holds it.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "AdminEvent", rename_all = "camelCase")]
pub struct AdminEvent {
    pub id: String,
    /// `productOrdering.event` or `userService.event`.
    pub kind: String,
    /// What the event is about: an order, an update or a license id.
    pub key: String,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    /// Failed delivery attempts so far.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    #[oai(skip_serializing_if_is_none)]
    pub last_error: Option<String>,
    /// The event as it is sent to Orange.
    pub payload: serde_json::Value,
}

impl AdminEvent {
    pub fn of(event: OutboxEvent) -> Self {
        let state = match event.state {
            OutboxState::Pending => "pending",
            OutboxState::Delivered => "delivered",
            OutboxState::Dead => "dead",
        };
        // The payload was enqueued as JSON; a text that no longer parses is shown as it is.
        let payload = serde_json::from_str(&event.payload)
            .unwrap_or(serde_json::Value::String(event.payload));
        Self {
            id: event.id,
            kind: event.kind,
            key: event.key,
            state: state.to_owned(),
            attempts: event.attempts,
            created_at: event.created_at,
            next_attempt_at: event.next_attempt_at,
            last_error: event.last_error,
            payload,
        }
    }
}

/// A request the schema accepted but a change cannot be made of, with Orange's error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub(crate) code: OrangeCode,
    pub(crate) message: &'static str,
    pub(crate) description: String,
}

impl Invalid {
    fn body_field(description: impl Into<String>) -> Self {
        Self {
            code: OrangeCode::MissingBodyField,
            message: OrangeCode::MissingBodyField.message(),
            description: description.into(),
        }
    }

    fn parameter(description: impl Into<String>) -> Self {
        Self {
            // A path parameter: Orange's code 28, without its word "query".
            code: OrangeCode::InvalidQueryParameter,
            message: "invalid parameter value",
            description: description.into(),
        }
    }

    pub fn into_error(self) -> Error {
        self.code.body_saying(self.message, self.description)
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (code {}): {}",
            self.message,
            self.code.code(),
            self.description
        )
    }
}

impl std::error::Error for Invalid {}

/// `PUT …/end-user`. Orange's `Individual` needs at least one property, and an id alone says
/// nothing about a person, so one property besides `id` is required.
pub(super) fn set_end_user(person: Individual) -> Result<LicenseEdit, Invalid> {
    let end_user = EndUser {
        id: person.id,
        external_reference: person.external_reference.map(|r| r.id),
        given_name: person.given_name,
        family_name: person.family_name,
        email: person.email,
        mobile_number: person.mobile_number.map(|n| Phone { cc: n.cc, sn: n.sn }),
    };
    let described = end_user.external_reference.is_some()
        || end_user.given_name.is_some()
        || end_user.family_name.is_some()
        || end_user.email.is_some()
        || end_user.mobile_number.is_some();
    if !described {
        return Err(Invalid::body_field(
            "endUser: give at least one of givenName, familyName, email, mobileNumber, externalReference",
        ));
    }
    Ok(LicenseEdit::Change(PartnerChange::SetEndUser { end_user }))
}

/// `PUT …/realizing-resource`; the schema already requires a type and one characteristic.
pub(super) fn set_realizing_resource(resource: WireRealizingResource) -> LicenseEdit {
    LicenseEdit::Change(PartnerChange::SetRealizingResource {
        realizing_resource: RealizingResource {
            kind: resource.type_,
            characteristics: resource
                .characteristic
                .into_iter()
                .map(|c| Characteristic::new(c.name, c.value))
                .collect(),
        },
    })
}

/// `PUT …/login`.
pub(super) fn set_login(login: AdminLogin) -> LicenseEdit {
    let key = match login.key {
        AdminLoginKey::Login => LoginKey::Login,
        AdminLoginKey::OrganizationCode => LoginKey::OrganizationCode,
    };
    LicenseEdit::Change(PartnerChange::SetLogin {
        login: Login {
            key,
            value: login.value,
        },
        email: login.email,
    })
}

/// `PUT …/characteristics/{name}`: added when the license has none of that name, modified
/// otherwise.
pub(super) fn set_characteristic(
    name: String,
    value: AdminCharacteristicValue,
) -> Result<LicenseEdit, Invalid> {
    check_name(&name)?;
    Ok(LicenseEdit::SetCharacteristic(Characteristic::new(
        name,
        value.value,
    )))
}

/// `DELETE …/characteristics/{name}`.
pub(super) fn delete_characteristic(name: String) -> Result<LicenseEdit, Invalid> {
    check_name(&name)?;
    Ok(LicenseEdit::Change(PartnerChange::DeleteCharacteristic {
        name,
    }))
}

fn check_name(name: &str) -> Result<(), Invalid> {
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || name.trim() != name {
        return Err(Invalid::parameter(format!(
            "characteristic name {name:?}: 1 to {NAME_MAX_CHARS} characters, no leading or trailing space"
        )));
    }
    Ok(())
}
