//! createProductOrder: UC1, UC2, UC3, unknown fleet, replays, conflicting replays and the catalogue.

use obakit_api::product_ordering::handler::CreateProductOrderResponse;
use obakit_api::product_ordering::types::ProductOrder;
use poem_openapi::types::ToJSON;

use crate::support::TestDb;
use crate::support::app::TestApp;
use crate::wire::*;

fn state(answer: &ProductOrder) -> &str {
    answer.state.as_ref().map_or("", |s| s.as_str())
}

async fn uc1_answers_completed_with_partner_ids_on_customer_and_contacts(db: TestDb) {
    let app = TestApp::start(&db).await;
    let answer = place(&app, &uc1("CMD-1", "CUST-1")).await;
    assert_eq!(state(&answer), "completed");
    assert!(answer.id.is_some(), "the partner's order id");
    assert!(answer.completion_date.is_some());
    assert!(answer.note.is_none());
    let customer = answer.customer.as_ref().expect("the customer");
    let customer_id = customer.id.clone().expect("the partner's customer id");
    assert_eq!(customer.external_reference.id, "CUST-1");
    let contacts = answer.related_contact.as_ref().expect("the contacts");
    assert_eq!(contacts.len(), 2);
    assert!(contacts.iter().all(|c| c.id.is_some()), "{contacts:?}");
    assert_ne!(contacts[0].id, contacts[1].id);
    let stored = app
        .store
        .customer_by_external_id("CUST-1")
        .await
        .expect("read")
        .expect("the customer is stored");
    assert_eq!(stored.id.as_str(), customer_id);
}

async fn uc1_again_for_the_same_customer_updates_it_and_never_duplicates(db: TestDb) {
    let app = TestApp::start(&db).await;
    let first = place(&app, &uc1("CMD-1", "CUST-1")).await;
    let mut again = uc1("CMD-2", "CUST-1");
    if let Some(customer) = again.customer.as_mut() {
        customer.trading_name = Some("Durand Conseil Groupe".into());
    }
    let second = place(&app, &again).await;
    assert_eq!(state(&second), "completed");
    let ids = |answer: &ProductOrder| {
        let contacts: Vec<_> = answer
            .related_contact
            .iter()
            .flatten()
            .map(|c| c.id.clone())
            .collect();
        (
            answer.customer.as_ref().and_then(|c| c.id.clone()),
            contacts,
        )
    };
    assert_eq!(ids(&first), ids(&second), "same customer, same contacts");
    assert_ne!(first.id, second.id, "two orders");
    let customer = app
        .store
        .customer_by_external_id("CUST-1")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        customer.data.trading_name.as_deref(),
        Some("Durand Conseil Groupe")
    );
    assert_eq!(
        app.store.contacts(&customer.id).await.expect("read").len(),
        2
    );
}

async fn uc2_creates_a_fleet_of_active_licenses_listed_by_fleet(db: TestDb) {
    let app = TestApp::start(&db).await;
    let order = with_end_users(uc2("CMD-2", 3), &["Paul"]);
    let answer = place(&app, &order).await;
    assert_eq!(state(&answer), "completed");
    let item = &answer.order_item.as_ref().expect("the item")[0];
    assert_eq!(item.state.as_ref().map(|s| s.as_str()), Some("completed"));
    let fleet = item.product_ref.id.clone().expect("productRef.id");
    let created = item
        .product_ref
        .user_service
        .clone()
        .expect("productRef.userService");
    assert_eq!(created.len(), 3);
    assert!(created.iter().all(|l| l.state.as_str() == "active"));
    let configured = item.end_user_configuration.as_ref().expect("echoed")[0]
        .end_user
        .as_ref()
        .expect("the end user");
    let end_user_id = configured
        .id
        .clone()
        .expect("the partner made the end user's id");

    let listed = list_fleet(&app, &fleet).await;
    let mut listed_ids: Vec<_> = listed.iter().map(|l| l.id.clone()).collect();
    let mut created_ids: Vec<_> = created.iter().map(|l| l.id.clone()).collect();
    listed_ids.sort();
    created_ids.sort();
    assert_eq!(listed_ids, created_ids);
    for license in &listed {
        assert_eq!(license.related_product_ref_id, fleet);
        assert_eq!(license.state.as_str(), "active");
        assert_eq!(license.product_offering.external_reference.id, OFFER);
    }
    let first = find(&listed, &created[0].id);
    let person = first.end_user.as_ref().expect("the configured end user");
    assert_eq!(person.given_name.as_deref(), Some("Paul"));
    assert_eq!(person.id.as_deref(), Some(end_user_id.as_str()));
    assert!(find(&listed, &created[1].id).end_user.is_none());
}

async fn uc3_adds_licenses_to_the_known_fleet(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (fleet, first) = new_fleet(&app, "CMD-2", 2).await;
    let answer = place(&app, &uc3("CMD-3", &fleet, 3)).await;
    assert_eq!(state(&answer), "completed");
    assert_eq!(fleet_of(&answer), fleet, "the same fleet");
    let added = licenses_of(&answer);
    assert_eq!(added.len(), 3);
    assert!(added.iter().all(|id| !first.contains(id)));
    assert_eq!(list_fleet(&app, &fleet).await.len(), 5);
}

