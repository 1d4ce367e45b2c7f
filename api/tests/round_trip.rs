//! Round trips through the generated code over real HTTP: a generated client calls the generated
//! poem-openapi servers (on 127.0.0.1, an ephemeral port) backed by a recording implementation of
//! the generated handler traits.
//!
//! For every operation of `spec/product-ordering.yaml` and `spec/user-service.yaml` and every status
//! it declares: the handler receives exactly what the client sent, and the client decodes exactly what
//! the handler answered. Then the wire itself: unknown enumeration values pass, absent optional
//! properties are absent from the raw JSON, requests the framework refuses are answered 400 in the
//! spec's error body with Orange's codes, unimplemented operations answer 501, and a client with a
//! token source sends bearer tokens and renews a refused one once.

mod support;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use obakit_api::common::types::{Error, Individual, Offer, UserServiceState};
use obakit_api::product_ordering::client::{
    ProductOrderingOrangeClient, ProductOrderingPartnerClient,
};
use obakit_api::product_ordering::handler::*;
use obakit_api::product_ordering::types::{
    GrantType, ProductOrderCategory, ProductOrderEventType, TokenRequest,
};
use obakit_api::rt::{ClientCore, ClientError, TokenSource};
use obakit_api::user_service::client::{UserServiceOrangeClient, UserServicePartnerClient};
use obakit_api::user_service::handler::*;
use obakit_api::user_service::types::{
    UserServiceEventType, UserServiceUpdateResponse, UserServiceUpdateState,
};
use poem_openapi::payload::Json;
use poem_openapi::types::ParseFromJSON;
use reqwest::Method;
use serde_json::{Value, json};

use support::data::*;
use support::{
    Answer, Call, Reply, TestServer, assert_same_reply, declared_statuses, send_raw, serve,
    serve_at, serve_unimplemented,
};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// Asserts that `answers` has a variant for every status code the spec declares for `operation_id`.
#[track_caller]
fn assert_every_declared_status<R: Reply>(operation_id: &str, answers: &[R]) {
    let exercised: BTreeSet<u16> = answers.iter().map(Reply::status).collect();
    assert_eq!(
        exercised,
        declared_statuses(operation_id),
        "{operation_id}: the statuses exercised are not the ones the spec declares"
    );
}

// ---------------------------------------------------------------------------------------------------
// Every operation, every declared answer
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn ping_round_trips_its_declared_answer() {
    let server = serve().await;
    let client = server.product_ordering_partner();
    let answers = [PingResponse::Ok];
    for answer in &answers {
        server.recorder.answer(Answer::Ping(answer.duplicate()));
        let decoded = client.ping().await.expect("a declared answer");
        assert_eq!(server.received(), Call::Ping);
        assert_same_reply(&decoded, answer);
        let exchange = server.wire.take_one();
        assert_eq!(
            (exchange.method.as_str(), exchange.uri.as_str()),
            ("GET", "/ping")
        );
        assert!(exchange.response_body.is_empty(), "ping answers no body");
    }
    assert_every_declared_status("ping", &answers);
}

#[tokio::test]
async fn create_product_order_round_trips_the_order_and_every_declared_answer() {
    let server = serve().await;
    let client = server.product_ordering_partner();
    let answers = [
        CreateProductOrderResponse::Created(Json(full_product_order())),
        CreateProductOrderResponse::Created(Json(minimal_product_order())),
        CreateProductOrderResponse::BadRequest(Json(error(24, "Invalid body field"))),
        CreateProductOrderResponse::Unauthorized(Json(error(41, "Invalid credentials"))),
        CreateProductOrderResponse::Conflict(Json(error(69, "Conflict"))),
        CreateProductOrderResponse::PayloadTooLarge(Json(error(66, "Body too large"))),
    ];
    for (i, answer) in answers.iter().enumerate() {
        let order = if i % 2 == 0 {
            full_product_order()
        } else {
            minimal_product_order()
        };
        server
            .recorder
            .answer(Answer::CreateProductOrder(answer.duplicate()));
        let decoded = client
            .create_product_order(&order)
            .await
            .expect("a declared answer");
        assert_eq!(server.received(), Call::CreateProductOrder(order));
        assert_same_reply(&decoded, answer);
        let exchange = server.wire.take_one();
        assert_eq!(
            (exchange.method.as_str(), exchange.uri.as_str()),
            ("POST", "/productordering/v2/productOrder")
        );
        assert_eq!(exchange.content_type.as_deref(), Some(JSON));
        assert_eq!(exchange.status, answer.status());
        assert!(
            exchange
                .response_content_type
                .as_deref()
                .is_some_and(|t| t.starts_with(JSON)),
            "{exchange:?}"
        );
    }
    assert_every_declared_status("createProductOrder", &answers);
}

