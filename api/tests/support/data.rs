//! Values of the generated types for the round trips: `full_*` sets every optional property (with
//! non-ASCII text, date-times with offsets and fractional seconds, and values the spec's enumerations
//! do not list), `minimal_*` only the required ones.

use chrono::{DateTime, FixedOffset};
use obakit_api::common::types::{
    Characteristic, Error, ExternalReference, Individual, LoginKey, LoginKeyValue, Note,
    PhoneNumber, ProductOffering, RealizingResource, UserServiceState,
};
use obakit_api::product_ordering::types::{
    Contact, ContactRole, EndUserConfiguration, GrantType, OrderItem, OrderItemAction,
    Organization, PostalAddress, ProductOrder, ProductOrderCategory, ProductOrderEvent,
    ProductOrderEventType, ProductOrderState, ProductRef, TokenRequest, TokenResponse,
    UserServiceRef,
};
use obakit_api::user_service::types::{
    EndUserOperation, EndUserOperationAction, ExternalState, ProductOfferingOperation,
    ProductOfferingOperationAction, RealizingResourceOperation, RealizingResourceOperationAction,
    RightOperation, RightOperationAction, ServiceCharacteristicOperation,
    ServiceCharacteristicOperationAction, UserService, UserServiceEvent, UserServiceEventResource,
    UserServiceEventType, UserServiceUpdateItem, UserServiceUpdateRequest,
    UserServiceUpdateResponse, UserServiceUpdateState,
};

pub(crate) fn time(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339).expect("an RFC 3339 date-time")
}

pub(crate) fn s(text: &str) -> String {
    text.to_owned()
}

pub(crate) fn error(code: i32, message: &str) -> Error {
    Error {
        code,
        message: s(message),
        description: Some(format!("détail du code {code}")),
    }
}

fn orange_ref(id: &str) -> ExternalReference {
    ExternalReference {
        type_: s("orange"),
        id: s(id),
    }
}

fn characteristic(name: &str, value: &str) -> Characteristic {
    Characteristic {
        name: s(name),
        value: s(value),
    }
}

fn phone(sn: &str) -> PhoneNumber {
    PhoneNumber {
        cc: s("33"),
        sn: s(sn),
    }
}

pub(crate) fn full_individual() -> Individual {
    Individual {
        id: Some(s("eu-3001")),
        external_reference: Some(orange_ref("EU-77")),
        given_name: Some(s("Zoé")),
        family_name: Some(s("Lefèvre-Ñúñez")),
        email: Some(s("zoe.lefevre@example.fr")),
        mobile_number: Some(phone("612345678")),
    }
}

pub(crate) fn realizing_resource() -> RealizingResource {
    RealizingResource {
        type_: s("URL"),
        characteristic: vec![
            characteristic("url", "https://app.example.com/durand?x=1&y=é"),
            characteristic("empty", ""),
        ],
    }
}

pub(crate) fn full_product_offering() -> ProductOffering {
    ProductOffering {
        name: Some(s("Business App Starter")),
        external_reference: orange_ref("PO-BUSAPP-STARTER"),
    }
}

pub(crate) fn minimal_product_offering() -> ProductOffering {
    ProductOffering {
        name: None,
        external_reference: orange_ref("PO-BUSAPP-STARTER"),
    }
}

