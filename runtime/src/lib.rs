//! Run-time support for generated code: open enums, "absent" optional values, request errors in the
//! spec's own error body, and the client plumbing (base URL, headers, bearer tokens, decoding).
//!
//! Code written by `obakit-codegen` names this crate as `::obakit_runtime` (the generator's default
//! `--runtime-path`): a crate generating code for any spec depends on it beside poem-openapi and reqwest.

mod bracketed;
mod client;
mod form;
mod multipart;
#[doc(hidden)]
pub mod object;
mod open_enum;
mod optional_request;
mod param;
mod payload;
mod query_params;
mod query_style;
mod request_error;
mod segment;
mod wire;

pub use client::{
    Answer, ClientCore, ClientError, Segment, TokenSource, cookie_pair, decode_header, decode_json,
    media_type_is, param_string,
};
pub use form::{FormStyle, form_pairs};
pub use multipart::{FilePart, JsonPart, MultipartForm, MultipartValue, ToMultipart};
pub use object::check_property_count;
pub use optional_request::OptionalRequest;
pub use param::{EachItem, ItemConstraints, ListItems};
pub use payload::{Described, Form, NoBody, OptionalBody, SchemaDescription};
pub use query_params::{
    OperationQuery, OperationQueryDoc, ParamConstraints, QueryParam, QueryParams, QueryValues,
    add_query_params, describe_query,
};
pub use query_style::{DeepObjectQuery, DelimitedQuery, deep_object_query, delimited};
pub use request_error::{FromRequestError, RequestError, RequestErrorKind, not_implemented};
pub use segment::segment_param;
pub use wire::{IsEmptyValue, is_absent};

#[doc(hidden)]
pub use crate::__bounded_object as bounded_object;
#[doc(hidden)]
pub use crate::__open_enum as open_enum;
#[doc(hidden)]
pub use crate::__plain_object as plain_object;

/// Crates the generated code and the `open_enum!` macro reach through this module.
#[doc(hidden)]
pub mod reexports {
    pub use chrono;
    pub use poem;
    pub use poem_openapi;
    pub use reqwest;
    pub use serde;
    pub use serde_json;
}
