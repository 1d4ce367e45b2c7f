//! Builders for the commands the tests send, in the shape the HTTP layer will produce.

use obakit_server::domain::{
    ContactData, CustomerData, EndUser, EndUserConfiguration, ExternalState, Fingerprint, FleetId,
    ItemAction, LicenseId, Offer, OrderItem, PlaceOrder, UpdateItem, UpdateRequest,
};

pub const OFFER: &str = "OBA-BASIC";

pub fn customer(external_id: &str) -> CustomerData {
    CustomerData {
        external_id: external_id.into(),
        trading_name: Some(format!("Customer {external_id}")),
        registered_name: None,
        registration_number: Some("12345678900011".into()),
        postal_address: None,
        characteristics: Vec::new(),
    }
}

pub fn contact(external_id: Option<&str>, given_name: &str) -> ContactData {
    ContactData {
        external_id: external_id.map(str::to_owned),
        role: "customerFleetManager".into(),
        given_name: Some(given_name.into()),
        family_name: Some("Durand".into()),
        email: Some(format!("{}@example.com", given_name.to_lowercase())),
        fixed_telephone_number: None,
        mobile_number: None,
        characteristics: Vec::new(),
    }
}

/// An order whose fingerprint is derived from `content`: same content, same fingerprint.
pub fn order(external_id: &str, content: &str) -> PlaceOrder {
    PlaceOrder {
        external_id: Some(external_id.into()),
        fingerprint: Fingerprint::of_bytes(format!("{external_id}/{content}").as_bytes()),
        customer: Some(customer("CUST-1")),
        contacts: Vec::new(),
        item: None,
        original: None,
    }
}

/// UC1: customer and contacts.
pub fn uc1(external_id: &str, customer_id: &str, contacts: Vec<ContactData>) -> PlaceOrder {
    PlaceOrder {
        customer: Some(customer(customer_id)),
        contacts,
        ..order(external_id, "uc1")
    }
}

fn item(fleet: Option<&FleetId>, quantity: u32) -> OrderItem {
    OrderItem {
        action: ItemAction::Add,
        fleet_id: fleet.cloned(),
        quantity,
        offer: Offer::named(OFFER, "Basic"),
        end_user_configuration: Vec::new(),
        fleet_characteristics: Vec::new(),
    }
}

/// UC2: a new fleet of `quantity` licenses.
pub fn uc2(external_id: &str, quantity: u32) -> PlaceOrder {
    PlaceOrder {
        item: Some(item(None, quantity)),
        ..order(external_id, &format!("uc2/{quantity}"))
    }
}

/// UC2 with end users configured for the first licenses.
pub fn uc2_configured(external_id: &str, quantity: u32, names: &[&str]) -> PlaceOrder {
    let mut order = uc2(external_id, quantity);
    if let Some(item) = order.item.as_mut() {
        item.end_user_configuration = names
            .iter()
            .map(|name| EndUserConfiguration {
                end_user: Some(EndUser {
                    given_name: Some((*name).into()),
                    ..EndUser::default()
                }),
                realizing_resource: None,
            })
            .collect();
    }
    order
}

/// UC3: `quantity` more licenses in a known fleet.
pub fn uc3(external_id: &str, fleet: &FleetId, quantity: u32) -> PlaceOrder {
    PlaceOrder {
        item: Some(item(Some(fleet), quantity)),
        ..order(external_id, &format!("uc3/{fleet}/{quantity}"))
    }
}

/// An order naming another offer code.
pub fn with_offer(mut order: PlaceOrder, code: &str) -> PlaceOrder {
    if let Some(item) = order.item.as_mut() {
        item.offer = Offer::new(code);
    }
    order.fingerprint = Fingerprint::of_bytes(format!("{:?}/{code}", order.external_id).as_bytes());
    order
}

pub fn set_state(license: &LicenseId, state: &str) -> UpdateItem {
    UpdateItem {
        license_id: license.clone(),
        external_state: Some(ExternalState::from(state)),
        swap_to: None,
    }
}

pub fn swap(license: &LicenseId, code: &str) -> UpdateItem {
    UpdateItem {
        license_id: license.clone(),
        external_state: None,
        swap_to: Some(Offer::new(code)),
    }
}

pub fn update(items: Vec<UpdateItem>) -> UpdateRequest {
    UpdateRequest { items }
}