/// Every property of an order and its parts set, some enumerations with values the spec does not list.
pub(crate) fn full_product_order() -> ProductOrder {
    ProductOrder {
        id: Some(s("po-7f3c9a2e")),
        external_reference: Some(orange_ref("CMD-000481516")),
        category: Some(ProductOrderCategory::Unknown(s("pilot"))),
        state: Some(ProductOrderState::Completed),
        order_date: Some(time("2025-03-10T09:15:00+01:00")),
        requested_start_date: Some(time("2025-03-10T09:15:00.123456789-05:30")),
        completion_date: Some(time("2025-03-10T09:15:02Z")),
        note: Some(Note {
            text: s("Tout s'est bien passé \"vraiment\" \n sur deux lignes"),
            date: Some(time("2025-03-10T09:15:02Z")),
            author: Some(s("partner")),
        }),
        customer: Some(Organization {
            id: Some(s("cust-1042")),
            external_reference: orange_ref("CUST-00071234"),
            trading_name: Some(s("Durand Conseil")),
            registered_name: Some(s("Durand Conseil SAS")),
            registration_number: Some(s("35200794600019")),
            postal_address: Some(PostalAddress {
                street_name: Some(s("12 rue de la Paix")),
                additional_address: Some(s("Bâtiment B, 3e étage")),
                post_code: Some(s("75002")),
                city: Some(s("Paris")),
                country: Some(s("France")),
            }),
            characteristic: Some(vec![characteristic("segment", "PME")]),
        }),
        related_contact: Some(vec![
            Contact {
                id: Some(s("ct-2201")),
                external_reference: Some(orange_ref("CT-1")),
                role: ContactRole::CustomerFleetManager,
                given_name: Some(s("Marie")),
                family_name: Some(s("Durand")),
                email: Some(s("marie.durand@example.fr")),
                fixed_telephone_number: Some(phone("145678900")),
                mobile_number: Some(phone("612345678")),
                characteristic: Some(vec![characteristic("language", "fr")]),
            },
            Contact {
                id: None,
                external_reference: None,
                role: ContactRole::Unknown(s("orangeSalesRepresentative")),
                given_name: Some(s("Jean")),
                family_name: Some(s("Martin")),
                email: None,
                fixed_telephone_number: None,
                mobile_number: None,
                characteristic: None,
            },
        ]),
        order_item: Some(vec![OrderItem {
            id: Some(s("1")),
            state: Some(ProductOrderState::Unknown(s("partiallyDelivered"))),
            action: OrderItemAction::Add,
            product_offering: full_product_offering(),
            product_ref: ProductRef {
                id: Some(s("fleet-5531")),
                user_service_quantity: 3,
                characteristic: Some(vec![characteristic("storageSize", "50GB")]),
                user_service: Some(vec![
                    UserServiceRef {
                        id: s("lic-90001"),
                        state: UserServiceState::Active,
                    },
                    UserServiceRef {
                        id: s("lic-90002"),
                        state: UserServiceState::Unknown(s("provisioning")),
                    },
                ]),
            },
            end_user_configuration: Some(vec![
                EndUserConfiguration {
                    end_user: Some(full_individual()),
                    realizing_resource: Some(realizing_resource()),
                },
                EndUserConfiguration {
                    end_user: None,
                    realizing_resource: Some(realizing_resource()),
                },
            ]),
        }]),
    }
}

/// A UC2 order with only what the schemas require.
pub(crate) fn minimal_product_order() -> ProductOrder {
    ProductOrder {
        id: None,
        external_reference: None,
        category: None,
        state: None,
        order_date: None,
        requested_start_date: None,
        completion_date: None,
        note: None,
        customer: None,
        related_contact: None,
        order_item: Some(vec![minimal_order_item()]),
    }
}

pub(crate) fn minimal_order_item() -> OrderItem {
    OrderItem {
        id: Some(s("1")),
        state: None,
        action: OrderItemAction::Add,
        product_offering: minimal_product_offering(),
        product_ref: ProductRef {
            id: None,
            user_service_quantity: 1,
            characteristic: None,
            user_service: None,
        },
        end_user_configuration: None,
    }
}

pub(crate) fn product_order_event(resource: ProductOrder) -> ProductOrderEvent {
    ProductOrderEvent {
        id: uuid::Uuid::parse_str("0195a3c4-8e21-7c3a-9b54-3f1d2e6a7b90").expect("a uuid"),
        type_: ProductOrderEventType::CompletedStateNotification,
        time: time("2025-03-10T09:16:30+02:00"),
        resource,
    }
}

pub(crate) fn token_request(scope: Option<&str>) -> TokenRequest {
    TokenRequest {
        grant_type: GrantType::ClientCredentials,
        scope: scope.map(s),
    }
}

