//! Orange's requests built with the generated types, and helpers that send them and take the
//! answers apart (each helper fails the test on an answer of another kind).

#![allow(dead_code)]

use obakit_api::common::types::{Characteristic, ExternalReference, Individual, ProductOffering};
use obakit_api::product_ordering::handler::CreateProductOrderResponse;
use obakit_api::product_ordering::types::{
    Contact, ContactRole, EndUserConfiguration, OrderItem, OrderItemAction, Organization,
    ProductOrder, ProductOrderCategory, ProductRef,
};
use obakit_api::user_service::handler::{
    GetUserServiceResponse, ListUserServicesResponse, UpdateUserServicesResponse,
};
use obakit_api::user_service::types::{
    ExternalState, ProductOfferingOperation, ProductOfferingOperationAction, UserService,
    UserServiceUpdateItem, UserServiceUpdateRequest, UserServiceUpdateResponse,
};

use crate::support::app::TestApp;

/// The offer every order names unless a test says otherwise.
pub(crate) const OFFER: &str = "PO-BUSAPP-STARTER";
/// A second offer, for swaps.
pub(crate) const OTHER_OFFER: &str = "PO-BUSAPP-PRO";

pub(crate) fn reference(id: &str) -> ExternalReference {
    ExternalReference {
        type_: "orange".into(),
        id: id.into(),
    }
}

pub(crate) fn organization(customer: &str) -> Organization {
    Organization {
        id: None,
        external_reference: reference(customer),
        trading_name: Some("Durand Conseil".into()),
        registered_name: Some("Durand Conseil SAS".into()),
        registration_number: Some("35200794600019".into()),
        postal_address: None,
        characteristic: Some(vec![Characteristic {
            name: "employeeCount".into(),
            value: "45".into(),
        }]),
    }
}

pub(crate) fn contact(external: &str, given_name: &str) -> Contact {
    Contact {
        id: None,
        external_reference: Some(reference(external)),
        role: ContactRole::CustomerFleetManager,
        given_name: Some(given_name.into()),
        family_name: Some("Durand".into()),
        email: Some(format!("{}@example.fr", given_name.to_lowercase())),
        fixed_telephone_number: None,
        mobile_number: None,
        characteristic: None,
    }
}

fn order(orange_id: &str, customer: &str) -> ProductOrder {
    ProductOrder {
        id: None,
        external_reference: Some(reference(orange_id)),
        category: Some(ProductOrderCategory::Production),
        state: None,
        order_date: Some("2025-03-03T14:20:00Z".parse().expect("a date")),
        requested_start_date: None,
        completion_date: None,
        note: None,
        customer: Some(organization(customer)),
        related_contact: None,
        order_item: None,
    }
}

/// UC1: the customer and two contacts.
pub(crate) fn uc1(orange_id: &str, customer: &str) -> ProductOrder {
    ProductOrder {
        related_contact: Some(vec![contact("CTC-1", "Marie"), contact("CTC-2", "Luc")]),
        ..order(orange_id, customer)
    }
}

fn item(fleet: Option<&str>, quantity: i32) -> OrderItem {
    OrderItem {
        id: Some("1".into()),
        state: None,
        action: OrderItemAction::Add,
        product_offering: ProductOffering {
            name: Some("Business App Starter".into()),
            external_reference: reference(OFFER),
        },
        product_ref: ProductRef {
            id: fleet.map(str::to_owned),
            user_service_quantity: quantity,
            characteristic: None,
            user_service: None,
        },
        end_user_configuration: None,
    }
}

/// UC2: a new fleet of `quantity` licenses.
pub(crate) fn uc2(orange_id: &str, quantity: i32) -> ProductOrder {
    ProductOrder {
        order_item: Some(vec![item(None, quantity)]),
        ..order(orange_id, "CUST-1")
    }
}

/// UC3: `quantity` more licenses in `fleet`.
pub(crate) fn uc3(orange_id: &str, fleet: &str, quantity: i32) -> ProductOrder {
    ProductOrder {
        order_item: Some(vec![item(Some(fleet), quantity)]),
        ..order(orange_id, "CUST-1")
    }
}

/// The order with its item naming another offer code.
pub(crate) fn with_offer(mut order: ProductOrder, code: &str) -> ProductOrder {
    if let Some(item) = order.order_item.as_mut().and_then(|i| i.first_mut()) {
        item.product_offering.external_reference = reference(code);
        item.product_offering.name = None;
    }
    order
}

