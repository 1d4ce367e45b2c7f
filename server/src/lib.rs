//! obakit-server: the partner side of Orange's ProductOrdering and UserService APIs.
//!
//! Layers, each knowing only the ones below it: `domain` (pure rules) ← `store` (SQL) and
//! `provisioning` ← `http` (the generated traits implemented) ← `app` (wiring) ← `cli`.

pub mod admin;
pub mod app;
pub mod cli;
pub mod config;
mod credentials;
pub mod domain;
pub mod events_cli;
pub mod http;
pub mod metrics;
pub mod mock_orange;
pub mod outbound;
pub mod profile;
pub mod provisioning;
pub mod retention;
pub mod shutdown;
pub mod simulate;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod work;
