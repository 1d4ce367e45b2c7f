//! The admin API: `/admin/licenses/{id}/…` to change a license (UC5) and `/admin/events/…` for
//! events Orange never acknowledged. Errors come in Orange's body `{code, message, description}`,
//! like the rest of the server.

use std::sync::Arc;

use chrono::Utc;

use obakit_api::common::types::{Error, Individual, RealizingResource};
use obakit_api::rt::{FromRequestError, RequestError};
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};
use tokio::sync::Notify;

use super::auth::AdminCredentials;
use super::changes::{LicenseEdit, Refusal, apply};
use super::types::{
    self, AdminCharacteristicValue, AdminEvent, AdminLicenseChanged, AdminLogin, Invalid,
};
use crate::domain::{LicenseId, PartnerChange};
use crate::store::{OutboxEvent, OutboxState, Store};
use crate::usecase::UseCases;
use crate::wire::OrangeCode;

/// Dead events listed when no `limit` is given, and the most a call lists.
const DEFAULT_DEAD_LIMIT: u32 = 100;
const MAX_DEAD_LIMIT: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Tags)]
pub enum AdminTags {
    /// The partner's own operations (not Orange's): changes to a license that Orange is told
    /// about with an `updateNotification` (UC5), and events Orange never acknowledged. They need
    /// the admin credentials; Orange's credentials are refused.
    Admin,
}

/// The admin operations over the use cases and the store; `events_ready` wakes the dispatcher when an event is
/// queued, so Orange hears of a change at once rather than at the next poll.
#[derive(Clone)]
pub struct AdminApi {
    cases: UseCases,
    events_ready: Arc<Notify>,
}

impl AdminApi {
    pub fn new(cases: UseCases, events_ready: Arc<Notify>) -> Self {
        Self {
            cases,
            events_ready,
        }
    }

    fn store(&self) -> &Store {
        self.cases.store()
    }

    async fn change(&self, id: String, edit: Result<LicenseEdit, Invalid>) -> ChangeResponse {
        let edit = match edit {
            Ok(edit) => edit,
            Err(invalid) => return ChangeResponse::BadRequest(Json(invalid.into_error())),
        };
        let id = LicenseId::from(id);
        match apply(&self.cases, &id, &edit).await {
            Ok(edited) => {
                self.events_ready.notify_one();
                let answer = AdminLicenseChanged::of(&edited);
                tracing::info!(
                    license.id = %id,
                    operation = %answer.operation,
                    action = %answer.action,
                    event.id = %answer.event_id,
                    "license changed by the partner"
                );
                ChangeResponse::Ok(Json(Box::new(answer)))
            }
            Err(Refusal::NotFound(why)) => {
                ChangeResponse::NotFound(Json(OrangeCode::ResourceNotFound.body(why)))
            }
            Err(Refusal::Conflict(why)) => {
                ChangeResponse::Conflict(Json(OrangeCode::Conflict.body(why)))
            }
            Err(Refusal::Refused(why)) => ChangeResponse::Refused(Json(
                OrangeCode::Conflict.body_saying("refused by provisioning", why),
            )),
            Err(Refusal::Internal(failure)) => {
                tracing::error!(error = %failure, license.id = %id, "admin change failed");
                ChangeResponse::Internal(Json(OrangeCode::internal_body()))
            }
        }
    }
}

