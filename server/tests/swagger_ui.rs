//! Swagger UI, rendered by a real headless Chromium against the running server, shows both APIs
//! with an Authorize button for the configured credentials and no empty sections; the served
//! documents declare the configured inbound security schemes.

use std::process::Command;
use std::sync::Arc;

use obakit_server::config::ModeConfig;
use obakit_server::http::{BodyLimits, InboundAuth, Partner};
use obakit_server::routes::routes;
use obakit_server::store::Store;
use obakit_server::usecase::UseCases;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_available() -> bool {
    if std::path::Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("OBAKIT_CI").is_none(),
        "OBAKIT_CI is set but {CHROMIUM} is missing (install Debian's chromium package)"
    );
    eprintln!(
        "skipping: {CHROMIUM} is missing (install Debian's chromium package to run this test)"
    );
    false
}

#[tokio::test]
async fn swagger_ui_renders_both_apis_in_a_headless_browser() {
    if !chromium_available() {
        return;
    }
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .expect("a socket address");
    let limits = BodyLimits {
        product_order: 1 << 20,
        user_service_update: 1 << 20,
        other: 1 << 20,
    };
    let auth = InboundAuth {
        basic: Some(("u".into(), "p".into())),
        api_key: Some(("X-API-Key".into(), "key-for-orange".into())),
        ..Default::default()
    };
    let store = Store::connect("sqlite::memory:")
        .await
        .expect("an in-memory store");
    let partner = Partner::new(UseCases::new(store), ModeConfig::default());
    let app = routes(Arc::new(partner), auth, limits);
    let server = tokio::spawn(Server::new_with_acceptor(acceptor).run(app));

    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("http://{addr}/docs/");
    let dom = tokio::task::spawn_blocking(move || {
        Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                &format!("--user-data-dir={}", profile.path().display()),
                "--virtual-time-budget=15000",
                "--dump-dom",
                &url,
            ])
            .output()
            .expect("run chromium")
    })
    .await
    .expect("join");
    server.abort();
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    // `data-path` attributes exist only on operation rows Swagger UI's JavaScript rendered from
    // the document (the page also inlines Swagger UI's own source, so plain strings prove nothing).
    for path in [
        "/ping",
        "/productordering/v2/productOrder",
        "/userservice/v2/userService",
        "/userservice/v2/userService/{id}",
        "/userservice/v2/userService/update",
    ] {
        let rendered = format!("data-path=\"{path}\"");
        assert!(
            html.contains(&rendered),
            "Swagger UI did not render the operation `{path}`"
        );
    }
    // The configured schemes make Swagger UI show its Authorize button.
    assert!(
        html.contains("btn authorize"),
        "no Authorize button: the document declares no security scheme"
    );
    // Tags of operations the partner does not serve show no empty section.
    for tag in ["Authentication", "ProductOrderEvent", "UserServiceEvent"] {
        assert!(
            !html.contains(&format!("id=\"operations-tag-{tag}\"")),
            "an empty `{tag}` section is shown"
        );
    }
    assert!(html.contains("id=\"operations-tag-ProductOrder\""));
}

#[tokio::test]
async fn the_served_documents_declare_the_configured_credentials_and_no_empty_tag() {
    let auth = InboundAuth {
        api_key: Some(("X-Partner-Key".into(), "key-for-orange".into())),
        bearer: Some("token-for-orange".into()),
        ..Default::default()
    };
    let store = Store::connect("sqlite::memory:")
        .await
        .expect("an in-memory store");
    let limits = BodyLimits {
        product_order: 1 << 20,
        user_service_update: 1 << 20,
        other: 1 << 20,
    };
    let app = routes(
        Arc::new(Partner::new(UseCases::new(store), ModeConfig::default())),
        auth,
        limits,
    );
    let client = poem::test::TestClient::new(app);
    let response = client.get("/openapi.json").send().await;
    response.assert_status_is_ok();
    let document: serde_json::Value =
        serde_json::from_str(&response.0.into_body().into_string().await.expect("a body"))
            .expect("JSON");
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["partnerApiKey"]["name"], "X-Partner-Key");
    assert_eq!(schemes["partnerBearer"]["scheme"], "bearer");
    assert!(
        schemes.get("partnerBasic").is_none(),
        "Basic is not configured"
    );
    assert_eq!(
        document["security"],
        serde_json::json!([{"partnerApiKey": []}, {"partnerBearer": []}])
    );
    assert_eq!(
        document["paths"]["/ping"]["get"]["security"],
        serde_json::json!([])
    );
    let tags: Vec<&str> = document["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(!tags.contains(&"Authentication"), "{tags:?}");
    assert!(!tags.contains(&"UserServiceEvent"), "{tags:?}");
    assert!(tags.contains(&"ProductOrder"), "{tags:?}");
    let yaml = client.get("/openapi.yaml").send().await;
    yaml.assert_status_is_ok();
    let text = yaml.0.into_body().into_string().await.expect("a body");
    assert!(
        text.contains("X-Partner-Key"),
        "the YAML document says the same"
    );
}