#[tokio::test]
async fn notify_product_order_event_round_trips_offer_event_and_every_declared_answer() {
    let server = serve().await;
    let client = server.product_ordering_orange();
    let answers = [
        NotifyProductOrderEventResponse::Created(Json(product_order_event(full_product_order()))),
        NotifyProductOrderEventResponse::BadRequest(Json(error(22, "Invalid body"))),
        NotifyProductOrderEventResponse::Unauthorized(Json(error(40, "Missing credentials"))),
    ];
    let offers = [Offer::Mba2, Offer::Mba2Beta, Offer::Unknown(s("mba3"))];
    for (answer, offer) in answers.iter().zip(offers) {
        let event = product_order_event(full_product_order());
        server
            .recorder
            .answer(Answer::NotifyProductOrderEvent(answer.duplicate()));
        let decoded = client
            .notify_product_order_event(offer.clone(), &event)
            .await
            .expect("a declared answer");
        let exchange = server.wire.take_one();
        assert_eq!(
            exchange.uri,
            format!("/{}/productordering/v2/event", offer.as_str())
        );
        assert_eq!(
            server.received(),
            Call::NotifyProductOrderEvent(offer, event)
        );
        assert_same_reply(&decoded, answer);
    }
    assert_every_declared_status("notifyProductOrderEvent", &answers);
}

#[tokio::test]
async fn create_access_token_round_trips_the_form_and_every_declared_answer() {
    let server = serve().await;
    let client = server.product_ordering_orange();
    let answers = [
        CreateAccessTokenResponse::Ok(Json(token_response())),
        CreateAccessTokenResponse::BadRequest(Json(error(23, "Missing body field"))),
        CreateAccessTokenResponse::Unauthorized(Json(error(41, "Invalid credentials"))),
    ];
    let forms = [
        (
            token_request(Some("mba2 read&write=é")),
            "grant_type=client_credentials&scope=mba2+read%26write%3D%C3%A9",
        ),
        (token_request(None), "grant_type=client_credentials"),
        (
            TokenRequest {
                grant_type: GrantType::Unknown(s("password")),
                scope: None,
            },
            "grant_type=password",
        ),
    ];
    for (answer, (form, wire_form)) in answers.iter().zip(forms) {
        server
            .recorder
            .answer(Answer::CreateAccessToken(answer.duplicate()));
        let decoded = client
            .create_access_token(&form)
            .await
            .expect("a declared answer");
        let exchange = server.wire.take_one();
        assert_eq!(exchange.content_type.as_deref(), Some(FORM));
        assert_eq!(String::from_utf8_lossy(&exchange.request_body), wire_form);
        assert_eq!(server.received(), Call::CreateAccessToken(form));
        assert_same_reply(&decoded, answer);
    }
    assert_every_declared_status("createAccessToken", &answers);
}

#[tokio::test]
async fn list_user_services_round_trips_both_query_parameters_and_every_declared_answer() {
    let server = serve().await;
    let client = server.user_service_partner();
    let answers = [
        ListUserServicesResponse::Ok(Json(vec![
            full_user_service(),
            minimal_user_service("lic-90002"),
        ])),
        ListUserServicesResponse::Ok(Json(vec![])),
        ListUserServicesResponse::BadRequest(Json(error(28, "Invalid query parameter value"))),
        ListUserServicesResponse::Unauthorized(Json(error(41, "Invalid credentials"))),
    ];
    let queries = [
        (Some(s("fleet-5531")), None),
        (
            None,
            Some(vec![s("lic-90001"), s("lic-90002"), s("lic-é 3")]),
        ),
        (Some(s("fleet-5531")), Some(vec![s("lic-90001")])),
        (None, None),
    ];
    for (answer, (product_ref_id, ids)) in answers.iter().zip(queries) {
        server
            .recorder
            .answer(Answer::ListUserServices(answer.duplicate()));
        let decoded = client
            .list_user_services(product_ref_id.clone(), ids.clone())
            .await
            .expect("a declared answer");
        let exchange = server.wire.take_one();
        if let Some(ids) = &ids {
            // explode: false — one `id` parameter whose value is the comma-separated list.
            let url = reqwest::Url::parse(&format!("http://server{}", exchange.uri)).unwrap();
            let sent: Vec<(String, String)> = url
                .query_pairs()
                .into_owned()
                .filter(|(name, _)| name == "id")
                .collect();
            assert_eq!(sent, vec![(s("id"), ids.join(","))], "{}", exchange.uri);
        }
        assert_eq!(
            server.received(),
            Call::ListUserServices(product_ref_id, ids)
        );
        assert_same_reply(&decoded, answer);
    }
    assert_every_declared_status("listUserServices", &answers);
}

// poem-openapi 5.1.16 panics on an absent optional `explode = false` query parameter
// (`values.next().unwrap()` in param/query.rs) unless it has a default: the generated server gives it
// one (`None`), so `?productRefId=…`, the query Orange actually sends, reaches the handler.
#[tokio::test]
async fn list_user_services_without_the_id_parameter_reaches_the_handler() {
    let server = serve().await;
    let client = server.user_service_partner();
    for product_ref_id in [Some(s("fleet-5531")), None] {
        let answer = ListUserServicesResponse::Ok(Json(vec![minimal_user_service("lic-1")]));
        server
            .recorder
            .answer(Answer::ListUserServices(answer.duplicate()));
        let decoded = client
            .list_user_services(product_ref_id.clone(), None)
            .await
            .expect("a declared answer");
        assert_eq!(
            server.received(),
            Call::ListUserServices(product_ref_id, None)
        );
        assert_same_reply(&decoded, &answer);
    }
}

#[tokio::test]
async fn list_user_services_reads_a_literal_comma_separated_id_list() {
    let server = serve().await;
    server
        .recorder
        .answer(Answer::ListUserServices(ListUserServicesResponse::Ok(
            Json(vec![]),
        )));
    let answer = send_raw(
        Method::GET,
        &server.url("/userservice/v2/userService?id=lic-90001,lic-90002"),
        None,
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!([]));
    assert_eq!(
        server.received(),
        Call::ListUserServices(None, Some(vec![s("lic-90001"), s("lic-90002")]))
    );
}

