//! Orange's error codes, one typed list, and the error body `{code, message, description}` they go
//! out in (the contract's error convention). Every error body the server writes takes its code
//! from here, so a code is never a bare integer chosen at the call site. (Bodies poem-openapi
//! could not parse get theirs from `api/src/request_errors.rs`, 21 to 28, before any server
//! code runs.)

use obakit_api::common::types::Error;

/// A code of Orange's gateway convention, with its short message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrangeCode {
    /// A failure of ours; the detail goes to the log, never to Orange.
    Internal,
    /// The partner's platform did not answer; nothing was stored.
    Unavailable,
    InvalidBody,
    MissingBodyField,
    InvalidBodyField,
    MissingQueryParameter,
    InvalidQueryParameter,
    MissingCredentials,
    InvalidCredentials,
    ResourceNotFound,
    BodyTooLarge,
    Conflict,
}

impl OrangeCode {
    /// The integer on the wire.
    pub(crate) fn code(self) -> i32 {
        match self {
            Self::Internal => 0,
            Self::Unavailable => 5,
            Self::InvalidBody => 22,
            Self::MissingBodyField => 23,
            Self::InvalidBodyField => 24,
            Self::MissingQueryParameter => 27,
            Self::InvalidQueryParameter => 28,
            Self::MissingCredentials => 40,
            Self::InvalidCredentials => 41,
            Self::ResourceNotFound => 60,
            Self::BodyTooLarge => 66,
            Self::Conflict => 69,
        }
    }

    /// The short message that goes with the code.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Internal => "internal error",
            Self::Unavailable => "service unavailable",
            Self::InvalidBody => "invalid body",
            Self::MissingBodyField => "missing body field",
            Self::InvalidBodyField => "invalid body field",
            Self::MissingQueryParameter => "missing query parameter",
            Self::InvalidQueryParameter => "invalid query parameter value",
            Self::MissingCredentials => "missing credentials",
            Self::InvalidCredentials => "invalid credentials",
            Self::ResourceNotFound => "resource not found",
            Self::BodyTooLarge => "body too large",
            Self::Conflict => "conflict",
        }
    }

    /// The error body with this code, its message and `description`.
    pub(crate) fn body(self, description: impl Into<String>) -> Error {
        self.body_saying(self.message(), description)
    }

    /// The error body with this code and a more precise message than the code's own (a 22 for a
    /// method not allowed, a 69 for a refusal by provisioning).
    pub(crate) fn body_saying(self, message: &str, description: impl Into<String>) -> Error {
        Error {
            code: self.code(),
            message: message.to_owned(),
            description: Some(description.into()),
        }
    }

    /// A 500's body: no internal detail, which goes to the log with the request id.
    pub(crate) fn internal_body() -> Error {
        Self::Internal
            .body("the server could not process the request; see its log for this request id")
    }
}

#[cfg(test)]
mod tests {
    use super::OrangeCode;

    #[test]
    fn codes_are_the_contracts_integers() {
        let codes = [
            (OrangeCode::InvalidBody, 22),
            (OrangeCode::MissingBodyField, 23),
            (OrangeCode::InvalidBodyField, 24),
            (OrangeCode::MissingQueryParameter, 27),
            (OrangeCode::InvalidQueryParameter, 28),
            (OrangeCode::MissingCredentials, 40),
            (OrangeCode::InvalidCredentials, 41),
            (OrangeCode::ResourceNotFound, 60),
            (OrangeCode::BodyTooLarge, 66),
            (OrangeCode::Conflict, 69),
        ];
        for (code, integer) in codes {
            assert_eq!(code.code(), integer, "{code:?}");
        }
    }
}
