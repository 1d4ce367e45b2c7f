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

/// The outbox kinds of Orange's events, named where their bodies are made.
pub use crate::wire::{PRODUCT_ORDER_EVENT, USER_SERVICE_EVENT};
