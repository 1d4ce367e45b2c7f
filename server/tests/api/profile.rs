//! The partner's Appendix 2 (`[profile]`) enforced: an order missing a characteristic its offer
//! requires fails naming it; a swap fails when the partner does not serve swaps.

use obakit_api::profile::Profile;
use serde_json::{Value, json};

use crate::support::TestDb;
use crate::support::app::TestApp;
use crate::wire::*;

const ORDERS: &str = "/productordering/v2/productOrder";
const UPDATE: &str = "/userservice/v2/userService/update";

async fn start_with_profile(db: &TestDb, profile: &str) -> TestApp {
    let profile = Profile::parse(profile).expect("a valid profile");
    TestApp::start_with(db, move |config| config.profile = Some(profile)).await
}

async fn post(app: &TestApp, path: &str, body: &Value) -> Value {
    let response = app
        .post_json(path, body.to_string())
        .send()
        .await
        .expect("sent");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("a JSON body")
}

fn uc2_with(orange_id: &str, characteristics: Value) -> Value {
    json!({
        "externalReference": {"type": "orange", "id": orange_id},
        "customer": {"externalReference": {"type": "orange", "id": "CUST-P"}, "tradingName": "Durand"},
        "orderItem": [{
            "id": "1", "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": OFFER}},
            "productRef": {"userServiceQuantity": 1, "characteristic": characteristics}
        }]
    })
}

async fn an_order_missing_a_characteristic_the_profile_requires_fails_naming_it(db: TestDb) {
    let app = start_with_profile(
        &db,
        &format!("[offers.{OFFER}]\ncharacteristics = [\"domain\"]\n[offers.{OTHER_OFFER}]\n"),
    )
    .await;
    let answer = post(
        &app,
        ORDERS,
        &uc2_with("CMD-P1", json!([{"name": "seats", "value": "3"}])),
    )
    .await;
    assert_eq!(answer["state"], "failed", "{answer}");
    let note = answer["note"]["text"].as_str().unwrap_or_default();
    assert!(
        note.contains("domain"),
        "the missing characteristic is named: {note}"
    );
    let answer = post(
        &app,
        ORDERS,
        &uc2_with(
            "CMD-P2",
            json!([{"name": "domain", "value": "durand.example"}]),
        ),
    )
    .await;
    assert_eq!(answer["state"], "completed", "{answer}");
}

async fn a_swap_fails_when_the_profile_serves_no_swap(db: TestDb) {
    let app = start_with_profile(&db, "[features]\noffer_swap = false\n").await;
    let (_, ids) = new_fleet(&app, "CMD-P3", 1).await;
    let answer = post(
        &app,
        UPDATE,
        &json!({"userService": [{"id": ids[0], "productOfferingOperation": {
            "action": "swap",
            "productOffering": {"externalReference": {"type": "orange", "id": OTHER_OFFER}}
        }}]}),
    )
    .await;
    assert_eq!(answer["state"], "failed", "{answer}");
    let note = answer["note"]["text"].as_str().unwrap_or_default();
    assert!(note.contains("swap"), "{note}");
    let read = get(&app, &ids[0]).await.expect("readable");
    assert_eq!(read.product_offering.external_reference.id, OFFER);
}

crate::on_both_backends!(
    an_order_missing_a_characteristic_the_profile_requires_fails_naming_it,
    a_swap_fails_when_the_profile_serves_no_swap,
);
