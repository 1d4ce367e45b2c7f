//! Orange's `customer` (Organization) and `relatedContact` (Contact) → the domain's descriptions.
//!
//! Ids the partner made are never read from a request: a customer or contact is found by Orange's
//! `externalReference` (see the domain's matching rules), and the answer sets the partner's ids.

use obakit_api::product_ordering::types as wire;

use super::values::{characteristics, phone};
use crate::domain::{ContactData, CustomerData, PostalAddress};

pub(super) fn customer(organization: wire::Organization) -> CustomerData {
    CustomerData {
        external_id: organization.external_reference.id,
        trading_name: organization.trading_name,
        registered_name: organization.registered_name,
        registration_number: organization.registration_number,
        postal_address: organization.postal_address.map(postal_address),
        characteristics: characteristics(organization.characteristic),
    }
}

fn postal_address(address: wire::PostalAddress) -> PostalAddress {
    PostalAddress {
        street_name: address.street_name,
        additional_address: address.additional_address,
        post_code: address.post_code,
        city: address.city,
        country: address.country,
    }
}

pub(super) fn contact(contact: wire::Contact) -> ContactData {
    ContactData {
        external_id: contact.external_reference.map(|r| r.id),
        // Open on both sides: a role Orange adds is kept as its wire string.
        role: contact.role.as_str().to_owned(),
        given_name: contact.given_name,
        family_name: contact.family_name,
        email: contact.email,
        fixed_telephone_number: contact.fixed_telephone_number.map(phone),
        mobile_number: contact.mobile_number.map(phone),
        characteristics: characteristics(contact.characteristic),
    }
}
