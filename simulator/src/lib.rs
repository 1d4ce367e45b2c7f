//! obakit-simulator: Orange's side of the contract, played locally. [`simulate`] calls a partner's
//! server as Orange does and reports check by check; [`mock_orange`] stands in for Orange's
//! gateway (tokens and events).
//!
//! Both speak only HTTP through the generated `obakit-api`: this crate does not depend on the
//! server, so it knows neither its store nor its domain, and it judges any partner, obakit's own
//! included, from the outside.

pub mod mock_orange;
pub mod simulate;