async fn uc3_with_an_unknown_fleet_fails_with_the_reason_in_the_note(db: TestDb) {
    let app = TestApp::start(&db).await;
    let answer = place(&app, &uc3("CMD-3", "fleet-9999", 1)).await;
    assert_eq!(state(&answer), "failed");
    let note = answer.note.as_ref().expect("the reason");
    assert!(note.text.contains("fleet-9999"), "{note:?}");
    assert_eq!(note.author.as_deref(), Some("partner"));
    let item = &answer.order_item.as_ref().expect("the item")[0];
    assert_eq!(item.state.as_ref().map(|s| s.as_str()), Some("failed"));
    assert!(item.product_ref.user_service.is_none(), "nothing created");
    assert!(list_fleet(&app, "fleet-9999").await.is_empty());
}

async fn a_replayed_order_gets_the_first_answer_and_creates_nothing(db: TestDb) {
    let app = TestApp::start(&db).await;
    let order = with_end_users(uc2("CMD-2", 2), &["Paul"]);
    let first = place(&app, &order).await;
    let fleet = fleet_of(&first);
    let again = place(&app, &order).await;
    assert_eq!(again, first);
    assert_eq!(list_fleet(&app, &fleet).await.len(), 2, "no new license");

    // The same order written differently (spacing, property order) is the same order.
    let value: serde_json::Value =
        serde_json::from_str(&order.to_json_string()).expect("the order as JSON");
    let reordered = reverse_properties(&value);
    let pretty = serde_json::to_string_pretty(&reordered).expect("JSON");
    let response = app
        .post_json("/productordering/v2/productOrder", pretty)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201);
    let raw: serde_json::Value = response.json().await.expect("JSON answer");
    let first_json: serde_json::Value =
        serde_json::from_str(&first.to_json_string()).expect("JSON");
    assert_eq!(raw, first_json);
    assert_eq!(
        list_fleet(&app, &fleet).await.len(),
        2,
        "still no new license"
    );
}

async fn a_resend_with_restamped_dates_gets_the_first_answer(db: TestDb) {
    let app = TestApp::start(&db).await;
    let mut order = uc2("CMD-DATES", 2);
    order.order_date =
        Some(chrono::DateTime::parse_from_rfc3339("2026-03-03T14:20:00Z").expect("a date"));
    let first = place(&app, &order).await;
    order.order_date =
        Some(chrono::DateTime::parse_from_rfc3339("2026-03-03T14:21:30Z").expect("a date"));
    order.requested_start_date =
        Some(chrono::DateTime::parse_from_rfc3339("2026-03-03T14:21:30Z").expect("a date"));
    let again = place(&app, &order).await;
    assert_eq!(again.id, first.id, "the first order answered again");
    assert_eq!(
        list_fleet(&app, &fleet_of(&first)).await.len(),
        2,
        "no new license"
    );
}

async fn an_order_without_orange_s_id_resent_after_a_timeout_creates_nothing_twice(db: TestDb) {
    let app = TestApp::start(&db).await;
    let mut order = uc2("unused", 2);
    order.external_reference = None;
    let first = place(&app, &order).await;
    let again = place(&app, &order).await;
    assert_eq!(again, first);
    assert_eq!(
        list_fleet(&app, &fleet_of(&first)).await.len(),
        2,
        "no new license"
    );
}

/// Every object with its properties in reverse order.
fn reverse_properties(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reverse_properties(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(reverse_properties).collect())
        }
        other => other.clone(),
    }
}

async fn the_same_order_id_with_another_body_is_409_code_69_and_creates_nothing(db: TestDb) {
    let app = TestApp::start(&db).await;
    let first = place(&app, &uc2("CMD-2", 2)).await;
    let fleet = fleet_of(&first);
    match app
        .orders()
        .create_product_order(&uc2("CMD-2", 5))
        .await
        .expect("answered")
    {
        CreateProductOrderResponse::Conflict(error) => {
            assert_eq!(error.0.code, 69);
            assert!(
                error
                    .0
                    .description
                    .as_deref()
                    .unwrap_or_default()
                    .contains("CMD-2"),
                "{error:?}"
            );
        }
        other => panic!("expected 409, got {other:?}"),
    }
    assert_eq!(list_fleet(&app, &fleet).await.len(), 2);
    // The first body still replays.
    assert_eq!(place(&app, &uc2("CMD-2", 2)).await, first);
}

async fn an_offer_outside_the_catalogue_fails_the_order_with_a_reason(db: TestDb) {
    let app = TestApp::start_with(&db, |config| {
        config.catalogue.insert(OFFER.into(), "starter".into());
    })
    .await;
    let answer = place(&app, &with_offer(uc2("CMD-2", 2), "PO-UNSOLD")).await;
    assert_eq!(state(&answer), "failed");
    let note = answer.note.as_ref().expect("the reason");
    assert!(
        note.text.contains("PO-UNSOLD") && note.text.contains("catalogue"),
        "{note:?}"
    );
    assert!(licenses_of(&answer).is_empty());
    let sold = place(&app, &uc2("CMD-3", 1)).await;
    assert_eq!(state(&sold), "completed", "{:?}", sold.note);
}

crate::on_both_backends!(
    uc1_answers_completed_with_partner_ids_on_customer_and_contacts,
    uc1_again_for_the_same_customer_updates_it_and_never_duplicates,
    uc2_creates_a_fleet_of_active_licenses_listed_by_fleet,
    uc3_adds_licenses_to_the_known_fleet,
    uc3_with_an_unknown_fleet_fails_with_the_reason_in_the_note,
    a_replayed_order_gets_the_first_answer_and_creates_nothing,
    a_resend_with_restamped_dates_gets_the_first_answer,
    an_order_without_orange_s_id_resent_after_a_timeout_creates_nothing_twice,
    the_same_order_id_with_another_body_is_409_code_69_and_creates_nothing,
    an_offer_outside_the_catalogue_fails_the_order_with_a_reason,
);