#[tokio::test]
async fn get_user_service_round_trips_the_path_id_and_every_declared_answer() {
    let server = serve().await;
    let client = server.user_service_partner();
    let answers = [
        GetUserServiceResponse::Ok(Json(full_user_service())),
        GetUserServiceResponse::Ok(Json(minimal_user_service("lic 9 é+ü"))),
        GetUserServiceResponse::BadRequest(Json(error(28, "Invalid query parameter value"))),
        GetUserServiceResponse::Unauthorized(Json(error(40, "Missing credentials"))),
        GetUserServiceResponse::NotFound(Json(error(60, "Resource not found"))),
    ];
    let ids = [
        "lic-90001",
        "lic 9 é+ü",
        "lic-90002",
        "lic-90003",
        "lic-99999",
    ];
    for (answer, id) in answers.iter().zip(ids) {
        server
            .recorder
            .answer(Answer::GetUserService(answer.duplicate()));
        let decoded = client
            .get_user_service(s(id))
            .await
            .expect("a declared answer");
        assert_eq!(server.received(), Call::GetUserService(s(id)));
        assert_same_reply(&decoded, answer);
    }
    assert_every_declared_status("getUserService", &answers);
}

#[tokio::test]
async fn update_user_services_round_trips_the_update_and_every_declared_answer() {
    let server = serve().await;
    let client = server.user_service_partner();
    let answers = [
        UpdateUserServicesResponse::Ok(Json(update_response())),
        UpdateUserServicesResponse::Ok(Json(UserServiceUpdateResponse {
            state: UserServiceUpdateState::Acknowledged,
            user_service: None,
            note: None,
        })),
        UpdateUserServicesResponse::BadRequest(Json(error(24, "Invalid body field"))),
        UpdateUserServicesResponse::Unauthorized(Json(error(41, "Invalid credentials"))),
        UpdateUserServicesResponse::PayloadTooLarge(Json(error(66, "Body too large"))),
    ];
    for answer in &answers {
        let update = update_request();
        server
            .recorder
            .answer(Answer::UpdateUserServices(answer.duplicate()));
        let decoded = client
            .update_user_services(&update)
            .await
            .expect("a declared answer");
        assert_eq!(server.received(), Call::UpdateUserServices(update));
        assert_same_reply(&decoded, answer);
    }
    assert_every_declared_status("updateUserServices", &answers);
}

#[tokio::test]
async fn notify_user_service_event_round_trips_offer_event_and_every_declared_answer() {
    let server = serve().await;
    let client = server.user_service_orange();
    let answers = [
        NotifyUserServiceEventResponse::Created(Json(user_service_event())),
        NotifyUserServiceEventResponse::BadRequest(Json(error(21, "Missing body"))),
        NotifyUserServiceEventResponse::Unauthorized(Json(error(41, "Invalid credentials"))),
    ];
    let offers = [
        Offer::Mba2Beta,
        Offer::Mba2,
        Offer::Unknown(s("mba2-gamma")),
    ];
    for (answer, offer) in answers.iter().zip(offers) {
        let event = user_service_event();
        server
            .recorder
            .answer(Answer::NotifyUserServiceEvent(answer.duplicate()));
        let decoded = client
            .notify_user_service_event(offer.clone(), &event)
            .await
            .expect("a declared answer");
        assert_eq!(
            server.received(),
            Call::NotifyUserServiceEvent(offer, event)
        );
        assert_same_reply(&decoded, answer);
    }
    assert_every_declared_status("notifyUserServiceEvent", &answers);
}

#[tokio::test]
async fn client_with_a_base_path_reaches_a_server_mounted_under_it() {
    let server = serve_at("/api").await;
    assert!(server.base_url.ends_with("/api"));
    server.recorder.answer(Answer::Ping(PingResponse::Ok));
    let decoded = server.product_ordering_partner().ping().await.unwrap();
    assert_same_reply(&decoded, &PingResponse::Ok);
    assert_eq!(server.wire.take_one().uri, "/api/ping");

    let client = UserServicePartnerClient::new(&format!("{}/", server.base_url)).unwrap();
    let answer = GetUserServiceResponse::Ok(Json(minimal_user_service("lic-1")));
    server
        .recorder
        .answer(Answer::GetUserService(answer.duplicate()));
    let decoded = client.get_user_service(s("lic-1")).await.unwrap();
    assert_same_reply(&decoded, &answer);
    assert_eq!(
        server.wire.take_one().uri,
        "/api/userservice/v2/userService/lic-1"
    );
}

