//! A pet store API generated at build time by obakit-codegen from `spec/petstore.yaml`: types under
//! [`petstore::types`], the handler trait to implement in [`petstore::handler`], the poem-openapi
//! server glue in [`petstore::server`] and a typed client in [`petstore::client`].
//!
//! The crate depends on `obakit-runtime` and on the crates generated code names (poem,
//! poem-openapi, reqwest, serde, chrono, uuid), never on obakit's own Orange API crate.

include!(concat!(env!("OUT_DIR"), "/api.rs"));
