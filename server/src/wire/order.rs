//! `productOrder` → [`PlaceOrder`], and an [`OrderOutcome`] → the answered `productOrder`.
//!
//! The answer is the order as Orange sent it with what the partner made set on it (order id,
//! state, dates, customer and contact ids, fleet id, created licenses, the failure note), so
//! nothing Orange sent is lost. A replay carries the same content (same fingerprint) and is
//! answered from the first outcome, so it gets the first answer again.

use obakit_api::product_ordering::types as wire;
use obakit_api::rt::IsEmptyValue;
use poem_openapi::types::ToJSON;

use super::customer::{contact, customer};
use super::values::{characteristics, end_user, offer, realizing_resource};
use super::{Invalid, failure_note, non_empty, wire_time};
use crate::domain::{
    EndUserConfiguration, Fingerprint, FleetId, ItemAction, License, LicenseId, OrderItem,
    OrderOutcome, OrderState, PlaceOrder,
};

/// The command for an order Orange sent.
///
/// The fingerprint covers the order's business content only: `externalReference`, `category`,
/// `customer`, `relatedContact` and `orderItem`, as parsed (so spacing, property order and
/// properties the spec does not name do not count). Left out are what Orange may restamp on a
/// resend (`orderDate`, `requestedStartDate`, `completionDate`) and what only the partner sets
/// (`id`, `state`, `note`): a resend that differs in those gets the first answer.
pub(crate) fn order_command(order: &wire::ProductOrder) -> Result<PlaceOrder, Invalid> {
    let item = order
        .order_item
        .as_ref()
        .and_then(|items| items.first())
        .map(order_item)
        .transpose()?;
    Ok(PlaceOrder {
        external_id: order.external_reference.as_ref().map(|r| r.id.clone()),
        fingerprint: business_fingerprint(order),
        customer: order.customer.clone().map(customer),
        contacts: order
            .related_contact
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(contact)
            .collect(),
        item,
        original: order.to_json(),
    })
}

/// See [`order_command`] for what it covers.
fn business_fingerprint(order: &wire::ProductOrder) -> Fingerprint {
    let business = wire::ProductOrder {
        id: None,
        state: None,
        order_date: None,
        requested_start_date: None,
        completion_date: None,
        note: None,
        ..order.clone()
    };
    Fingerprint::of_bytes(business.to_json_string().as_bytes())
}

fn order_item(item: &wire::OrderItem) -> Result<OrderItem, Invalid> {
    let quantity = u32::try_from(item.product_ref.user_service_quantity).map_err(|_| {
        Invalid::field(
            "orderItem[0].productRef.userServiceQuantity",
            "must be at least 1",
        )
    })?;
    let configurations = item
        .end_user_configuration
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, configuration)| end_user_configuration(index, configuration))
        .collect::<Result<_, _>>()?;
    Ok(OrderItem {
        action: ItemAction::from(item.action.as_str()),
        fleet_id: item.product_ref.id.clone().map(FleetId::from),
        quantity,
        offer: offer(item.product_offering.clone()),
        end_user_configuration: configurations,
        fleet_characteristics: characteristics(item.product_ref.characteristic.clone()),
    })
}

/// One `endUserConfiguration` entry. The spec gives EndUserConfiguration and Individual
/// `minProperties: 1`, which the generated types cannot check: an empty one is refused here.
fn end_user_configuration(
    index: usize,
    configuration: &wire::EndUserConfiguration,
) -> Result<EndUserConfiguration, Invalid> {
    let path = format!("orderItem[0].endUserConfiguration[{index}]");
    if configuration
        .end_user
        .as_ref()
        .is_some_and(IsEmptyValue::is_empty_value)
    {
        return Err(Invalid::field(
            &format!("{path}.endUser"),
            "an end user needs at least one property",
        ));
    }
    if configuration.is_empty_value() {
        return Err(Invalid::field(
            &path,
            "needs an endUser or a realizingResource",
        ));
    }
    Ok(EndUserConfiguration {
        end_user: configuration.end_user.clone().map(end_user),
        realizing_resource: configuration
            .realizing_resource
            .clone()
            .map(realizing_resource),
    })
}

/// The licenses of `outcome` that an `endUserConfiguration` entry applied to an end user, in
/// configuration order: the ones whose end-user id (made by the partner) the answer reports.
pub(crate) fn configured_licenses(
    order: &wire::ProductOrder,
    outcome: &OrderOutcome,
) -> Vec<LicenseId> {
    let configured = order
        .order_item
        .as_ref()
        .and_then(|items| items.first())
        .and_then(|item| item.end_user_configuration.as_ref())
        .map_or(0, Vec::len);
    outcome
        .licenses
        .iter()
        .take(configured)
        .map(|license| license.id.clone())
        .collect()
}

/// The answer: `order` as received, completed with what `outcome` says. `configured` are the
/// licenses named by [`configured_licenses`] as stored, so each configured end user gets the id
/// the partner made for it.
pub(crate) fn order_answer(
    mut order: wire::ProductOrder,
    outcome: &OrderOutcome,
    configured: &[License],
) -> wire::ProductOrder {
    let state = wire_state(outcome.state);
    order.id = Some(outcome.order_id.to_string());
    order.state = Some(state.clone());
    order.completion_date = outcome.completion_date.map(wire_time);
    // A note Orange sent is answered back, unless the partner has a failure to report in it.
    if let Some(reason) = &outcome.reason {
        order.note = Some(failure_note(reason, outcome.completion_date));
    }
    if let (Some(organization), Some(id)) = (order.customer.as_mut(), &outcome.customer_id) {
        organization.id = Some(id.to_string());
    }
    if let Some(contacts) = order.related_contact.as_mut() {
        // The outcome lists the contact ids in the order's contact order.
        for (contact, id) in contacts.iter_mut().zip(&outcome.contact_ids) {
            contact.id = Some(id.to_string());
        }
    }
    if let Some(item) = order
        .order_item
        .as_mut()
        .and_then(|items| items.first_mut())
    {
        item.state = Some(state);
        if let Some(fleet) = &outcome.fleet_id {
            item.product_ref.id = Some(fleet.to_string());
        }
        if let Some(configurations) = item.end_user_configuration.as_mut() {
            set_end_user_ids(configurations, outcome, configured);
        }
        // Always replaced: only the partner lists created licenses, and a failed order has none.
        item.product_ref.user_service = non_empty(
            outcome
                .licenses
                .iter()
                .map(|license| wire::UserServiceRef {
                    id: license.id.to_string(),
                    state: super::license::wire_state(license.state),
                })
                .collect(),
        );
    }
    order
}

/// Entry `i` configured the `i`-th created license (the domain applies them in order).
fn set_end_user_ids(
    configurations: &mut [wire::EndUserConfiguration],
    outcome: &OrderOutcome,
    configured: &[License],
) {
    for (configuration, created) in configurations.iter_mut().zip(&outcome.licenses) {
        let stored = configured.iter().find(|license| license.id == created.id);
        if let (Some(person), Some(id)) = (
            configuration.end_user.as_mut(),
            stored
                .and_then(|l| l.end_user.as_ref())
                .and_then(|u| u.id.clone()),
        ) {
            person.id = Some(id);
        }
    }
}

fn wire_state(state: OrderState) -> wire::ProductOrderState {
    match state {
        OrderState::Acknowledged => wire::ProductOrderState::Acknowledged,
        OrderState::Completed => wire::ProductOrderState::Completed,
        OrderState::Failed => wire::ProductOrderState::Failed,
    }
}
