//! Swagger UI used the way a partner's developer uses it, in a real headless Chromium driven over
//! WebDriver: Authorize with the configured API key, then "Try it out" and "Execute" on
//! `GET /ping` and on a UC1 order, reading the status of the live response the page shows.
//! A wrong key entered the same way gets 401, so the page really sends what was typed.

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use obakit_server::config::ModeConfig;
use obakit_server::http::{BodyLimits, InboundAuth, Partner};
use obakit_server::routes::routes;
use obakit_server::store::Store;
use obakit_server::usecase::UseCases;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const API_KEY_HEADER: &str = "X-API-Key";
const API_KEY: &str = "key-for-orange";
const ORDERS: &str = "/productordering/v2/productOrder";
const UC1_EXAMPLE: &str = "uc1CustomerAndContacts";

/// How long any one thing may take to show on the page. Generous on purpose: it bounds a wait
/// for an element, it does not measure speed (a loaded CI machine must still pass).
const PATIENCE: Duration = Duration::from_secs(90);

fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|path| !std::path::Path::new(path).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("OBAKIT_CI").is_none(),
        "OBAKIT_CI is set but {missing:?} is missing (install Debian's chromium and chromium-driver packages)"
    );
    eprintln!(
        "skipping: {missing:?} is missing (install Debian's chromium and chromium-driver packages to run this test)"
    );
    false
}

/// A chromedriver of this test's own, in a process group of its own so that the Chromium it
/// starts goes with it when the test ends, whether it passed or not.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    fn start() -> Self {
        // chromedriver takes no port 0: ask the OS for a free one and hand it over.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A browser session, once chromedriver listens.
    async fn connect(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--window-size=1280,2000",
                ]
            }),
        );
        let deadline = Instant::now() + PATIENCE;
        loop {
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&self.url)
                    .await;
            match attempt {
                Ok(client) => return client,
                // Refused until chromedriver listens.
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => panic!("no WebDriver session from {}: {error}", self.url),
            }
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        if let Ok(id) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(id),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = self.child.wait();
    }
}

/// The partner server on a free local port, with all three inbound schemes configured so the
/// Authorize dialog shows one form per scheme and the key must go into the right one.
async fn start_server() -> (SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>) {
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
        api_key: Some((API_KEY_HEADER.into(), API_KEY.into())),
        bearer: Some("token-for-orange".into()),
        ..Default::default()
    };
    let store = Store::connect("sqlite::memory:")
        .await
        .expect("an in-memory store");
    let partner = Partner::new(UseCases::new(store), ModeConfig::default());
    let app = routes(Arc::new(partner), auth, limits);
    (
        addr,
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app)),
    )
}

async fn wait_for(
    client: &Client,
    xpath: &str,
    what: &str,
) -> Result<fantoccini::elements::Element, String> {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(xpath))
        .await
        .map_err(|error| format!("{what} never showed ({xpath}): {error}"))
}

