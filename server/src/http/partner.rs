//! The partner side of Orange's APIs: the generated traits, implemented over the store.
//!
//! Each operation maps the request to a domain command (`wire`), runs one use case (one
//! transaction) or store read, and maps the outcome back. A business refusal is an answer (`state: failed` with
//! a note); HTTP errors are only for requests that cannot be processed at all (contract §2), and
//! a 5xx only for a failure of the server itself.

use obakit_api::product_ordering::handler::{
    CreateProductOrderResponse, PingResponse, ProductOrderingPartnerApi,
};
use obakit_api::product_ordering::types::ProductOrder;
use obakit_api::user_service::handler::{
    GetUserServiceResponse, ListUserServicesResponse, UpdateUserServicesResponse,
    UserServicePartnerApi,
};
use obakit_api::user_service::types::UserServiceUpdateRequest;
use std::sync::Arc;

use poem::http::StatusCode;
use poem_openapi::payload::Json;
use tokio::sync::Notify;

use crate::config::{Mode, ModeConfig};
use crate::domain::{FleetId, LicenseId, OrderState, PlaceOrder, UpdateState};
use crate::store::{Store, StoreError, no_events};
use crate::usecase::{Processing, UseCaseError, UseCases};
use crate::wire::{self, OrangeCode};

/// The state every partner operation needs: the use cases (with the store, the catalogue and the
/// provisioner) and the operator's choice of answering now or later, per API.
pub struct Partner {
    cases: UseCases,
    mode: ModeConfig,
    /// Told when work is acknowledged, so the asynchronous worker starts at once.
    work: Arc<Notify>,
}

impl Partner {
    pub fn new(cases: UseCases, mode: ModeConfig) -> Self {
        Self {
            cases,
            mode,
            work: Arc::new(Notify::new()),
        }
    }

    /// Notifies `work` whenever an order or update is acknowledged for later.
    pub fn with_work_signal(mut self, work: Arc<Notify>) -> Self {
        self.work = work;
        self
    }

    pub fn store(&self) -> &Store {
        self.cases.store()
    }

    pub fn mode(&self) -> &ModeConfig {
        &self.mode
    }

    /// When an order's work is done (contract §4, "Sync or async"). Orange's asynchronous answer
    /// covers orders with an item (UC2, UC3); an order without one (UC1: customer and contacts)
    /// is always answered at once, `completed` or `failed`.
    fn order_processing(&self, order: &PlaceOrder) -> Processing {
        match self.mode.product_ordering {
            Mode::Async if order.item.is_some() => Processing::Asynchronous,
            Mode::Sync | Mode::Async => Processing::Synchronous,
        }
    }
}

impl ProductOrderingPartnerApi for Partner {
    async fn ping(&self) -> poem::Result<PingResponse> {
        Ok(PingResponse::Ok)
    }

    async fn create_product_order(
        &self,
        body: ProductOrder,
    ) -> poem::Result<CreateProductOrderResponse> {
        let command = match wire::order_command(&body) {
            Ok(command) => command,
            Err(invalid) => {
                return Ok(CreateProductOrderResponse::BadRequest(Json(
                    invalid.into_error(),
                )));
            }
        };
        let placed = match self
            .cases
            .place_order(&command, self.order_processing(&command), no_events)
            .await
        {
            Ok(placed) => placed,
            Err(UseCaseError::OrderConflict { external_id }) => {
                return Ok(CreateProductOrderResponse::Conflict(Json(
                    OrangeCode::Conflict.body(format!(
                        "order {external_id} was already received with another content; \
                         a resend must carry the same externalReference, category, customer, \
                         relatedContact and orderItem (dates may differ)"
                    )),
                )));
            }
            Err(
                UseCaseError::Contended(detail) | UseCaseError::Store(StoreError::Conflict(detail)),
            ) => {
                // Two requests for the same Orange order raced; the other one won.
                tracing::warn!(%detail, "order placed concurrently");
                return Ok(CreateProductOrderResponse::Conflict(Json(
                    OrangeCode::Conflict
                        .body("the same order is being placed by another request; send it again"),
                )));
            }
            Err(other) => return Err(internal(other)),
        };
        let outcome = &placed.outcome;
        if !placed.replayed && outcome.state == OrderState::Acknowledged {
            self.work.notify_one();
        }
        tracing::info!(
            order.id = %outcome.order_id,
            order.external_id = outcome.external_id.as_deref().unwrap_or_default(),
            state = %outcome.state,
            replayed = placed.replayed,
            licenses = outcome.licenses.len(),
            "order answered"
        );
        // Only an order configuring end users needs its licenses read back (for their ids).
        let configured = wire::configured_licenses(&body, outcome);
        let configured = if configured.is_empty() {
            Vec::new()
        } else {
            self.store()
                .licenses_by_ids(&configured)
                .await
                .map_err(internal)?
        };
        Ok(CreateProductOrderResponse::Created(Json(
            wire::order_answer(body, outcome, &configured),
        )))
    }
}

