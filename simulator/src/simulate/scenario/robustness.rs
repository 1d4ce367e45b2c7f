//! What Orange's real traffic brings beyond the spec's examples: properties and enumeration
//! values the spec does not name (Orange changes its payloads between versions), the
//! getting-started page's flat `productOfferingOperation.externalReference`, and requests no
//! partner should read whole (64 MiB, 5,000 levels deep), after which the server must still answer.

use obakit_api::product_ordering::handler::PingResponse;

use super::Run;
use super::bad_input::Held;
use crate::simulate::checks::Feature;
use crate::simulate::tap::Exchange;

const ORDER_PATH: &str = "productordering/v2/productOrder";
const UPDATE_PATH: &str = "userservice/v2/userService/update";

/// Whether an answer accepted the request: a 2xx whose `state` is not `failed`.
fn accepted(exchange: Option<&Exchange>) -> bool {
    exchange.is_some_and(|e| {
        e.status.is_some_and(|s| (200..300).contains(&s))
            && e.json().is_some_and(|j| j["state"] != "failed")
    })
}

impl Run<'_> {
    /// POSTs raw JSON through the tap; the exchange.
    async fn post_json(&mut self, path: &str, body: String) -> Option<Exchange> {
        let request = self
            .raw(reqwest::Method::POST, path)
            .header("content-type", "application/json")
            .body(body);
        let _ = request.send().await;
        self.exchange()
    }

    pub(super) async fn tolerance(&mut self) {
        self.checks
            .step("tolerance: properties the spec does not name");
        let body = self.bodies.with_unknown_properties().to_string();
        let exchange = self.post_json(ORDER_PATH, body).await;
        self.checks.add(
            "tolerance.unknown_properties",
            Feature::LicenseOrdering,
            accepted(exchange.as_ref()),
            "an order with @type, @baseType and other unknown properties is accepted (2xx, not failed)",
            super::quote(exchange.as_ref()),
        );
        self.checks
            .step("tolerance: an enumeration value the spec does not list");
        let body = self.bodies.with_unknown_enum().to_string();
        let exchange = self.post_json(ORDER_PATH, body).await;
        self.checks.add(
            "tolerance.unknown_enum",
            Feature::CustomerCreation,
            accepted(exchange.as_ref()),
            "a UC1 whose contact has the role customerBillingManager is accepted (2xx, not failed)",
            super::quote(exchange.as_ref()),
        );
        self.flat_swap().await;
    }

    /// The getting-started page's shape of a swap: `productOfferingOperation.externalReference`.
    async fn flat_swap(&mut self) {
        let feature = Feature::OfferSwap;
        self.checks
            .step("tolerance: a swap in the getting-started page's flat shape");
        if self.checks.left_out(feature) {
            self.not_run(
                "tolerance.flat_swap",
                feature,
                "the swap applied",
                "the profile leaves offer swap out",
            );
            return;
        }
        let Some(id) = self.model.nth(0) else {
            self.not_run(
                "tolerance.flat_swap",
                feature,
                "the swap applied",
                "no license from UC2",
            );
            return;
        };
        let to = self.bodies.swap_offer.clone();
        let body = self.bodies.flat_swap(&id).to_string();
        let exchange = self.post_json(UPDATE_PATH, body).await;
        let answer = exchange.as_ref().and_then(Exchange::json);
        let mut state = answer
            .as_ref()
            .and_then(|a| a["state"].as_str().map(str::to_owned));
        if state.as_deref() == Some("acknowledged") {
            self.acknowledged = true;
            self.updates_acknowledged = true;
            state = self
                .events
                .update(
                    &mut self.checks,
                    "tolerance.flat_swap",
                    std::slice::from_ref(&id),
                )
                .await
                .and_then(|a| a.resource.state.map(|s| s.as_str().to_owned()));
        }
        let completed = state.as_deref() == Some("completed");
        self.checks.add(
            "tolerance.flat_swap",
            feature,
            completed,
            format!(
                "{{\"action\":\"swap\",\"externalReference\":{{…{to}}}}} accepted: state completed"
            ),
            match state {
                Some(state) if exchange.as_ref().and_then(|e| e.status) == Some(200) => {
                    format!("state {state}")
                }
                _ => super::quote(exchange.as_ref()),
            },
        );
        if completed {
            self.model.set_offer(&id, &to);
        }
        self.verify("tolerance.flat_swap.after", feature).await;
    }

    pub(super) async fn limits(&mut self) {
        let feature = Feature::RequestValidation;
        self.checks.step("limits: a 64 MiB order");
        let request = self
            .raw(reqwest::Method::POST, ORDER_PATH)
            .header("content-type", "application/json")
            .body(self.bodies.huge_order());
        let _ = request.send().await;
        let exchange = self.exchange();
        let (refused, exact, actual) = match &exchange {
            Some(e) => match e.status {
                Some(413) => (
                    true,
                    obakit_api::rt::decode_json::<obakit_api::common::types::Error>(413, &e.body)
                        .is_ok(),
                    super::quote(Some(e)),
                ),
                Some(s) => ((400..500).contains(&s), false, super::quote(Some(e))),
                // A timeout is no refusal: the partner may be reading it all.
                None if e.error.as_deref().is_some_and(|e| e.contains("timed out")) => (
                    false,
                    false,
                    format!("no answer: {}", e.error.as_deref().unwrap_or("?")),
                ),
                // The partner answered 413 and closed the connection before the body was sent.
                None => (
                    true,
                    true,
                    format!(
                        "connection closed while the body was sent: {}",
                        e.error.as_deref().unwrap_or("?")
                    ),
                ),
            },
            None => (false, false, "no exchange".to_owned()),
        };
        self.checks.add(
            "limits.large_body.refused",
            feature,
            refused,
            "a 64 MiB order refused (a 4xx, or the connection closed), never read whole",
            actual.clone(),
        );
        self.checks.add(
            "limits.large_body",
            feature,
            exact,
            "413 with Orange's error body, or the connection closed after a 413",
            actual,
        );
        self.checks.step("limits: JSON nested 5,000 levels deep");
        let request = self
            .raw(reqwest::Method::POST, ORDER_PATH)
            .header("content-type", "application/json")
            .body(self.bodies.deep_order());
        let _ = request.send().await;
        let exchange = self.exchange();
        self.refusal(
            "limits.deep_nesting",
            400,
            "an order nested 5,000 levels deep",
            exchange.as_ref(),
            Held::Refusal,
        );
        self.checks.step("limits: the server still answers");
        let result = match self.clients_with(&crate::simulate::Credentials::default()) {
            Ok((client, _)) => client.ping().await,
            Err(e) => Err(e),
        };
        self.spec(
            "limits.alive",
            feature,
            "GET /ping answers 200 after the refusals",
            result,
            |PingResponse::Ok| Some(()),
        );
    }
}