#[OpenApi(prefix_path = "/admin", tag = "AdminTags::Admin")]
impl AdminApi {
    /// Set a license's end user
    ///
    /// Adds the end user when the license has none (`endUserOperation` `add`), replaces it
    /// otherwise (`modify`; the end user keeps its id unless the body gives one). The body is
    /// Orange's `Individual`; the partner makes the id when none is given.
    #[oai(
        path = "/licenses/:id/end-user",
        method = "put",
        operation_id = "adminSetEndUser"
    )]
    async fn set_end_user(
        &self,
        _credentials: AdminCredentials,
        /// The license (userService) id.
        id: Path<String>,
        body: Json<Individual>,
    ) -> ChangeResponse {
        self.change(id.0, types::set_end_user(body.0)).await
    }

    /// Remove a license's end user
    ///
    /// Sends `endUserOperation` `delete` with the end user as it was. 409 when the license has no
    /// end user.
    #[oai(
        path = "/licenses/:id/end-user",
        method = "delete",
        operation_id = "adminRemoveEndUser"
    )]
    async fn remove_end_user(
        &self,
        _credentials: AdminCredentials,
        /// The license (userService) id.
        id: Path<String>,
    ) -> ChangeResponse {
        self.change(id.0, Ok(LicenseEdit::Change(PartnerChange::RemoveEndUser)))
            .await
    }

    /// Set a license's realizing resource
    ///
    /// Sets or replaces it; Orange has one action for both, `realizingResourceOperation` `modify`.
    #[oai(
        path = "/licenses/:id/realizing-resource",
        method = "put",
        operation_id = "adminSetRealizingResource"
    )]
    async fn set_realizing_resource(
        &self,
        _credentials: AdminCredentials,
        /// The license (userService) id.
        id: Path<String>,
        body: Json<RealizingResource>,
    ) -> ChangeResponse {
        self.change(id.0, Ok(types::set_realizing_resource(body.0)))
            .await
    }

    /// Set a license's login
    ///
    /// `key` is `login` (the license's own) or `organizationCode` (one code for the customer).
    /// Sends `rightOperation` `add` for a first login, `modify` afterwards; `email` is where
    /// Orange sends the login and password.
    #[oai(
        path = "/licenses/:id/login",
        method = "put",
        operation_id = "adminSetLogin"
    )]
    async fn set_login(
        &self,
        _credentials: AdminCredentials,
        /// The license (userService) id.
        id: Path<String>,
        body: Json<AdminLogin>,
    ) -> ChangeResponse {
        self.change(id.0, Ok(types::set_login(body.0))).await
    }

    /// Add or modify a license characteristic
    ///
    /// Sends `serviceCharacteristicOperation` `add` when the license has no characteristic of
    /// that name, `modify` otherwise.
    #[oai(
        path = "/licenses/:id/characteristics/:name",
        method = "put",
        operation_id = "adminSetCharacteristic"
    )]
    async fn set_characteristic(
        &self,
        _credentials: AdminCredentials,
        /// The license (userService) id.
        id: Path<String>,
        /// The characteristic's name, as agreed in Appendix 2 of the contract.
        name: Path<String>,
        body: Json<AdminCharacteristicValue>,
    ) -> ChangeResponse {
        self.change(id.0, types::set_characteristic(name.0, body.0))
            .await
    }

    /// Delete a license characteristic
    ///
    /// Sends `serviceCharacteristicOperation` `delete` with the characteristic as it was. 409
    /// when the license has no characteristic of that name.
    #[oai(
        path = "/licenses/:id/characteristics/:name",
        method = "delete",
        operation_id = "adminDeleteCharacteristic"
    )]
    async fn delete_characteristic(
        &self,
        _credentials: AdminCredentials,
        /// The license (userService) id.
        id: Path<String>,
        /// The characteristic's name.
        name: Path<String>,
    ) -> ChangeResponse {
        self.change(id.0, types::delete_characteristic(name.0))
            .await
    }

    /// List dead events
    ///
    /// Events to Orange given up on after the last delivery attempt, oldest first, with the
    /// last error and the payload.
    #[oai(
        path = "/events/dead",
        method = "get",
        operation_id = "adminListDeadEvents"
    )]
    async fn dead_events(
        &self,
        _credentials: AdminCredentials,
        /// At most this many (default 100, at most 1000).
        limit: Query<Option<u32>>,
    ) -> DeadEventsResponse {
        let limit = limit.0.unwrap_or(DEFAULT_DEAD_LIMIT);
        if limit == 0 || limit > MAX_DEAD_LIMIT {
            return DeadEventsResponse::BadRequest(Json(
                OrangeCode::InvalidQueryParameter.body(format!("limit: 1 to {MAX_DEAD_LIMIT}")),
            ));
        }
        match self.store().dead_events(limit).await {
            Ok(dead) => {
                DeadEventsResponse::Ok(Json(dead.into_iter().map(AdminEvent::of).collect()))
            }
            Err(failure) => {
                tracing::error!(error = %failure, "listing dead events failed");
                DeadEventsResponse::Internal(Json(OrangeCode::internal_body()))
            }
        }
    }

    /// Replay a dead event
    ///
    /// Puts it back in the queue, due now, attempts reset (the last error is kept until the next
    /// attempt); it is delivered again with its original id, so Orange can tell a replay from a
    /// new event. 404 for an unknown id, 409 for an event that is not dead (pending or delivered).
    #[oai(
        path = "/events/:id/replay",
        method = "post",
        operation_id = "adminReplayEvent"
    )]
    async fn replay_event(
        &self,
        _credentials: AdminCredentials,
        /// The event id (also its `id` on the wire).
        id: Path<String>,
    ) -> ReplayResponse {
        let failed = |failure: crate::store::StoreError| {
            tracing::error!(error = %failure, event.id = %id.0, "replaying an event failed");
            ReplayResponse::Internal(Json(OrangeCode::internal_body()))
        };
        let event = match self.store().outbox_event(&id.0).await {
            Ok(Some(event)) => event,
            Ok(None) => {
                return ReplayResponse::NotFound(Json(
                    OrangeCode::ResourceNotFound.body(format!("no event {}", id.0)),
                ));
            }
            Err(failure) => return failed(failure),
        };
        let not_dead = || {
            let state = if event.state == OutboxState::Delivered {
                "delivered"
            } else {
                "pending"
            };
            ReplayResponse::Conflict(Json(OrangeCode::Conflict.body(format!(
                "event {} is {state}, not dead: only dead events are replayed",
                id.0
            ))))
        };
        if event.state != OutboxState::Dead {
            return not_dead();
        }
        match self.store().replay_dead(&id.0).await {
            Ok(true) => {}
            // Replayed by another call in between.
            Ok(false) => return not_dead(),
            Err(failure) => return failed(failure),
        }
        self.events_ready.notify_one();
        tracing::info!(event.id = %id.0, "dead event queued again");
        // The event as the replay left it, not read back: the dispatcher may already be sending it.
        let queued = OutboxEvent {
            state: OutboxState::Pending,
            attempts: 0,
            next_attempt_at: Utc::now(),
            ..event
        };
        ReplayResponse::Ok(Json(AdminEvent::of(queued)))
    }
}

