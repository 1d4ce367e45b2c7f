//! The partner server over real HTTP, in synchronous mode: every use case and error path of the
//! contract (§2–§4), driven with the generated clients (and raw HTTP for malformed requests)
//! against the application `obakit serve` builds. Each test runs on SQLite (`…::sqlite`) and on
//! PostgreSQL (`…::postgres`).

#[path = "../support/mod.rs"]
mod support;

mod auth;
mod consultation;
mod hygiene;
mod orders;
mod profile;
mod provisioning;
mod requests;
mod tolerance;
mod updates;
mod wire;
