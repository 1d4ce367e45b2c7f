//! `/metrics` of `obakit serve --metrics-listen`, with `obakit mock-orange` as Orange: a refused
//! event shows as one dead event, an outage as a queued event getting older, and requests,
//! tokens, deliveries and provisioning are counted.

mod support;

use serde_json::{Value, json};
use support::process::{START, Served, free_port};
use support::wait_until;

const CLIENT_ID: &str = "partner";
const CLIENT_SECRET: &str = "s3cret";

fn order(external_id: &str) -> Value {
    json!({
        "externalReference": {"type": "orange", "id": external_id},
        "category": "production",
        "customer": {"externalReference": {"type": "orange", "id": "CUST-METRICS"}, "tradingName": "Durand Conseil"},
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": "PO-BUSAPP-STARTER"}},
            "productRef": {"userServiceQuantity": 2}
        }]
    })
}

/// The value of the sample of `name` carrying every label in `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .find(|line| {
            labels
                .iter()
                .all(|(key, value)| line.contains(&format!("{key}=\"{value}\"")))
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

struct Scraper {
    url: String,
    http: reqwest::Client,
}

impl Scraper {
    async fn scrape(&self) -> String {
        match self.http.get(&self.url).send().await {
            Ok(answer) if answer.status().is_success() => answer.text().await.unwrap_or_default(),
            _ => String::new(),
        }
    }

    async fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        wait_until(what, START, async || {
            last = self.scrape().await;
            check(&last)
        })
        .await;
        last
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_a_refused_event_as_dead_and_an_outage_as_a_queued_event() {
    let dir = tempfile::tempdir().expect("folder");
    let mock = Served::mock_orange(
        dir.path(),
        &["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
    );
    let gateway = format!("http://127.0.0.1:{}", mock.port);
    let metrics_port = free_port();
    let db = format!("sqlite://{}", dir.path().join("obakit.db").display());
    let metrics_listen = format!("127.0.0.1:{metrics_port}");
    let server = Served::start(
        dir.path(),
        &[
            "--database-url",
            &db,
            "--basic-user",
            "orange",
            "--basic-password",
            "pw",
            "--product-ordering-mode",
            "async",
            "--orange-gateway-url",
            &gateway,
            "--orange-client-id",
            CLIENT_ID,
            "--orange-client-secret",
            CLIENT_SECRET,
            "--metrics-listen",
            &metrics_listen,
        ],
        &[],
    );
    let http = reqwest::Client::new();
    let scraper = Scraper {
        url: format!("http://{metrics_listen}/metrics"),
        http: http.clone(),
    };
    scraper
        .wait_for("the metrics are served", |text| {
            sample(text, "obakit_outbox_queued", &[]).is_some()
        })
        .await;
    let faults = |faults: Value| {
        let http = http.clone();
        let url = format!("{gateway}/_mock/faults");
        async move {
            let answer = http.put(url).json(&faults).send().await.expect("faults");
            assert!(answer.status().is_success(), "{}", answer.status());
        }
    };
    let place = |external_id: &'static str| {
        let http = http.clone();
        let url = format!(
            "http://127.0.0.1:{}/productordering/v2/productOrder",
            server.port
        );
        async move {
            let answer: Value = http
                .post(url)
                .basic_auth("orange", Some("pw"))
                .json(&order(external_id))
                .send()
                .await
                .expect("order")
                .json()
                .await
                .expect("JSON");
            assert_eq!(answer["state"], "acknowledged", "{answer}");
        }
    };

    // Orange refuses the event: one dead event, nothing queued.
    faults(json!({"refuseEvents": true})).await;
    place("ORA-METRICS-1").await;
    let text = scraper
        .wait_for("the refused event shows as dead", |text| {
            sample(text, "obakit_outbox_dead", &[]) == Some(1.0)
                && sample(text, "obakit_outbox_queued", &[]) == Some(0.0)
        })
        .await;
    assert_eq!(
        sample(
            &text,
            "obakit_event_deliveries_total",
            &[("outcome", "dead")]
        ),
        Some(1.0),
        "{text}"
    );

    // Orange is down: the next event waits in the outbox and gets older.
    faults(json!({"unavailable": true})).await;
    place("ORA-METRICS-2").await;
    let text = scraper
        .wait_for(
            "the event of the outage shows as queued, tried and older",
            |text| {
                sample(text, "obakit_outbox_queued", &[]) == Some(1.0)
                    && sample(
                        text,
                        "obakit_event_deliveries_total",
                        &[("outcome", "retry")],
                    )
                    .is_some_and(|n| n >= 1.0)
                    && sample(text, "obakit_outbox_oldest_age_seconds", &[])
                        .is_some_and(|s| s > 0.0)
            },
        )
        .await;
    assert_eq!(
        sample(&text, "obakit_outbox_dead", &[]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "obakit_database_up", &[]),
        Some(1.0),
        "{text}"
    );
    assert!(
        sample(&text, "obakit_orange_token_fetches_total", &[]).is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            "obakit_http_requests_total",
            &[("operation", "createProductOrder")]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            "obakit_http_request_duration_seconds_count",
            &[("operation", "createProductOrder")]
        )
        .is_some_and(|n| n >= 2.0),
        "{text}"
    );
    assert!(
        sample(&text, "obakit_provisioning_calls_total", &[]).is_some_and(|n| n >= 2.0),
        "{text}"
    );

    // Orange is back: the queued event leaves; the dead one waits for a replay.
    faults(json!({})).await;
    scraper
        .wait_for("the queued event is delivered after the outage", |text| {
            sample(text, "obakit_outbox_queued", &[]) == Some(0.0)
                && sample(
                    text,
                    "obakit_event_deliveries_total",
                    &[("outcome", "delivered")],
                ) == Some(1.0)
        })
        .await;
}
