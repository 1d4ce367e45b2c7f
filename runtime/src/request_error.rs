//! Requests the framework refuses before a handler runs (bad JSON, schema violations, bad
//! parameters, wrong content type), described so they can be answered in the spec's own error body.

/// What was wrong with a request, in the categories error bodies usually distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestErrorKind {
    MissingBody,
    InvalidBody,
    MissingBodyField,
    InvalidBodyField,
    MissingParameter,
    InvalidParameter,
    UnsupportedMediaType,
    BodyTooLarge,
    Other,
}

/// A refused request: its kind, a short message and the framework's detail.
#[derive(Debug, Clone)]
pub struct RequestError {
    pub kind: RequestErrorKind,
    pub status: u16,
    pub message: String,
    pub detail: String,
}

impl RequestError {
    /// Classifies poem's parse error (its text is the only structure poem exposes).
    pub fn from_poem(err: &poem::Error) -> Self {
        let detail = err.to_string();
        let status = err.status().as_u16();
        let kind = classify(status, &detail);
        let message = match kind {
            RequestErrorKind::MissingBody => "missing body",
            RequestErrorKind::InvalidBody => "invalid body",
            RequestErrorKind::MissingBodyField => "missing body field",
            RequestErrorKind::InvalidBodyField => "invalid body field",
            RequestErrorKind::MissingParameter => "missing query parameter",
            RequestErrorKind::InvalidParameter => "invalid query parameter value",
            RequestErrorKind::UnsupportedMediaType => "unsupported content type",
            RequestErrorKind::BodyTooLarge => "body too large",
            RequestErrorKind::Other => "invalid request",
        };
        Self {
            kind,
            status,
            message: message.to_owned(),
            detail,
        }
    }
}

fn classify(status: u16, detail: &str) -> RequestErrorKind {
    if status == 415 || detail.contains("Content-Type") {
        return RequestErrorKind::UnsupportedMediaType;
    }
    if status == 413 {
        return RequestErrorKind::BodyTooLarge;
    }
    if detail.starts_with("parse request payload error") {
        if detail.contains("EOF while parsing a value at line 1 column 0")
            || detail.contains("expected input")
        {
            return RequestErrorKind::MissingBody;
        }
        if detail.contains("found null") {
            // Without "occurred while parsing" the null is the whole body, not one of its fields.
            return if detail.contains("occurred while parsing") {
                RequestErrorKind::MissingBodyField
            } else {
                RequestErrorKind::MissingBody
            };
        }
        if detail.contains("missing field") {
            return RequestErrorKind::MissingBodyField;
        }
        if detail.contains("occurred while parsing") || detail.contains("verification failed") {
            return RequestErrorKind::InvalidBodyField;
        }
        return RequestErrorKind::InvalidBody;
    }
    if detail.starts_with("failed to parse parameter") || detail.starts_with("failed to parse path")
    {
        if detail.contains("expected input")
            || detail.contains("Type \"") && detail.contains("expects an input value")
        {
            return RequestErrorKind::MissingParameter;
        }
        return RequestErrorKind::InvalidParameter;
    }
    RequestErrorKind::Other
}

/// Builds a spec's 400 body from a refused request. The generator implements it for error schemas
/// it can fill; a crate with its own error conventions implements it by hand.
pub trait FromRequestError {
    fn from_request_error(err: &RequestError) -> Self;
}

/// The default body of every generated handler method: the operation exists but is not implemented.
pub fn not_implemented(operation_id: &str) -> poem::Error {
    poem::Error::from_string(
        format!("operation `{operation_id}` is not implemented"),
        poem::http::StatusCode::NOT_IMPLEMENTED,
    )
}
