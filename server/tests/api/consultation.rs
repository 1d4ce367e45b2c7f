//! listUserServices and getUserService: by fleet, by ids, by path id, and what is left out.

use obakit_api::user_service::handler::{GetUserServiceResponse, ListUserServicesResponse};

use crate::support::TestDb;
use crate::support::app::TestApp;
use crate::wire::*;

async fn listing_by_ids_answers_the_known_ones_in_order_and_leaves_unknown_ids_out(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (_, ids) = new_fleet(&app, "CMD-2", 3).await;
    let listed = list_ids(&app, &[&ids[2], "lic-unknown", &ids[0]]).await;
    let listed: Vec<_> = listed.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(listed, [ids[2].as_str(), ids[0].as_str()]);
}

async fn a_query_matching_nothing_is_200_with_an_empty_array(db: TestDb) {
    let app = TestApp::start(&db).await;
    assert!(list_fleet(&app, "fleet-unknown").await.is_empty());
    assert!(list_ids(&app, &["lic-unknown"]).await.is_empty());
    let response = app
        .request(
            reqwest::Method::GET,
            "/userservice/v2/userService?id=lic-unknown",
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "[]");
}

async fn listing_with_neither_parameter_is_400_code_27(db: TestDb) {
    let app = TestApp::start(&db).await;
    match app
        .licenses()
        .list_user_services(None, None)
        .await
        .expect("answered")
    {
        ListUserServicesResponse::BadRequest(error) => assert_eq!(error.0.code, 27),
        other => panic!("expected 400, got {other:?}"),
    }
}

async fn listing_with_both_parameters_is_400_code_28(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (fleet, ids) = new_fleet(&app, "CMD-2", 1).await;
    match app
        .licenses()
        .list_user_services(Some(fleet), Some(ids))
        .await
        .expect("answered")
    {
        ListUserServicesResponse::BadRequest(error) => assert_eq!(error.0.code, 28),
        other => panic!("expected 400, got {other:?}"),
    }
}

async fn reading_by_path_id_answers_one_license(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (fleet, ids) = new_fleet(&app, "CMD-2", 2).await;
    let license = get(&app, &ids[1]).await.expect("found");
    assert_eq!(license.id, ids[1]);
    assert_eq!(license.related_product_ref_id, fleet);
    assert_eq!(license.state.as_str(), "active");
    assert!(license.external_state.is_none(), "Orange asked nothing yet");
    assert!(license.creation_date.is_some() && license.last_update.is_some());
}

async fn reading_an_unknown_license_is_404_code_60(db: TestDb) {
    let app = TestApp::start(&db).await;
    assert!(get(&app, "lic-unknown").await.is_none());
}

async fn reading_an_over_long_id_is_the_400_the_spec_declares(db: TestDb) {
    let app = TestApp::start(&db).await;
    // Over the id's maxLength (128): the generated client only decodes declared answers.
    let answer = app
        .licenses()
        .get_user_service("l".repeat(129))
        .await
        .expect("the answer is one the spec declares");
    match answer {
        GetUserServiceResponse::BadRequest(error) => assert_eq!(error.0.code, 28, "{error:?}"),
        other => panic!("expected 400, got {other:?}"),
    }
}

async fn a_terminated_license_is_404_and_left_out_of_every_listing(db: TestDb) {
    let app = TestApp::start(&db).await;
    let (fleet, ids) = new_fleet(&app, "CMD-2", 2).await;
    let answer = update(&app, vec![set_state(&ids[0], "deleted")]).await;
    assert_eq!(answer.state.as_str(), "completed");
    assert!(get(&app, &ids[0]).await.is_none());
    let by_fleet: Vec<_> = list_fleet(&app, &fleet)
        .await
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(by_fleet, [ids[1].clone()]);
    let by_ids: Vec<_> = list_ids(&app, &[&ids[0], &ids[1]])
        .await
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(by_ids, [ids[1].clone()]);
}

crate::on_both_backends!(
    reading_an_over_long_id_is_the_400_the_spec_declares,
    listing_by_ids_answers_the_known_ones_in_order_and_leaves_unknown_ids_out,
    a_query_matching_nothing_is_200_with_an_empty_array,
    listing_with_neither_parameter_is_400_code_27,
    listing_with_both_parameters_is_400_code_28,
    reading_by_path_id_answers_one_license,
    reading_an_unknown_license_is_404_code_60,
    a_terminated_license_is_404_and_left_out_of_every_listing,
);