// ---------------------------------------------------------------------------------------------------
// Open enumerations
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_enum_values_survive_the_round_trip_in_path_request_and_response() {
    let server = serve().await;
    let client = server.user_service_orange();
    let mut event = user_service_event();
    event.type_ = UserServiceEventType::Unknown(s("deleteNotification"));
    event.resource.state = Some(UserServiceUpdateState::Unknown(s("rolledBack")));
    event.resource.user_service[0].state = UserServiceState::Unknown(s("frozen"));
    let offer = Offer::Unknown(s("mba9-staging"));
    let answer = NotifyUserServiceEventResponse::Created(Json(event.clone()));

    server
        .recorder
        .answer(Answer::NotifyUserServiceEvent(answer.duplicate()));
    let decoded = client
        .notify_user_service_event(offer.clone(), &event)
        .await
        .unwrap();

    let exchange = server.wire.take_one();
    assert_eq!(exchange.uri, "/mba9-staging/userservice/v2/event");
    for wire in [exchange.request_json(), exchange.response_json()] {
        assert_eq!(wire["type"], "deleteNotification");
        assert_eq!(wire["resource"]["state"], "rolledBack");
        assert_eq!(wire["resource"]["userService"][0]["state"], "frozen");
    }
    assert_eq!(
        server.received(),
        Call::NotifyUserServiceEvent(offer, event)
    );
    assert_same_reply(&decoded, &answer);

    // The same in the other API: the full order carries values ProductOrderCategory,
    // ProductOrderState, ContactRole, UserServiceState and ProductOrderEventType do not list.
    let mut po_event = product_order_event(full_product_order());
    po_event.type_ = ProductOrderEventType::Unknown(s("cancelledStateNotification"));
    assert_eq!(
        po_event.resource.category,
        Some(ProductOrderCategory::Unknown(s("pilot")))
    );
    let answer = NotifyProductOrderEventResponse::Created(Json(po_event.clone()));
    server
        .recorder
        .answer(Answer::NotifyProductOrderEvent(answer.duplicate()));
    let decoded = server
        .product_ordering_orange()
        .notify_product_order_event(Offer::Mba2, &po_event)
        .await
        .unwrap();
    assert_eq!(
        server.received(),
        Call::NotifyProductOrderEvent(Offer::Mba2, po_event)
    );
    assert_same_reply(&decoded, &answer);
    let wire = server.wire.take_one().request_json();
    assert_eq!(wire["type"], "cancelledStateNotification");
    assert_eq!(wire["resource"]["category"], "pilot");
    assert_eq!(
        wire["resource"]["orderItem"][0]["state"],
        "partiallyDelivered"
    );
    assert_eq!(
        wire["resource"]["relatedContact"][1]["role"],
        "orangeSalesRepresentative"
    );
}

// ---------------------------------------------------------------------------------------------------
// Absent optional properties on the wire
// ---------------------------------------------------------------------------------------------------

/// Every `null`, `{}` and `[]` in a JSON document, by path.
fn empty_nodes(value: &Value, at: &str, found: &mut Vec<String>) {
    match value {
        Value::Null => found.push(format!("{at} = null")),
        Value::Array(items) if items.is_empty() => found.push(format!("{at} = []")),
        Value::Object(map) if map.is_empty() => found.push(format!("{at} = {{}}")),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                empty_nodes(item, &format!("{at}[{i}]"), found);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                empty_nodes(item, &format!("{at}.{key}"), found);
            }
        }
        _ => {}
    }
}

#[track_caller]
fn assert_no_empty_nodes(value: &Value) {
    let mut found = Vec::new();
    empty_nodes(value, "$", &mut found);
    assert!(found.is_empty(), "empty nodes on the wire: {found:#?}");
}

#[tokio::test]
async fn optional_properties_set_to_none_are_absent_from_the_raw_json_both_ways() {
    let server = serve().await;

    // Request: the generated client leaves out what is None.
    server.recorder.answer(Answer::CreateProductOrder(
        CreateProductOrderResponse::Created(Json(minimal_product_order())),
    ));
    server
        .product_ordering_partner()
        .create_product_order(&minimal_product_order())
        .await
        .unwrap();
    server.received();
    let exchange = server.wire.take_one();
    let minimal_order = json!({
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": "PO-BUSAPP-STARTER"}},
            "productRef": {"userServiceQuantity": 1}
        }]
    });
    assert_eq!(exchange.request_json(), minimal_order);
    assert_eq!(exchange.response_json(), minimal_order);

    // Response, read with plain reqwest: the generated server leaves out what is None.
    server
        .recorder
        .answer(Answer::GetUserService(GetUserServiceResponse::Ok(Json(
            minimal_user_service("lic-90002"),
        ))));
    let answer = send_raw(
        Method::GET,
        &server.url("/userservice/v2/userService/lic-90002"),
        None,
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({
            "id": "lic-90002",
            "relatedProductRefId": "fleet-5531",
            "state": "inactive",
            "productOffering": {"externalReference": {"type": "orange", "id": "PO-BUSAPP-STARTER"}}
        })
    );

    // The error body without its optional description.
    server
        .recorder
        .answer(Answer::GetUserService(GetUserServiceResponse::NotFound(
            Json(Error {
                code: 60,
                message: s("Resource not found"),
                description: None,
            }),
        )));
    let answer = send_raw(
        Method::GET,
        &server.url("/userservice/v2/userService/lic-0"),
        None,
        "",
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json(),
        json!({"code": 60, "message": "Resource not found"})
    );
    server.wire.take();
    server.recorder.take_calls();

    // A form leaves out an absent field too.
    server
        .recorder
        .answer(Answer::CreateAccessToken(CreateAccessTokenResponse::Ok(
            Json(token_response()),
        )));
    server
        .product_ordering_orange()
        .create_access_token(&token_request(None))
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&server.wire.take_one().request_body),
        "grant_type=client_credentials"
    );

    // Full structures carry no null, {} or [] anywhere.
    server
        .recorder
        .answer(Answer::UpdateUserServices(UpdateUserServicesResponse::Ok(
            Json(update_response()),
        )));
    server
        .user_service_partner()
        .update_user_services(&update_request())
        .await
        .unwrap();
    let exchange = server.wire.take_one();
    assert_no_empty_nodes(&exchange.request_json());
    assert_no_empty_nodes(&exchange.response_json());
}

