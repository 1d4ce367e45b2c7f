//! Liberal in what Orange sends: properties the spec does not name are ignored in every body, the
//! flat `productOfferingOperation.externalReference` of Orange's page is a swap like the nested
//! one; but a JSON boolean or number given for a string property is refused (400, code 24).

use serde_json::{Value, json};

use crate::support::TestDb;
use crate::support::app::TestApp;
use crate::wire::*;

const ORDERS: &str = "/productordering/v2/productOrder";
const UPDATE: &str = "/userservice/v2/userService/update";

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let response = app
        .post_json(path, body.to_string())
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn uc2_with_extras(orange_id: &str) -> Value {
    json!({
        "@type": "ProductOrder",
        "@baseType": "ProductOrder",
        "@schemaLocation": "https://example.org/tmf622.json",
        "href": "https://example.org/productOrder/1",
        "externalReference": {"type": "orange", "id": orange_id, "@type": "ExternalReference"},
        "category": "production",
        "customer": {
            "@type": "Organization",
            "externalReference": {"type": "orange", "id": "CUST-EXTRAS"},
            "tradingName": "Durand Conseil",
            "postalAddress": {"@type": "GeographicAddress", "postCode": "75002", "city": "Paris", "country": "France"}
        },
        "orderItem": [{
            "@type": "ProductOrderItem",
            "id": "1",
            "action": "add",
            "quantity": 1,
            "productOffering": {"@referredType": "ProductOffering",
                "externalReference": {"type": "orange", "id": OFFER}},
            "productRef": {"@type": "ProductRef", "userServiceQuantity": 2}
        }]
    })
}

async fn properties_the_spec_does_not_name_are_ignored_in_every_body(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (status, answer) = post(&app, ORDERS, &uc2_with_extras("CMD-EXTRAS")).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["state"], "completed", "{answer}");
    let license = answer["orderItem"][0]["productRef"]["userService"][0]["id"]
        .as_str()
        .expect("a license")
        .to_owned();
    let (status, answer) = post(
        &app,
        UPDATE,
        &json!({"@type": "UserServiceUpdate", "userService": [
            {"@type": "UserService", "id": license, "externalState": "suspended", "extra": {"a": 1}}
        ]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["state"], "completed", "{answer}");
}

async fn a_swap_with_the_flat_external_reference_of_orange_s_page_changes_the_offer(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-FLAT", 1).await;
    let (status, answer) = post(
        &app,
        UPDATE,
        &json!({"userService": [{"id": ids[0], "productOfferingOperation": {
            "action": "swap",
            "externalReference": {"type": "orange", "id": OTHER_OFFER}
        }}]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["state"], "completed", "{answer}");
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.product_offering.external_reference.id, OTHER_OFFER);
}

async fn a_boolean_or_number_given_for_a_string_is_400_code_24(db: TestDb) {
    let app = TestApp::start(&db).await;
    let mut city_false = uc2_with_extras("CMD-BOOL");
    city_false["customer"]["postalAddress"]["city"] = json!(false);
    let (status, answer) = post(&app, ORDERS, &city_false).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], 24, "{answer}");
    assert!(
        answer["description"]
            .as_str()
            .unwrap_or_default()
            .contains("/customer/postalAddress/city"),
        "the property is named: {answer}"
    );
    let mut numeric_name = uc2_with_extras("CMD-NUM");
    numeric_name["customer"]["tradingName"] = json!(12);
    let (status, answer) = post(&app, ORDERS, &numeric_name).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (400, json!(24)),
        "{answer}"
    );
    let (status, answer) = post(
        &app,
        UPDATE,
        &json!({"userService": [{"id": 42, "externalState": "active"}]}),
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (400, json!(24)),
        "{answer}"
    );
    let (status, answer) = post(&app, ORDERS, &uc2_with_extras("CMD-BOOL")).await;
    assert_eq!(
        status, 201,
        "nothing of the refused order was kept: {answer}"
    );
}

crate::on_both_backends!(
    properties_the_spec_does_not_name_are_ignored_in_every_body,
    a_swap_with_the_flat_external_reference_of_orange_s_page_changes_the_offer,
    a_boolean_or_number_given_for_a_string_is_400_code_24,
);
