//! Liberal in what Orange sends: properties the spec does not name are ignored in every body, the
//! flat `productOfferingOperation.externalReference` of Orange's page is a swap like the nested
//! one, and what only our reading of the contract asked for (a trading name, address lines,
//! contact names, an order item id) may be left out; but a JSON boolean or number given for a
//! string property is refused (400, code 24).

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

async fn a_uc1_and_a_uc2_with_only_what_orange_requires_are_completed(db: TestDb) {
    let app = TestApp::start(&db).await;
    let nameless_contact = json!({"role": "customerFleetManager", "email": "fm@example.fr"});
    let uc1 = json!({
        "externalReference": {"type": "orange", "id": "CMD-BARE-1"},
        "customer": {
            "externalReference": {"type": "orange", "id": "CUST-BARE"},
            "postalAddress": {"streetName": "12 rue de la Paix"}
        },
        "relatedContact": [nameless_contact, {"role": "customerFleetManager", "familyName": "Durand"}]
    });
    let (status, answer) = post(&app, ORDERS, &uc1).await;
    assert_eq!(
        (status, answer["state"].as_str()),
        (201, Some("completed")),
        "{answer}"
    );
    assert!(answer["customer"].get("tradingName").is_none(), "{answer}");
    let first_contact = answer["relatedContact"][0]["id"].clone();
    assert!(first_contact.is_string(), "{answer}");

    // A resend of the contact without names nor Orange's id finds it by role and email.
    let mut again = uc1.clone();
    again["externalReference"]["id"] = json!("CMD-BARE-2");
    let (status, answer) = post(&app, ORDERS, &again).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["relatedContact"][0]["id"], first_contact, "{answer}");

    let uc2 = json!({
        "externalReference": {"type": "orange", "id": "CMD-BARE-3"},
        "customer": {"externalReference": {"type": "orange", "id": "CUST-BARE"}},
        "orderItem": [{
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": OFFER}},
            "productRef": {"userServiceQuantity": 1}
        }]
    });
    let (status, answer) = post(&app, ORDERS, &uc2).await;
    assert_eq!(
        (status, answer["state"].as_str()),
        (201, Some("completed")),
        "{answer}"
    );
    let item = &answer["orderItem"][0];
    assert!(item.get("id").is_none(), "no item id is made up: {answer}");
    assert!(
        item["productRef"]["userService"][0]["id"].is_string(),
        "{answer}"
    );
}

crate::on_both_backends!(
    a_uc1_and_a_uc2_with_only_what_orange_requires_are_completed,
    properties_the_spec_does_not_name_are_ignored_in_every_body,
    a_swap_with_the_flat_external_reference_of_orange_s_page_changes_the_offer,
    a_boolean_or_number_given_for_a_string_is_400_code_24,
);
