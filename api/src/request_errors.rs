//! Refused requests answered in Orange's error body, with Orange's gateway codes.

use crate::common::types::Error;
use obakit_runtime::{FromRequestError, RequestError, RequestErrorKind};

impl FromRequestError for Error {
    fn from_request_error(err: &RequestError) -> Self {
        let code = match err.kind {
            RequestErrorKind::MissingBody => 21,
            RequestErrorKind::InvalidBody
            | RequestErrorKind::UnsupportedMediaType
            | RequestErrorKind::Other => 22,
            RequestErrorKind::MissingBodyField => 23,
            RequestErrorKind::InvalidBodyField => 24,
            RequestErrorKind::MissingParameter => 27,
            RequestErrorKind::InvalidParameter => 28,
            RequestErrorKind::BodyTooLarge => 66,
        };
        Error {
            code,
            message: err.message.clone(),
            description: Some(err.detail.clone()),
        }
    }
}
