//! UC1: the customer and its contacts stored, told to the partner's platform, updated in place when
//! sent again, and refused without a customer.

use std::sync::Arc;

use obakit_server::domain::{Catalogue, OrderState};
use obakit_server::store::no_events;

use crate::support::builders::*;
use crate::support::{Scripted, TestDb};
use crate::{SYNC, completed};

async fn uc1_creates_the_customer_and_contacts_and_answers_their_ids(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let order = uc1(
        "ORD-1",
        "CUST-1",
        vec![contact(Some("K1"), "Ana"), contact(None, "Bob")],
    );
    let outcome = completed(&cases, &order).await;
    let customer_id = outcome.customer_id.clone().expect("a customer id");
    assert_eq!(outcome.contact_ids.len(), 2);
    assert!(outcome.licenses.is_empty() && outcome.fleet_id.is_none());
    let customer = store
        .customer(&customer_id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(customer.data.external_id, "CUST-1");
    let contacts = store.contacts(&customer_id).await.expect("read");
    assert_eq!(contacts.len(), 2);
}

async fn uc1_tells_the_partner_s_platform_the_customer_and_its_contacts(db: TestDb) {
    let scripted = Arc::new(Scripted::default());
    let cases = db.cases_with(scripted.clone(), Catalogue::open()).await;
    let order = uc1("ORD-1", "CUST-1", vec![contact(Some("K1"), "Ana")]);
    let outcome = completed(&cases, &order).await;
    assert_eq!(scripted.names(), ["customerUpdated"]);
    let action = serde_json::to_value(&scripted.actions.lock().expect("lock")[0]).expect("JSON");
    assert_eq!(action["customer"]["externalId"], "CUST-1");
    assert_eq!(
        action["customer"]["id"],
        outcome.customer_id.expect("an id").as_str()
    );
    assert_eq!(action["contacts"][0]["givenName"], "Ana");
    assert_eq!(action["contacts"][0]["id"], outcome.contact_ids[0].as_str());
}

async fn a_refused_uc1_provisioning_fails_the_order_and_stores_nothing(db: TestDb) {
    let cases = db
        .cases_with(Arc::new(Scripted::refusing()), Catalogue::open())
        .await;
    let store = cases.store();
    let outcome = cases
        .place_order(&uc1("ORD-1", "CUST-1", Vec::new()), SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    assert!(
        store
            .customer_by_external_id("CUST-1")
            .await
            .expect("read")
            .is_none()
    );
}

async fn uc1_again_for_the_same_customer_updates_and_never_duplicates(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let first = completed(
        &cases,
        &uc1(
            "ORD-1",
            "CUST-1",
            vec![contact(Some("K1"), "Ana"), contact(None, "Bob")],
        ),
    )
    .await;
    let mut renamed = contact(Some("K1"), "Anna");
    renamed.email = Some("anna@example.com".into());
    let mut again = uc1("ORD-2", "CUST-1", vec![renamed, contact(None, "Bob")]);
    if let Some(customer) = again.customer.as_mut() {
        customer.trading_name = Some("Renamed".into());
    }
    let second = completed(&cases, &again).await;
    assert_eq!(first.customer_id, second.customer_id);
    assert_eq!(first.contact_ids, second.contact_ids);
    let customer = store
        .customer_by_external_id("CUST-1")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(customer.data.trading_name.as_deref(), Some("Renamed"));
    let contacts = store.contacts(&customer.id).await.expect("read");
    assert_eq!(contacts.len(), 2);
    assert!(
        contacts
            .iter()
            .any(|c| c.data.given_name.as_deref() == Some("Anna"))
    );
}

async fn uc1_with_contacts_but_no_customer_fails_with_a_reason(db: TestDb) {
    let cases = db.cases().await;
    let mut order = uc1("ORD-1", "CUST-1", vec![contact(None, "Ana")]);
    order.customer = None;
    let outcome = cases
        .place_order(&order, SYNC, no_events)
        .await
        .expect("answered")
        .outcome;
    assert_eq!(outcome.state, OrderState::Failed);
    assert_eq!(
        outcome.reason.as_deref(),
        Some("relatedContact needs a customer to belong to")
    );
}

crate::on_both_backends!(
    uc1_creates_the_customer_and_contacts_and_answers_their_ids,
    uc1_tells_the_partner_s_platform_the_customer_and_its_contacts,
    a_refused_uc1_provisioning_fails_the_order_and_stores_nothing,
    uc1_again_for_the_same_customer_updates_and_never_duplicates,
    uc1_with_contacts_but_no_customer_fails_with_a_reason,
);
