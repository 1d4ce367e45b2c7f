//! Events to Orange: an OAuth2 client-credentials token cache and the outbox dispatcher that
//! delivers what the store enqueued, through the generated Orange-side clients.
//!
//! Knows the store's outbox API and the generated clients; never poem handlers or SQL.

mod dispatcher;
mod retry;
mod token;

pub use dispatcher::{Delivery, Dispatcher, DispatcherConfig, Unpublished};
pub use retry::RetryPolicy;
pub use token::OAuthTokens;

/// Outbox kind of a ProductOrdering event (payload: a `ProductOrderEvent`).
pub const PRODUCT_ORDER_EVENT: &str = "productOrdering.event";
/// Outbox kind of a UserService event (payload: a `UserServiceEvent`).
pub const USER_SERVICE_EVENT: &str = "userService.event";
