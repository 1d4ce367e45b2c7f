//! Requests a conforming partner must refuse (contract §2): malformed or incomplete bodies,
//! values the spec forbids, missing or contradictory query parameters, an unknown license, and
//! calls without (or with wrong) credentials. Each must get the spec's 4xx with Orange's error
//! body, never a 5xx and never a change.

use obakit_api::common::types::Error;
use obakit_api::user_service::types::{ExternalState, UserServiceUpdateRequest};

use super::Run;
use super::bodies::state_item;
use crate::simulate::Credentials;
use crate::simulate::checks::{Feature, empty_nodes};
use crate::simulate::tap::Exchange;

const FEATURE: Feature = Feature::RequestValidation;
const ORDER_PATH: &str = "productordering/v2/productOrder";
const UPDATE_PATH: &str = "userservice/v2/userService/update";

/// How strictly a refusal is held.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Held {
    /// Refusing at all is Orange's contract (`id`: a 4xx, or an order answered `failed`; never a
    /// 5xx); the exact status with Orange's error body is our decision (`id.error_body`).
    Refusal,
    /// The refusal itself is our decision: `id` is the exact status with Orange's error body.
    Exact,
}

impl Run<'_> {
    /// The checks of a request that must be refused (see [`Held`]).
    pub(super) fn refusal(
        &mut self,
        id: &str,
        status: u16,
        what: &str,
        exchange: Option<&Exchange>,
        held: Held,
    ) {
        if held == Held::Refusal {
            let refused = match exchange {
                Some(e) => match e.status {
                    Some(s) if (400..500).contains(&s) => true,
                    Some(s) if (200..300).contains(&s) => {
                        e.json().is_some_and(|j| j["state"] == "failed")
                    }
                    _ => false,
                },
                None => false,
            };
            self.checks.add(
                id,
                FEATURE,
                refused,
                format!("{what}: refused with a 4xx (or an order answered failed), never a 5xx"),
                super::quote(exchange),
            );
        }
        let mut findings = Vec::new();
        match exchange {
            Some(e) if e.status == Some(status) => {
                if let Err(reason) = obakit_api::rt::decode_json::<Error>(status, &e.body) {
                    findings.push(format!(
                        "{status} but not Orange's error body ({reason}): {}",
                        super::quote(Some(e))
                    ));
                }
                if let Some(json) = e.json() {
                    findings.extend(empty_nodes(&json));
                }
            }
            other => findings.push(super::quote(other)),
        }
        let fine = exchange.map(|e| super::quote(Some(e))).unwrap_or_default();
        let exact = match held {
            Held::Refusal => format!("{id}.error_body"),
            Held::Exact => id.to_owned(),
        };
        self.checks.findings(
            exact,
            FEATURE,
            format!("{what}: {status} with Orange's error body {{code, message}}"),
            findings,
            fine,
        );
    }

    /// Sends a raw request through the tap and checks the refusal.
    async fn refuse_raw(
        &mut self,
        id: &str,
        status: u16,
        what: &str,
        request: reqwest::RequestBuilder,
        held: Held,
    ) {
        // The tap records the exchange whatever happens; a transport error shows there.
        let _ = request.send().await;
        let exchange = self.exchange();
        self.refusal(id, status, what, exchange.as_ref(), held);
    }

    pub(super) async fn bad_input(&mut self) {
        self.checks.step("requests that cannot be processed");
        let json = |b: reqwest::RequestBuilder| b.header("content-type", "application/json");
        let post = |run: &Self, path: &str| json(run.raw(reqwest::Method::POST, path));

        let request = post(self, ORDER_PATH).body(self.bodies.malformed_json());
        self.refuse_raw(
            "bad_input.malformed_json",
            400,
            "an order that is not JSON",
            request,
            Held::Refusal,
        )
        .await;
        let request = post(self, ORDER_PATH);
        self.refuse_raw(
            "bad_input.missing_body",
            400,
            "an order with no body",
            request,
            Held::Refusal,
        )
        .await;
        let request = post(self, ORDER_PATH).body(self.bodies.missing_field());
        self.refuse_raw(
            "bad_input.missing_field",
            400,
            "an order item without its required productOffering",
            request,
            Held::Refusal,
        )
        .await;
        let request = post(self, ORDER_PATH).body(self.bodies.quantity_zero());
        self.refuse_raw(
            "bad_input.constraint",
            400,
            "an order for userServiceQuantity 0 (minimum 1)",
            request,
            Held::Refusal,
        )
        .await;
        let request = post(self, UPDATE_PATH).body(self.bodies.empty_update());
        self.refuse_raw(
            "bad_input.update_empty",
            400,
            "an update with an empty userService list (minItems 1)",
            request,
            Held::Exact,
        )
        .await;

        let _ = self.licenses.list_user_services(None, None).await;
        let exchange = self.exchange();
        self.refusal(
            "bad_input.no_query",
            400,
            "a consultation with neither productRefId nor id",
            exchange.as_ref(),
            Held::Exact,
        );
        let fleet = self
            .saved
            .fleet
            .clone()
            .unwrap_or_else(|| self.bodies.unknown_id("fleet"));
        let license = self
            .model
            .nth(0)
            .unwrap_or_else(|| self.bodies.unknown_id("license"));
        let _ = self
            .licenses
            .list_user_services(Some(fleet), Some(vec![license.clone()]))
            .await;
        let exchange = self.exchange();
        self.refusal(
            "bad_input.both_query",
            400,
            "a consultation with both productRefId and id",
            exchange.as_ref(),
            Held::Exact,
        );
        let _ = self
            .licenses
            .get_user_service(self.bodies.unknown_id("license"))
            .await;
        let exchange = self.exchange();
        self.refusal(
            "bad_input.unknown_license",
            404,
            "GET of a license that does not exist",
            exchange.as_ref(),
            Held::Exact,
        );

        self.credentials_refused(&license).await;
        self.verify("bad_input.after", FEATURE).await;
    }

    /// No credentials and wrong credentials get 401; an update sent so must change nothing.
    async fn credentials_refused(&mut self, license: &str) {
        if self.config.credentials.is_empty() {
            self.checks.skip(
                "bad_input.no_credentials",
                FEATURE,
                "calls without credentials are refused with 401",
                "not checked: the simulator was given no credentials (--basic-user, --api-key or \
                 --bearer-token), so it cannot tell a call without them from the others",
            );
            return;
        }
        let (orders, licenses) = match self.clients_with(&Credentials::default()) {
            Ok(clients) => clients,
            Err(e) => {
                self.not_run(
                    "bad_input.no_credentials.order",
                    FEATURE,
                    "401",
                    &e.to_string(),
                );
                return;
            }
        };
        let mut order = self.bodies.uc1();
        if let Some(reference) = order.external_reference.as_mut() {
            reference.id = self.bodies.external_id("no-credentials");
        }
        let _ = orders.create_product_order(&order).await;
        let exchange = self.exchange();
        self.refusal(
            "bad_input.no_credentials.order",
            401,
            "an order without credentials",
            exchange.as_ref(),
            Held::Exact,
        );
        let fleet = self
            .saved
            .fleet
            .clone()
            .unwrap_or_else(|| self.bodies.unknown_id("fleet"));
        let _ = licenses.list_user_services(Some(fleet.clone()), None).await;
        let exchange = self.exchange();
        self.refusal(
            "bad_input.no_credentials.list",
            401,
            "a consultation without credentials",
            exchange.as_ref(),
            Held::Exact,
        );
        let update = UserServiceUpdateRequest {
            user_service: vec![state_item(license, ExternalState::Suspended)],
        };
        let _ = licenses.update_user_services(&update).await;
        let exchange = self.exchange();
        self.refusal(
            "bad_input.no_credentials.update",
            401,
            "an update without credentials",
            exchange.as_ref(),
            Held::Exact,
        );
        let wrong = self.config.credentials.wrong();
        match self.clients_with(&wrong) {
            Ok((_, licenses)) => {
                let _ = licenses.list_user_services(Some(fleet), None).await;
                let exchange = self.exchange();
                self.refusal(
                    "bad_input.wrong_credentials",
                    401,
                    "a consultation with wrong credentials",
                    exchange.as_ref(),
                    Held::Exact,
                );
            }
            Err(e) => self.not_run(
                "bad_input.wrong_credentials",
                FEATURE,
                "401",
                &e.to_string(),
            ),
        }
    }
}
