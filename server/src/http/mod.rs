//! The HTTP boundary: the generated partner traits implemented over the store, plus what every
//! route shares (request ids, body caps, errors in Orange's body, Swagger UI, readiness, `Allow`).
//! The routes themselves are assembled by `crate::routes`.
//!
//! Generated wire types stop here (and in `wire`, `admin`): `domain` and `store` never see them.

mod allow;
mod body_limit;
pub(crate) mod docs;
pub(crate) mod errors;
pub(crate) mod fleet_stream;
mod operations;
mod partner;
mod ready;
pub(crate) mod request_bodies;
pub(crate) mod request_id;

pub use crate::inbound_auth::InboundAuth;
pub use body_limit::BodyLimits;
pub use partner::Partner;

pub use allow::AllowHeader;
pub use operations::OperationTable;
pub use ready::{READY_PATH, Readiness, RunningGuard, TaskWatch, WithReadiness};
