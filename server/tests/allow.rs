//! A `405 Method Not Allowed` carries the `Allow` header RFC 9110 requires, listing the methods
//! the path accepts.

mod support;

use support::TestDb;
use support::app::TestApp;

async fn allow_of(app: &TestApp, method: reqwest::Method, path: &str) -> (u16, Option<String>) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base_url))
        .basic_auth(support::app::USER, Some(support::app::PASSWORD))
        .send()
        .await
        .expect("send");
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().expect("ASCII").to_owned());
    (response.status().as_u16(), allow)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_a_path_does_not_accept_is_answered_405_with_the_methods_it_does() {
    let db = TestDb::sqlite();
    let app = TestApp::start(&db).await;
    assert_eq!(
        allow_of(
            &app,
            reqwest::Method::DELETE,
            "/productordering/v2/productOrder"
        )
        .await,
        (405, Some("POST".to_owned()))
    );
    assert_eq!(
        allow_of(&app, reqwest::Method::POST, "/ping").await,
        (405, Some("GET, HEAD".to_owned()))
    );
    let (status, allow) = allow_of(
        &app,
        reqwest::Method::DELETE,
        "/userservice/v2/userService/some-license",
    )
    .await;
    assert_eq!(status, 405);
    let allow = allow.expect("an Allow header");
    assert!(allow.contains("GET"), "{allow}");
    assert!(!allow.contains("DELETE"), "{allow}");
    // `/update` is its own path, not a license id: only POST.
    assert_eq!(
        allow_of(
            &app,
            reqwest::Method::OPTIONS,
            "/userservice/v2/userService/update"
        )
        .await,
        (405, Some("POST".to_owned()))
    );
}