#[tokio::test]
async fn empty_optional_arrays_and_objects_are_left_out_and_arrive_as_none() {
    let server = serve().await;
    let empty_individual = Individual {
        id: None,
        external_reference: None,
        given_name: None,
        family_name: None,
        email: None,
        mobile_number: None,
    };

    let mut sent = minimal_product_order();
    sent.related_contact = Some(vec![]);
    let mut answered = minimal_user_service("lic-90004");
    answered.characteristic = Some(vec![]);
    answered.end_user = Some(empty_individual);

    server.recorder.answer(Answer::CreateProductOrder(
        CreateProductOrderResponse::Created(Json(sent.clone())),
    ));
    let decoded = server
        .product_ordering_partner()
        .create_product_order(&sent)
        .await
        .unwrap();
    let exchange = server.wire.take_one();
    assert!(exchange.request_json().get("relatedContact").is_none());
    assert!(exchange.response_json().get("relatedContact").is_none());
    assert_eq!(
        server.received(),
        Call::CreateProductOrder(minimal_product_order())
    );
    assert_same_reply(
        &decoded,
        &CreateProductOrderResponse::Created(Json(minimal_product_order())),
    );

    server
        .recorder
        .answer(Answer::GetUserService(GetUserServiceResponse::Ok(Json(
            answered,
        ))));
    let decoded = server
        .user_service_partner()
        .get_user_service(s("lic-90004"))
        .await
        .unwrap();
    let wire = server.wire.take_one().response_json();
    assert!(wire.get("characteristic").is_none(), "{wire}");
    assert!(wire.get("endUser").is_none(), "{wire}");
    assert_same_reply(
        &decoded,
        &GetUserServiceResponse::Ok(Json(minimal_user_service("lic-90004"))),
    );
}

// ---------------------------------------------------------------------------------------------------
// Requests the framework refuses: 400 in the spec's error body, Orange's codes
// ---------------------------------------------------------------------------------------------------

/// Sends a raw request and asserts it is answered 400 with `{code, message, description}` carrying
/// `code`, without reaching a handler. Returns the error body.
async fn assert_refused(
    server: &TestServer,
    method: Method,
    path_and_query: &str,
    content_type: Option<&str>,
    body: &str,
    code: i32,
) -> Error {
    let answer = send_raw(
        method,
        &server.url(path_and_query),
        content_type,
        body.to_owned(),
    )
    .await;
    let context = format!(
        "{path_and_query} {content_type:?} {body:?} → {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.status, 400, "{context}");
    assert!(
        answer
            .content_type
            .as_deref()
            .is_some_and(|t| t.starts_with(JSON)),
        "{context}: content type {:?}",
        answer.content_type
    );
    let body = answer.json();
    let keys: BTreeSet<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["code", "message", "description"]),
        "{context}"
    );
    let error = Error::parse_from_json(Some(body.clone()))
        .unwrap_or_else(|e| panic!("{context}: not the spec's Error: {}", e.into_message()));
    assert_eq!(error.code, code, "{context}");
    assert!(!error.message.is_empty(), "{context}");
    assert!(
        error.description.as_deref().is_some_and(|d| !d.is_empty()),
        "{context}"
    );
    server.assert_no_handler_called();
    error
}

const ORDER: &str = "/productordering/v2/productOrder";
const UPDATE: &str = "/userservice/v2/userService/update";
const TOKEN: &str = "/oauth/v3/token";

fn order_json(edit: impl FnOnce(&mut Value)) -> String {
    let mut order = json!({
        "externalReference": {"type": "orange", "id": "CMD-1"},
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": "PO-1"}},
            "productRef": {"userServiceQuantity": 2}
        }]
    });
    edit(&mut order);
    order.to_string()
}

#[tokio::test]
async fn well_formed_raw_order_reaches_the_handler() {
    // The baseline the refusals below differ from in one point each.
    let server = serve().await;
    server.recorder.answer(Answer::CreateProductOrder(
        CreateProductOrderResponse::Created(Json(minimal_product_order())),
    ));
    let answer = send_raw(
        Method::POST,
        &server.url(ORDER),
        Some(JSON),
        order_json(|_| {}),
    )
    .await;
    assert_eq!(answer.status, 201);
    assert!(matches!(server.received(), Call::CreateProductOrder(_)));
}

#[tokio::test]
async fn malformed_json_is_refused_400_with_code_22() {
    let server = serve().await;
    assert_refused(
        &server,
        Method::POST,
        ORDER,
        Some(JSON),
        r#"{"orderItem": ["#,
        22,
    )
    .await;
    assert_refused(
        &server,
        Method::POST,
        UPDATE,
        Some(JSON),
        "userService=1",
        22,
    )
    .await;
}

#[tokio::test]
async fn missing_body_is_refused_400_with_code_21() {
    let server = serve().await;
    assert_refused(&server, Method::POST, ORDER, Some(JSON), "", 21).await;
    assert_refused(&server, Method::POST, UPDATE, Some(JSON), "", 21).await;
}

