//! Small values both ways: characteristics, phone numbers, the end user, the realizing resource,
//! the offer and the login.
//!
//! Where the domain keeps less than the wire: an `externalReference` of an end user or an offer is
//! kept as its `id` only, because Orange always writes `type: orange`; answers write it back so.

use obakit_api::common::types as wire;

use super::non_empty;
use crate::domain::{Characteristic, EndUser, Login, Offer, Phone, RealizingResource};

/// The `type` of references Orange makes.
const ORANGE: &str = "orange";

pub(super) fn characteristics(items: Option<Vec<wire::Characteristic>>) -> Vec<Characteristic> {
    items
        .unwrap_or_default()
        .into_iter()
        .map(|c| Characteristic::new(c.name, c.value))
        .collect()
}

pub(super) fn wire_characteristics(items: &[Characteristic]) -> Option<Vec<wire::Characteristic>> {
    non_empty(
        items
            .iter()
            .map(|c| wire::Characteristic {
                name: c.name.clone(),
                value: c.value.clone(),
            })
            .collect(),
    )
}

pub(super) fn phone(number: wire::PhoneNumber) -> Phone {
    Phone {
        cc: number.cc,
        sn: number.sn,
    }
}

fn wire_phone(number: &Phone) -> wire::PhoneNumber {
    wire::PhoneNumber {
        cc: number.cc.clone(),
        sn: number.sn.clone(),
    }
}

pub(super) fn end_user(person: wire::Individual) -> EndUser {
    EndUser {
        id: person.id,
        external_reference: person.external_reference.map(|r| r.id),
        given_name: person.given_name,
        family_name: person.family_name,
        email: person.email,
        mobile_number: person.mobile_number.map(phone),
    }
}

/// `None` for an end user with nothing to say: Individual has `minProperties: 1`.
pub(super) fn wire_end_user(person: &EndUser) -> Option<wire::Individual> {
    let individual = wire::Individual {
        id: person.id.clone(),
        external_reference: person
            .external_reference
            .as_ref()
            .map(|id| orange_reference(id)),
        given_name: person.given_name.clone(),
        family_name: person.family_name.clone(),
        email: person.email.clone(),
        mobile_number: person.mobile_number.as_ref().map(wire_phone),
    };
    let empty = obakit_api::rt::IsEmptyValue::is_empty_value(&individual);
    (!empty).then_some(individual)
}

pub(super) fn realizing_resource(resource: wire::RealizingResource) -> RealizingResource {
    RealizingResource {
        kind: resource.type_,
        characteristics: characteristics(Some(resource.characteristic)),
    }
}

/// `None` for a resource without characteristics: the wire requires at least one, and one made
/// by the partner's own tools may have none.
pub(super) fn wire_realizing_resource(
    resource: &RealizingResource,
) -> Option<wire::RealizingResource> {
    Some(wire::RealizingResource {
        type_: resource.kind.clone(),
        characteristic: wire_characteristics(&resource.characteristics)?,
    })
}

pub(super) fn offer(offering: wire::ProductOffering) -> Offer {
    Offer {
        code: offering.external_reference.id,
        name: offering.name,
    }
}

pub(super) fn wire_offer(offer: &Offer) -> wire::ProductOffering {
    wire::ProductOffering {
        name: offer.name.clone(),
        external_reference: orange_reference(&offer.code),
    }
}

pub(super) fn wire_login(login: &Login) -> wire::LoginKeyValue {
    wire::LoginKeyValue {
        key: wire::LoginKey::from_wire(login.key.as_str()),
        value: login.value.clone(),
    }
}

fn orange_reference(id: &str) -> wire::ExternalReference {
    wire::ExternalReference {
        type_: ORANGE.to_owned(),
        id: id.to_owned(),
    }
}