pub(crate) fn token_response() -> TokenResponse {
    TokenResponse {
        token_type: s("Bearer"),
        access_token: s("i6AnG9ti2KeMuFcxq9HuhUmbDwWo"),
        expires_in: 3600,
    }
}

/// A license with every property set, the UC5 operations included.
pub(crate) fn full_user_service() -> UserService {
    UserService {
        id: s("lic-90001"),
        related_product_ref_id: s("fleet-5531"),
        state: UserServiceState::Active,
        external_state: Some(ExternalState::Suspended),
        product_offering: full_product_offering(),
        end_user: Some(full_individual()),
        realizing_resource: Some(realizing_resource()),
        login_key_value: Some(LoginKeyValue {
            key: LoginKey::Login,
            value: s("zlefevre"),
        }),
        characteristic: Some(vec![characteristic("storageSize", "50GB")]),
        creation_date: Some(time("2025-03-10T09:15:02Z")),
        last_update: Some(time("2025-03-20T10:00:00.5+01:00")),
        end_user_operation: Some(EndUserOperation {
            action: EndUserOperationAction::Modify,
            end_user: full_individual(),
        }),
        realizing_resource_operation: Some(RealizingResourceOperation {
            action: RealizingResourceOperationAction::Modify,
            realizing_resource: realizing_resource(),
        }),
        right_operation: Some(RightOperation {
            action: RightOperationAction::ResetPassword,
            login_key_value: LoginKeyValue {
                key: LoginKey::Unknown(s("sso")),
                value: s("zoe@sso"),
            },
            email: Some(s("zoe.lefevre@example.fr")),
        }),
        service_characteristic_operation: Some(ServiceCharacteristicOperation {
            action: ServiceCharacteristicOperationAction::Delete,
            characteristic: characteristic("extraStorage", "20GB"),
        }),
    }
}

/// A license with only its required properties.
pub(crate) fn minimal_user_service(id: &str) -> UserService {
    UserService {
        id: s(id),
        related_product_ref_id: s("fleet-5531"),
        state: UserServiceState::Inactive,
        external_state: None,
        product_offering: minimal_product_offering(),
        end_user: None,
        realizing_resource: None,
        login_key_value: None,
        characteristic: None,
        creation_date: None,
        last_update: None,
        end_user_operation: None,
        realizing_resource_operation: None,
        right_operation: None,
        service_characteristic_operation: None,
    }
}

pub(crate) fn update_request() -> UserServiceUpdateRequest {
    UserServiceUpdateRequest {
        user_service: vec![
            UserServiceUpdateItem {
                id: s("lic-90002"),
                external_state: Some(ExternalState::Suspended),
                product_offering_operation: None,
            },
            UserServiceUpdateItem {
                id: s("lic-90001"),
                external_state: Some(ExternalState::Unknown(s("archived"))),
                product_offering_operation: Some(ProductOfferingOperation {
                    action: ProductOfferingOperationAction::Swap,
                    product_offering: full_product_offering(),
                }),
            },
            UserServiceUpdateItem {
                id: s("lic-90003"),
                external_state: None,
                product_offering_operation: None,
            },
        ],
    }
}

pub(crate) fn update_response() -> UserServiceUpdateResponse {
    UserServiceUpdateResponse {
        state: UserServiceUpdateState::Failed,
        user_service: Some(vec![full_user_service(), minimal_user_service("lic-90002")]),
        note: Some(Note {
            text: s("License lic-90005 is terminated; nothing was changed."),
            date: None,
            author: Some(s("partner")),
        }),
    }
}

pub(crate) fn user_service_event() -> UserServiceEvent {
    UserServiceEvent {
        id: uuid::Uuid::parse_str("0195b1e2-4c3d-7a10-8f22-1b3c5d7e9f01").expect("a uuid"),
        type_: UserServiceEventType::UpdateNotification,
        time: time("2025-03-20T10:00:05Z"),
        resource: UserServiceEventResource {
            state: Some(UserServiceUpdateState::Completed),
            user_service: vec![full_user_service(), minimal_user_service("lic-90003")],
            note: None,
        },
    }
}