impl UserServicePartnerApi for Partner {
    async fn list_user_services(
        &self,
        product_ref_id: Option<String>,
        id: Option<Vec<String>>,
    ) -> poem::Result<ListUserServicesResponse> {
        let licenses = match (product_ref_id, id) {
            (Some(fleet), None) => self.store().licenses_by_fleet(&FleetId::from(fleet)).await,
            (None, Some(ids)) => {
                let ids: Vec<LicenseId> = ids
                    .into_iter()
                    .filter(|id| !id.is_empty())
                    .map(LicenseId::from)
                    .collect();
                self.store().licenses_by_ids(&ids).await
            }
            (None, None) => {
                return Ok(ListUserServicesResponse::BadRequest(Json(
                    OrangeCode::MissingQueryParameter
                        .body("give productRefId (a fleet) or id (license ids, comma separated)"),
                )));
            }
            (Some(_), Some(_)) => {
                return Ok(ListUserServicesResponse::BadRequest(Json(
                    OrangeCode::InvalidQueryParameter.body("give productRefId or id, not both"),
                )));
            }
        }
        .map_err(internal)?;
        Ok(ListUserServicesResponse::Ok(Json(
            licenses.iter().map(wire::user_service).collect(),
        )))
    }

    async fn get_user_service(&self, id: String) -> poem::Result<GetUserServiceResponse> {
        let id = LicenseId::from(id);
        match self.store().license(&id).await.map_err(internal)? {
            Some(license) => Ok(GetUserServiceResponse::Ok(Json(wire::user_service(
                &license,
            )))),
            None => Ok(GetUserServiceResponse::NotFound(Json(
                OrangeCode::ResourceNotFound.body(format!("no license {id}")),
            ))),
        }
    }

    async fn update_user_services(
        &self,
        body: UserServiceUpdateRequest,
    ) -> poem::Result<UpdateUserServicesResponse> {
        let command = match wire::update_command(&body) {
            Ok(command) => command,
            Err(reason) => {
                // Refused before the store: nothing changed, so the licenses are as stored.
                let ids: Vec<LicenseId> = body
                    .user_service
                    .iter()
                    .map(|item| LicenseId::from(item.id.as_str()))
                    .collect();
                let licenses = self.store().licenses_by_ids(&ids).await.map_err(internal)?;
                tracing::info!(%reason, "update refused");
                return Ok(UpdateUserServicesResponse::Ok(Json(wire::update_refused(
                    &reason, &licenses,
                ))));
            }
        };
        let outcome = match self.mode.user_service {
            Mode::Sync => self.cases.apply_update(&command, no_events).await,
            Mode::Async => self.cases.acknowledge_update(&command).await,
        }
        .map_err(internal)?;
        if outcome.state == UpdateState::Acknowledged {
            self.work.notify_one();
        }
        tracing::info!(
            update.id = %outcome.update_id,
            state = %outcome.state,
            changes = outcome.changes.len(),
            "update answered"
        );
        Ok(UpdateUserServicesResponse::Ok(Json(wire::update_answer(
            &outcome,
        ))))
    }
}

/// A failure of the server itself. The catch-all (`errors.rs`) logs this detail with the request
/// id and answers a 500 that carries none of it; a fault of the partner's platform (provisioning
/// unreachable or not answering in time) is a 503 with `Retry-After` instead: nothing was stored,
/// so Orange's resend tries again.
fn internal(error: impl Into<UseCaseError>) -> poem::Error {
    let error = error.into();
    if let UseCaseError::ProvisioningFault(fault) = &error {
        tracing::warn!(%fault, "provisioning unavailable: answered 503, nothing stored");
        return poem::Error::from_string(fault.to_string(), StatusCode::SERVICE_UNAVAILABLE);
    }
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    poem::Error::from_string(detail, StatusCode::INTERNAL_SERVER_ERROR)
}