async fn wait_until_gone(client: &Client, xpath: &str, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let found = client
            .find_all(Locator::XPath(xpath))
            .await
            .map_err(|error| format!("looking for {what}: {error}"))?;
        if found.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("{what} never went away ({xpath})"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(client: &Client, xpath: &str, what: &str) -> Result<(), String> {
    wait_for(client, xpath, what)
        .await?
        .click()
        .await
        .map_err(|error| format!("clicking {what}: {error}"))
}

/// An XPath test for one class among an element's classes (`contains(@class, …)` alone would
/// also match `authorize` inside `authorization__btn`).
fn has_class(class: &str) -> String {
    format!("contains(concat(' ', normalize-space(@class), ' '), ' {class} ')")
}

/// Opens the Authorize dialog, types `key` into the API key scheme's own form, submits that form
/// and closes the dialog, as a user does.
async fn authorize_with_api_key(client: &Client, key: &str) -> Result<(), String> {
    // The page's Authorize button; the dialog's buttons share the `authorize` class, so anchor it
    // on the wrapper that only the page-level button sits in.
    click(
        client,
        &format!(
            "//div[{}]//button[{}]",
            has_class("auth-wrapper"),
            has_class("authorize")
        ),
        "the Authorize button",
    )
    .await?;
    let modal = format!("//div[{}]", has_class("modal-ux"));
    // With several schemes the dialog holds one form per scheme, each with its own inputs and
    // its own Authorize and Close buttons: pick the API key's by the header it names.
    let form = format!(
        "{modal}//div[{}][.//code[normalize-space(.)='{API_KEY_HEADER}']]",
        has_class("auth-container")
    );
    let input = wait_for(client, &format!("{form}//input"), "the API key field").await?;
    input
        .send_keys(key)
        .await
        .map_err(|error| format!("typing the API key: {error}"))?;
    click(
        client,
        &format!("{form}//button[{}]", has_class("authorize")),
        "the API key form's Authorize button",
    )
    .await?;
    // Once the key is kept, Swagger UI marks that form "Authorized" and masks the key (its
    // Logout button has no class of its own to wait for).
    wait_for(
        client,
        &format!("{form}//h6[normalize-space(.)='Authorized']"),
        "the API key form's Authorized mark",
    )
    .await?;
    click(
        client,
        &format!("{form}//button[{}]", has_class("btn-done")),
        "the dialog's Close button",
    )
    .await?;
    wait_until_gone(client, &modal, "the Authorize dialog").await
}

/// What the page sent and got back for one operation.
struct Exchange {
    /// The request body in the editor when Execute was clicked, for operations that have one.
    sent: Option<Value>,
    status: u16,
    body: String,
}

/// Expands the operation, clicks "Try it out", makes the request body a UC1 when `uc1` is given,
/// clicks "Execute", and reads the live response the page shows.
async fn try_it_out(
    client: &Client,
    method: &str,
    path: &str,
    uc1: Option<&Value>,
) -> Result<Exchange, String> {
    let operation = format!(
        "//div[{}][.//*[@data-path='{path}']]",
        has_class(&format!("opblock-{method}"))
    );
    click(
        client,
        &format!("{operation}//*[{}]", has_class("opblock-summary-control")),
        &format!("the {method} {path} summary"),
    )
    .await?;
    click(
        client,
        &format!("{operation}//button[{}]", has_class("try-out__btn")),
        &format!("{method} {path}'s Try it out"),
    )
    .await?;
    let sent = match uc1 {
        Some(uc1) => Some(put_uc1_in_editor(client, &operation, uc1).await?),
        None => None,
    };
    click(
        client,
        &format!("{operation}//button[{}]", has_class("execute")),
        &format!("{method} {path}'s Execute"),
    )
    .await?;
    let live = format!(
        "{operation}//table[{}]//tr[{}]",
        has_class("live-responses-table"),
        has_class("response")
    );
    let status_text = wait_for(
        client,
        &format!("{live}/td[{}]", has_class("response-col_status")),
        &format!("{method} {path}'s live response"),
    )
    .await?
    .text()
    .await
    .map_err(|error| format!("reading the status: {error}"))?;
    let digits: String = status_text
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let status = digits
        .parse()
        .map_err(|_| format!("the live response shows no status: {status_text:?}"))?;
    let body = client
        .find(Locator::XPath(&format!(
            "{live}/td[{}]//pre",
            has_class("response-col_description")
        )))
        .await
        .map_err(|error| format!("finding the response body: {error}"))?
        .text()
        .await
        .map_err(|error| format!("reading the response body: {error}"))?;
    Ok(Exchange { sent, status, body })
}

fn is_uc1(body: &Value) -> bool {
    body.get("orderItem").is_none()
        && body.get("customer").is_some()
        && body.get("relatedContact").is_some()
}

/// The spec's own UC1 request example, what a user would paste from Orange's documentation.
fn spec_uc1_example() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/product-ordering.yaml");
    let text = std::fs::read_to_string(path).expect("the ProductOrdering spec");
    let spec: Value = serde_yaml::from_str(&text).expect("YAML");
    let example = spec["components"]["examples"]["Uc1CustomerAndContactsRequest"]["value"].clone();
    assert!(is_uc1(&example), "the spec's UC1 example: {example}");
    example
}

/// Leaves a UC1 in the request body editor, as a user does: the UC1 entry of the examples
/// dropdown when the page offers one, otherwise `uc1` pasted over the generated example (which
/// Swagger UI builds from the schema, with an `orderItem`). Returns the body the page will send.
async fn put_uc1_in_editor(client: &Client, operation: &str, uc1: &Value) -> Result<Value, String> {
    let editor_xpath = format!("{operation}//textarea[{}]", has_class("body-param__text"));
    let editor = wait_for(client, &editor_xpath, "the request body editor").await?;
    let choice = format!(
        "{operation}//*[{}]//select[option[@value='{UC1_EXAMPLE}']]",
        has_class("opblock-section-request-body")
    );
    let examples = client
        .find_all(Locator::XPath(&choice))
        .await
        .map_err(|error| format!("looking for the examples dropdown: {error}"))?;
    if let Some(select) = examples.first() {
        select
            .select_by_value(UC1_EXAMPLE)
            .await
            .map_err(|error| format!("choosing the example {UC1_EXAMPLE}: {error}"))?;
    }
    if !editor_body(&editor).await.is_ok_and(|body| is_uc1(&body)) {
        // Pasted, as a user brings a body from Orange's documentation: the editor gets the text
        // in one input event, the one React listens to (typing 1.5 KB key by key re-renders
        // Swagger UI on every key and takes about a minute).
        let element = serde_json::to_value(&editor)
            .map_err(|error| format!("the editor as a script argument: {error}"))?;
        client
            .execute(
                "const [editor, text] = arguments;
                 Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')
                     .set.call(editor, text);
                 editor.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![
                    element,
                    Value::String(serde_json::to_string_pretty(uc1).unwrap_or_default()),
                ],
            )
            .await
            .map_err(|error| format!("pasting the UC1 body: {error}"))?;
    }
    editor_body(&editor).await
}

async fn editor_body(editor: &fantoccini::elements::Element) -> Result<Value, String> {
    let text = editor
        .prop("value")
        .await
        .map_err(|error| format!("reading the request body: {error}"))?
        .unwrap_or_default();
    serde_json::from_str(&text)
        .map_err(|error| format!("the request body is not JSON ({error}): {text}"))
}

/// Opens /docs on a server of its own, authorizes with `key`, then runs GET /ping and the UC1
/// example from the page.
async fn use_the_page(key: &str) -> Result<(Exchange, Exchange), String> {
    let (addr, server) = start_server().await;
    let driver = Chromedriver::start();
    let client = driver.connect().await;
    let run = async {
        client
            .goto(&format!("http://{addr}/docs/"))
            .await
            .map_err(|error| format!("opening /docs: {error}"))?;
        authorize_with_api_key(&client, key).await?;
        let ping = try_it_out(&client, "get", "/ping", None).await?;
        let uc1 = try_it_out(&client, "post", ORDERS, Some(&spec_uc1_example())).await?;
        Ok((ping, uc1))
    }
    .await;
    // The session ends whatever happened, so no Chromium outlives the test.
    let _ = client.close().await;
    drop(driver);
    server.abort();
    run
}

#[tokio::test]
async fn swagger_ui_authorized_with_the_api_key_runs_ping_and_a_uc1_order() {
    if !browser_available() {
        return;
    }
    let (ping, uc1) = use_the_page(API_KEY)
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(ping.status, 200, "GET /ping from the page: {}", ping.body);
    let sent = uc1.sent.expect("the order's request body");
    assert!(
        sent.get("orderItem").is_none() && sent.get("relatedContact").is_some(),
        "the body sent is a UC1 (customer and contacts, no orderItem): {sent}"
    );
    assert_eq!(uc1.status, 201, "UC1 from the page: {}", uc1.body);
    let answer: Value = serde_json::from_str(&uc1.body).expect("a JSON answer");
    assert_eq!(answer["state"], "completed", "{answer}");
}

#[tokio::test]
async fn swagger_ui_authorized_with_a_wrong_api_key_gets_401_on_a_uc1_order() {
    if !browser_available() {
        return;
    }
    let (ping, uc1) = use_the_page("not-the-key")
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        ping.status, 200,
        "GET /ping needs no credentials: {}",
        ping.body
    );
    assert_eq!(uc1.status, 401, "UC1 with a wrong key: {}", uc1.body);
}
