//! obakit-server: the partner side of Orange's ProductOrdering and UserService APIs.
//!
//! Layers, each knowing only the ones below it (ARCHITECTURE.md lists every module's layer and
//! `tests/architecture.rs` checks it): `domain` (pure rules) ← `store` (SQL), `provisioning` ←
//! `usecase` (transactions, rules, provisioning, events) ← `wire` (generated types ↔ domain) ←
//! `http`, `work`, `admin` ← `routes` ← `app` (wiring) ← `cli`.

pub mod admin;
pub mod app;
pub mod cli;
pub mod config;
mod credentials;
pub mod domain;
pub mod events_cli;
pub mod http;
mod inbound_auth;
pub mod metrics;
pub mod outbound;
pub mod provisioning;
pub mod retention;
pub mod routes;
pub mod shutdown;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod usecase;
mod wire;
pub mod work;
