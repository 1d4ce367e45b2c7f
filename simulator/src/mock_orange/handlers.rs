//! The Orange-side operations (the generated traits) and the `/_mock/*` inspection endpoints.

use obakit_api::common::types::{Error, Offer};
use obakit_api::product_ordering::handler::{
    CreateAccessTokenResponse, NotifyProductOrderEventResponse, ProductOrderingOrangeApi,
};
use obakit_api::product_ordering::types::{
    GrantType, ProductOrderEvent, TokenRequest, TokenResponse,
};
use obakit_api::user_service::handler::{NotifyUserServiceEventResponse, UserServiceOrangeApi};
use obakit_api::user_service::types::UserServiceEvent;
use poem::handler;
use poem::web::{Data, Json};
use poem_openapi::payload::Json as ApiJson;

use super::state::{Faults, MockOrange, ReceivedEvent};

pub(super) struct Handler(pub(super) MockOrange);

impl ProductOrderingOrangeApi for Handler {
    async fn notify_product_order_event(
        &self,
        _offer: Offer,
        body: ProductOrderEvent,
    ) -> poem::Result<NotifyProductOrderEventResponse> {
        Ok(NotifyProductOrderEventResponse::Created(ApiJson(body)))
    }

    async fn create_access_token(
        &self,
        body: TokenRequest,
    ) -> poem::Result<CreateAccessTokenResponse> {
        if body.grant_type != GrantType::ClientCredentials {
            return Ok(CreateAccessTokenResponse::BadRequest(ApiJson(Error {
                code: 24,
                message: "invalid body field".to_owned(),
                description: Some(format!("grant_type `{}` is not supported", body.grant_type)),
            })));
        }
        let ttl = self.0.config().token_ttl.as_secs();
        Ok(CreateAccessTokenResponse::Ok(ApiJson(TokenResponse {
            token_type: "Bearer".to_owned(),
            access_token: self.0.issue_token(),
            expires_in: i32::try_from(ttl).unwrap_or(i32::MAX),
        })))
    }
}

impl UserServiceOrangeApi for Handler {
    async fn notify_user_service_event(
        &self,
        _offer: Offer,
        body: UserServiceEvent,
    ) -> poem::Result<NotifyUserServiceEventResponse> {
        Ok(NotifyUserServiceEventResponse::Created(ApiJson(body)))
    }
}

#[handler]
pub(super) fn list_events(mock: Data<&MockOrange>) -> Json<Vec<ReceivedEvent>> {
    Json(mock.events())
}

#[handler]
pub(super) fn clear_events(mock: Data<&MockOrange>) -> poem::http::StatusCode {
    mock.clear_events();
    poem::http::StatusCode::NO_CONTENT
}

#[handler]
pub(super) fn get_faults(mock: Data<&MockOrange>) -> Json<Faults> {
    Json(mock.faults())
}

#[handler]
pub(super) fn set_faults(mock: Data<&MockOrange>, faults: Json<Faults>) -> Json<Faults> {
    tracing::info!(faults = ?faults.0, "faults set");
    mock.set_faults(faults.0);
    Json(mock.faults())
}

#[handler]
pub(super) fn stats(mock: Data<&MockOrange>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "tokenRequests": mock.token_requests(),
        "eventsReceived": mock.events().len(),
        "refused": mock.refused(),
    }))
}