#[tokio::test]
async fn missing_required_field_is_refused_400_with_code_23() {
    let server = serve().await;
    let body = order_json(|o| {
        o["orderItem"][0]
            .as_object_mut()
            .unwrap()
            .remove("productRef");
    });
    assert_refused(&server, Method::POST, ORDER, Some(JSON), &body, 23).await;
    assert_refused(&server, Method::POST, UPDATE, Some(JSON), "{}", 23).await;
    let event = json!({"id": "0195a3c4-8e21-7c3a-9b54-3f1d2e6a7b90", "type": "updateNotification", "time": "2025-03-20T10:00:05Z"});
    assert_refused(
        &server,
        Method::POST,
        "/mba2/userservice/v2/event",
        Some(JSON),
        &event.to_string(),
        23,
    )
    .await;
}

#[tokio::test]
async fn missing_required_form_field_is_refused_400_with_code_23() {
    let server = serve().await;
    assert_refused(&server, Method::POST, TOKEN, Some(FORM), "scope=mba2", 23).await;
}

#[tokio::test]
async fn constraint_violations_are_refused_400_with_code_24() {
    let server = serve().await;
    let cases = [
        order_json(|o| o["orderItem"][0]["productRef"]["userServiceQuantity"] = json!(0)),
        order_json(|o| o["orderItem"][0]["productRef"]["userServiceQuantity"] = json!("2")),
        order_json(|o| o["orderItem"][0]["id"] = json!("")),
        order_json(|o| o["orderItem"][0]["id"] = json!("x".repeat(129))),
        order_json(|o| {
            let item = o["orderItem"][0].clone();
            o["orderItem"] = json!([item.clone(), item]);
        }),
        order_json(|o| o["orderItem"] = json!([])),
        order_json(|o| o["orderDate"] = json!("yesterday")),
        order_json(|o| o["category"] = json!(7)),
    ];
    for body in cases {
        assert_refused(&server, Method::POST, ORDER, Some(JSON), &body, 24).await;
    }
    assert_refused(
        &server,
        Method::POST,
        UPDATE,
        Some(JSON),
        r#"{"userService": []}"#,
        24,
    )
    .await;
}

#[tokio::test]
async fn constraint_violation_sent_by_the_generated_client_comes_back_as_typed_bad_request() {
    let server = serve().await;
    let mut order = minimal_product_order();
    order.order_item.as_mut().unwrap()[0]
        .product_ref
        .user_service_quantity = 0;
    let decoded = server
        .product_ordering_partner()
        .create_product_order(&order)
        .await
        .unwrap();
    let CreateProductOrderResponse::BadRequest(Json(error)) = decoded else {
        panic!("expected 400, got {decoded:?}");
    };
    assert_eq!(error.code, 24);
    assert!(
        error
            .description
            .as_deref()
            .is_some_and(|d| d.contains("userServiceQuantity")),
        "{error:?}"
    );
    server.assert_no_handler_called();
}

#[tokio::test]
async fn wrong_content_type_is_refused_400_with_code_22() {
    let server = serve().await;
    let order = order_json(|_| {});
    assert_refused(&server, Method::POST, ORDER, Some("text/plain"), &order, 22).await;
    assert_refused(&server, Method::POST, ORDER, Some(FORM), "grant_type=x", 22).await;
    assert_refused(&server, Method::POST, ORDER, None, &order, 22).await;
    assert_refused(
        &server,
        Method::POST,
        TOKEN,
        Some(JSON),
        r#"{"grant_type": "client_credentials"}"#,
        22,
    )
    .await;
}

#[tokio::test]
async fn invalid_query_parameter_is_refused_400_with_code_28() {
    let server = serve().await;
    let list = "/userservice/v2/userService";
    assert_refused(
        &server,
        Method::GET,
        &format!("{list}?productRefId="),
        None,
        "",
        28,
    )
    .await;
    let long = "f".repeat(129);
    assert_refused(
        &server,
        Method::GET,
        &format!("{list}?productRefId={long}"),
        None,
        "",
        28,
    )
    .await;
}

#[tokio::test]
async fn over_long_license_id_in_the_path_is_refused_400_before_the_handler() {
    // getUserService declares no 400, so there is no error body to answer in: only the status is checked.
    let server = serve().await;
    let path = format!("/userservice/v2/userService/{}", "l".repeat(129));
    let answer = send_raw(Method::GET, &server.url(&path), None, "").await;
    assert_eq!(answer.status, 400);
    server.assert_no_handler_called();
}

// `format: uuid` is a `Uuid`: an event id that is not one is refused.
#[tokio::test]
async fn event_id_that_is_not_a_uuid_is_refused_400_with_code_24() {
    let server = serve().await;
    let mut event = product_order_event_json();
    event["id"] = json!("not-a-uuid");
    assert_refused(
        &server,
        Method::POST,
        "/mba2/productordering/v2/event",
        Some(JSON),
        &event.to_string(),
        24,
    )
    .await;
}

fn product_order_event_json() -> Value {
    json!({
        "id": "0195a3c4-8e21-7c3a-9b54-3f1d2e6a7b90",
        "type": "completedStateNotification",
        "time": "2025-03-10T09:16:30Z",
        "resource": {"id": "po-1", "state": "completed"}
    })
}