/// Answers of the license operations.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "change_rejected")]
pub enum ChangeResponse {
    /// The change is stored and its `updateNotification` queued: the license as it now is, the
    /// operation and the event id.
    #[oai(status = 200)]
    Ok(Json<Box<AdminLicenseChanged>>),
    /// The request is malformed (codes 21 to 24, 28).
    #[oai(status = 400)]
    BadRequest(Json<Error>),
    /// Admin credentials missing (code 40) or wrong (code 41); Orange's are wrong here.
    #[oai(status = 401)]
    Unauthorized(Json<Error>),
    /// Unknown or terminated license (code 60).
    #[oai(status = 404)]
    NotFound(Json<Error>),
    /// The license's state forbids the change, e.g. no end user to remove (code 69).
    #[oai(status = 409)]
    Conflict(Json<Error>),
    /// Provisioning (the partner's platform) refused the change or did not answer; nothing changed.
    #[oai(status = 422)]
    Refused(Json<Error>),
    /// The server failed; the detail is in its log under the request id.
    #[oai(status = 500)]
    Internal(Json<Error>),
}

/// Answers of the dead-event listing.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "dead_events_rejected")]
pub enum DeadEventsResponse {
    /// Dead events, oldest first (an empty array when there are none).
    #[oai(status = 200)]
    Ok(Json<Vec<AdminEvent>>),
    /// `limit` is not a number from 1 to 1000 (code 28).
    #[oai(status = 400)]
    BadRequest(Json<Error>),
    /// Admin credentials missing (code 40) or wrong (code 41).
    #[oai(status = 401)]
    Unauthorized(Json<Error>),
    /// The server failed.
    #[oai(status = 500)]
    Internal(Json<Error>),
}

/// Answers of a replay.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "replay_rejected")]
pub enum ReplayResponse {
    /// The event, pending again.
    #[oai(status = 200)]
    Ok(Json<AdminEvent>),
    /// Malformed request.
    #[oai(status = 400)]
    BadRequest(Json<Error>),
    /// Admin credentials missing (code 40) or wrong (code 41).
    #[oai(status = 401)]
    Unauthorized(Json<Error>),
    /// No event with this id (code 60).
    #[oai(status = 404)]
    NotFound(Json<Error>),
    /// The event is pending or delivered, not dead (code 69).
    #[oai(status = 409)]
    Conflict(Json<Error>),
    /// The server failed.
    #[oai(status = 500)]
    Internal(Json<Error>),
}

/// A request refused before its handler ran: credentials the security scheme could not read
/// (401), or a body or parameter poem-openapi could not parse (400, with Orange's codes).
enum Rejected {
    Unauthorized(Error),
    BadRequest(Error),
}

fn rejected(err: &poem::Error) -> Rejected {
    if err.status() == StatusCode::UNAUTHORIZED {
        return Rejected::Unauthorized(OrangeCode::MissingCredentials.body(err.to_string()));
    }
    Rejected::BadRequest(Error::from_request_error(&RequestError::from_poem(err)))
}

fn change_rejected(err: poem::Error) -> ChangeResponse {
    match rejected(&err) {
        Rejected::Unauthorized(e) => ChangeResponse::Unauthorized(Json(e)),
        Rejected::BadRequest(e) => ChangeResponse::BadRequest(Json(e)),
    }
}

fn dead_events_rejected(err: poem::Error) -> DeadEventsResponse {
    match rejected(&err) {
        Rejected::Unauthorized(e) => DeadEventsResponse::Unauthorized(Json(e)),
        Rejected::BadRequest(e) => DeadEventsResponse::BadRequest(Json(e)),
    }
}

fn replay_rejected(err: poem::Error) -> ReplayResponse {
    match rejected(&err) {
        Rejected::Unauthorized(e) => ReplayResponse::Unauthorized(Json(e)),
        Rejected::BadRequest(e) => ReplayResponse::BadRequest(Json(e)),
    }
}