/// The order with end users configured for its first licenses.
pub(crate) fn with_end_users(mut order: ProductOrder, given_names: &[&str]) -> ProductOrder {
    if let Some(item) = order.order_item.as_mut().and_then(|i| i.first_mut()) {
        item.end_user_configuration = Some(
            given_names
                .iter()
                .map(|name| EndUserConfiguration {
                    end_user: Some(Individual {
                        id: None,
                        external_reference: None,
                        given_name: Some((*name).into()),
                        family_name: Some("Martin".into()),
                        email: Some(format!("{}@example.fr", name.to_lowercase())),
                        mobile_number: None,
                    }),
                    realizing_resource: None,
                })
                .collect(),
        );
    }
    order
}

/// Sends an order and returns the 201 answer.
pub(crate) async fn place(app: &TestApp, order: &ProductOrder) -> ProductOrder {
    match app
        .orders()
        .create_product_order(order)
        .await
        .expect("the order is answered")
    {
        CreateProductOrderResponse::Created(answer) => answer.0,
        other => panic!("expected 201, got {other:?}"),
    }
}

/// The fleet id of an answered UC2 or UC3.
pub(crate) fn fleet_of(answer: &ProductOrder) -> String {
    answer.order_item.as_ref().expect("an order item")[0]
        .product_ref
        .id
        .clone()
        .expect("productRef.id")
}

/// The ids of the licenses an answered order created.
pub(crate) fn licenses_of(answer: &ProductOrder) -> Vec<String> {
    answer.order_item.as_ref().expect("an order item")[0]
        .product_ref
        .user_service
        .as_ref()
        .map(|created| created.iter().map(|l| l.id.clone()).collect())
        .unwrap_or_default()
}

/// A new fleet of `quantity` licenses: (fleet id, license ids).
pub(crate) async fn new_fleet(
    app: &TestApp,
    orange_id: &str,
    quantity: i32,
) -> (String, Vec<String>) {
    let answer = place(app, &uc2(orange_id, quantity)).await;
    assert_eq!(answer.state.as_ref().map(|s| s.as_str()), Some("completed"));
    (fleet_of(&answer), licenses_of(&answer))
}

pub(crate) async fn list_fleet(app: &TestApp, fleet: &str) -> Vec<UserService> {
    list(app, Some(fleet.to_owned()), None).await
}

pub(crate) async fn list_ids(app: &TestApp, ids: &[&str]) -> Vec<UserService> {
    list(
        app,
        None,
        Some(ids.iter().map(|s| (*s).to_owned()).collect()),
    )
    .await
}

async fn list(app: &TestApp, fleet: Option<String>, ids: Option<Vec<String>>) -> Vec<UserService> {
    match app
        .licenses()
        .list_user_services(fleet, ids)
        .await
        .expect("the list is answered")
    {
        ListUserServicesResponse::Ok(licenses) => licenses.0,
        other => panic!("expected 200, got {other:?}"),
    }
}

/// One license by id; `None` on a 404 (which must carry code 60).
pub(crate) async fn get(app: &TestApp, id: &str) -> Option<UserService> {
    match app
        .licenses()
        .get_user_service(id.to_owned())
        .await
        .expect("the read is answered")
    {
        GetUserServiceResponse::Ok(license) => Some(license.0),
        GetUserServiceResponse::NotFound(error) => {
            assert_eq!(error.0.code, 60, "{error:?}");
            None
        }
        other => panic!("expected 200 or 404, got {other:?}"),
    }
}

pub(crate) fn set_state(id: &str, state: &str) -> UserServiceUpdateItem {
    UserServiceUpdateItem {
        id: id.into(),
        external_state: Some(ExternalState::from_wire(state)),
        product_offering_operation: None,
    }
}

pub(crate) fn swap(id: &str, code: &str) -> UserServiceUpdateItem {
    UserServiceUpdateItem {
        id: id.into(),
        external_state: None,
        product_offering_operation: Some(ProductOfferingOperation {
            action: ProductOfferingOperationAction::Swap,
            product_offering: ProductOffering {
                name: None,
                external_reference: reference(code),
            },
        }),
    }
}

/// Sends an update and returns the 200 answer.
pub(crate) async fn update(
    app: &TestApp,
    items: Vec<UserServiceUpdateItem>,
) -> UserServiceUpdateResponse {
    let request = UserServiceUpdateRequest {
        user_service: items,
    };
    match app
        .licenses()
        .update_user_services(&request)
        .await
        .expect("the update is answered")
    {
        UpdateUserServicesResponse::Ok(answer) => answer.0,
        other => panic!("expected 200, got {other:?}"),
    }
}

/// A license of an answer by id.
pub(crate) fn find<'a>(licenses: &'a [UserService], id: &str) -> &'a UserService {
    licenses
        .iter()
        .find(|l| l.id == id)
        .unwrap_or_else(|| panic!("license {id} is in {licenses:?}"))
}