/// `minProperties: 1` of Individual and EndUserConfiguration.
#[tokio::test]
async fn empty_end_user_object_is_refused_400_with_code_24() {
    let server = serve().await;
    let body = order_json(|o| o["orderItem"][0]["endUserConfiguration"] = json!([{"endUser": {}}]));
    assert_refused(&server, Method::POST, ORDER, Some(JSON), &body, 24).await;
    let body = order_json(|o| o["orderItem"][0]["endUserConfiguration"] = json!([{}]));
    assert_refused(&server, Method::POST, ORDER, Some(JSON), &body, 24).await;
}

/// Form bodies are parsed through the schema like JSON ones: `scope` has minLength 1 and maxLength 1024.
#[tokio::test]
async fn form_field_violating_its_constraints_is_refused_400_with_code_24() {
    let server = serve().await;
    let body = "grant_type=client_credentials&scope=";
    assert_refused(&server, Method::POST, TOKEN, Some(FORM), body, 24).await;
    let body = format!("grant_type=client_credentials&scope={}", "s".repeat(1025));
    assert_refused(&server, Method::POST, TOKEN, Some(FORM), &body, 24).await;
}

/// The `id` query array's item constraints (minLength 1, maxLength 128), checked item by item.
#[tokio::test]
async fn over_long_or_empty_id_in_the_id_list_is_refused_400_with_code_28() {
    let server = serve().await;
    let path = format!("/userservice/v2/userService?id=lic-1,{}", "l".repeat(129));
    assert_refused(&server, Method::GET, &path, None, "", 28).await;
    assert_refused(
        &server,
        Method::GET,
        "/userservice/v2/userService?id=lic-1,",
        None,
        "",
        28,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------------
// Unimplemented operations
// ---------------------------------------------------------------------------------------------------

#[track_caller]
fn assert_not_implemented<T: std::fmt::Debug>(result: Result<T, ClientError>, operation_id: &str) {
    match result {
        Err(ClientError::UnexpectedStatus { status: 501, body }) => assert!(
            body.contains(&format!("`{operation_id}`")),
            "{operation_id}: {body}"
        ),
        other => panic!("{operation_id}: expected 501, got {other:?}"),
    }
}

#[tokio::test]
async fn every_operation_of_the_unimplemented_stubs_answers_501() {
    let server = serve_unimplemented().await;
    let po_partner = server.product_ordering_partner();
    let po_orange = server.product_ordering_orange();
    let us_partner = server.user_service_partner();
    let us_orange = server.user_service_orange();

    assert_not_implemented(po_partner.ping().await, "ping");
    assert_not_implemented(
        po_partner.create_product_order(&full_product_order()).await,
        "createProductOrder",
    );
    assert_not_implemented(
        po_orange
            .notify_product_order_event(Offer::Mba2, &product_order_event(minimal_product_order()))
            .await,
        "notifyProductOrderEvent",
    );
    assert_not_implemented(
        po_orange.create_access_token(&token_request(None)).await,
        "createAccessToken",
    );
    assert_not_implemented(
        us_partner
            .list_user_services(Some(s("fleet-1")), None)
            .await,
        "listUserServices",
    );
    assert_not_implemented(
        us_partner.get_user_service(s("lic-1")).await,
        "getUserService",
    );
    assert_not_implemented(
        us_partner.update_user_services(&update_request()).await,
        "updateUserServices",
    );
    assert_not_implemented(
        us_orange
            .notify_user_service_event(Offer::Mba2, &user_service_event())
            .await,
        "notifyUserServiceEvent",
    );
    assert_eq!(server.wire.take().len(), 8);
}

// ---------------------------------------------------------------------------------------------------
// Bearer tokens
// ---------------------------------------------------------------------------------------------------

/// A token cache: hands out its current token, fetches `token-<n>` when it has none, forgets a
/// token the server refused. Counts everything.
#[derive(Default)]
struct CountingTokens {
    current: Mutex<Option<String>>,
    token_calls: AtomicUsize,
    fetched: AtomicUsize,
    invalidated: Mutex<Vec<String>>,
}

impl TokenSource for CountingTokens {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, ClientError>> + Send + '_>> {
        Box::pin(async move {
            self.token_calls.fetch_add(1, Ordering::SeqCst);
            let mut current = self.current.lock().unwrap();
            let token = current.get_or_insert_with(|| {
                let n = self.fetched.fetch_add(1, Ordering::SeqCst) + 1;
                format!("token-{n}")
            });
            Ok(token.clone())
        })
    }

    fn invalidate(&self, token: &str) {
        self.invalidated.lock().unwrap().push(token.to_owned());
        let mut current = self.current.lock().unwrap();
        if current.as_deref() == Some(token) {
            *current = None;
        }
    }
}

impl CountingTokens {
    fn counts(&self) -> (usize, usize, Vec<String>) {
        (
            self.token_calls.load(Ordering::SeqCst),
            self.fetched.load(Ordering::SeqCst),
            self.invalidated.lock().unwrap().clone(),
        )
    }
}

fn core_with(server: &TestServer, tokens: &Arc<CountingTokens>) -> ClientCore {
    ClientCore::new(&server.base_url)
        .unwrap()
        .with_token_source(tokens.clone())
}

#[tokio::test]
async fn client_with_a_token_source_sends_its_bearer_token_on_every_request() {
    let server = serve().await;
    server.wire.require_bearer("token-1");
    let tokens = Arc::new(CountingTokens::default());
    let po_orange = ProductOrderingOrangeClient::from_core(core_with(&server, &tokens));
    let us_orange = UserServiceOrangeClient::from_core(core_with(&server, &tokens));
    let po_partner = ProductOrderingPartnerClient::from_core(core_with(&server, &tokens));

    let event = product_order_event(minimal_product_order());
    let answer = NotifyProductOrderEventResponse::Created(Json(event.clone()));
    server
        .recorder
        .answer(Answer::NotifyProductOrderEvent(answer.duplicate()));
    let decoded = po_orange
        .notify_product_order_event(Offer::Mba2, &event)
        .await
        .unwrap();
    assert_same_reply(&decoded, &answer);

    let event = user_service_event();
    let answer = NotifyUserServiceEventResponse::Created(Json(event.clone()));
    server
        .recorder
        .answer(Answer::NotifyUserServiceEvent(answer.duplicate()));
    let decoded = us_orange
        .notify_user_service_event(Offer::Mba2, &event)
        .await
        .unwrap();
    assert_same_reply(&decoded, &answer);

    server.recorder.answer(Answer::Ping(PingResponse::Ok));
    po_partner.ping().await.unwrap();

    let exchanges = server.wire.take();
    assert_eq!(exchanges.len(), 3);
    for exchange in &exchanges {
        assert_eq!(exchange.authorization.as_deref(), Some("Bearer token-1"));
        assert_ne!(exchange.status, 401);
    }
    assert_eq!(server.recorder.take_calls().len(), 3);
    assert_eq!(
        tokens.counts(),
        (3, 1, vec![]),
        "(token calls, fetched, invalidated)"
    );
}

#[tokio::test]
async fn client_renews_a_refused_token_once_and_retries_the_same_request() {
    let server = serve().await;
    server.wire.require_bearer("token-2");
    let tokens = Arc::new(CountingTokens::default());
    let client = ProductOrderingOrangeClient::from_core(core_with(&server, &tokens));
    let event = product_order_event(full_product_order());
    let answer = NotifyProductOrderEventResponse::Created(Json(event.clone()));
    server
        .recorder
        .answer(Answer::NotifyProductOrderEvent(answer.duplicate()));

    let decoded = client
        .notify_product_order_event(Offer::Mba2, &event)
        .await
        .unwrap();

    assert_same_reply(&decoded, &answer);
    let exchanges = server.wire.take();
    let seen: Vec<(Option<&str>, u16)> = exchanges
        .iter()
        .map(|e| (e.authorization.as_deref(), e.status))
        .collect();
    assert_eq!(
        seen,
        vec![(Some("Bearer token-1"), 401), (Some("Bearer token-2"), 201)]
    );
    assert_eq!(exchanges[0].request_body, exchanges[1].request_body);
    assert_eq!(exchanges[0].uri, exchanges[1].uri);
    assert_eq!(
        server.received(),
        Call::NotifyProductOrderEvent(Offer::Mba2, event)
    );
    assert_eq!(
        tokens.counts(),
        (2, 2, vec![s("token-1")]),
        "(token calls, fetched, invalidated)"
    );

    // The renewed token is kept for the next call.
    server.recorder.answer(Answer::Ping(PingResponse::Ok));
    ProductOrderingPartnerClient::from_core(core_with(&server, &tokens))
        .ping()
        .await
        .unwrap();
    assert_eq!(
        server.wire.take_one().authorization.as_deref(),
        Some("Bearer token-2")
    );
    assert_eq!(tokens.counts(), (3, 2, vec![s("token-1")]));
}

#[tokio::test]
async fn client_gives_up_after_one_retry_and_returns_the_second_401() {
    let server = serve().await;
    server.wire.require_bearer("a token nobody gets");
    let tokens = Arc::new(CountingTokens::default());
    let client = UserServiceOrangeClient::from_core(core_with(&server, &tokens));

    let decoded = client
        .notify_user_service_event(Offer::Mba2, &user_service_event())
        .await
        .unwrap();

    let NotifyUserServiceEventResponse::Unauthorized(Json(error)) = decoded else {
        panic!("expected the 401 variant, got {decoded:?}");
    };
    assert_eq!(
        Error::parse_from_json(Some(support::invalid_credentials())).unwrap(),
        error
    );
    let seen: Vec<Option<String>> = server
        .wire
        .take()
        .into_iter()
        .map(|e| e.authorization)
        .collect();
    assert_eq!(
        seen,
        vec![Some(s("Bearer token-1")), Some(s("Bearer token-2"))]
    );
    server.assert_no_handler_called();
    assert_eq!(tokens.counts(), (2, 2, vec![s("token-1")]));
}

#[tokio::test]
async fn client_renews_the_token_for_a_form_body_too() {
    let server = serve().await;
    server.wire.require_bearer("token-2");
    let tokens = Arc::new(CountingTokens::default());
    let client = ProductOrderingOrangeClient::from_core(core_with(&server, &tokens));
    let answer = CreateAccessTokenResponse::Ok(Json(token_response()));
    server
        .recorder
        .answer(Answer::CreateAccessToken(answer.duplicate()));
    let form = token_request(Some("mba2"));
    let decoded = client.create_access_token(&form).await.unwrap();
    assert_same_reply(&decoded, &answer);
    let exchanges = server.wire.take();
    assert_eq!(exchanges.len(), 2);
    assert_eq!(exchanges[0].request_body, exchanges[1].request_body);
    assert_eq!(server.received(), Call::CreateAccessToken(form));
}
