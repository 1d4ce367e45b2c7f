//! Refused requests answered in Orange's error body, with Orange's gateway codes.

use crate::common::types::Error;
use obakit_runtime::{FromRequestError, RequestError, RequestErrorKind};

/// `Error.description` holds at most this many characters (its `maxLength` in `spec/common.yaml`).
const DESCRIPTION_MAX_CHARS: usize = 1024;

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
            description: Some(bounded(&err.detail)),
        }
    }
}

/// The framework's detail quotes what it could not parse, which may be the whole body: cut to
/// the spec's bound so the error body stays valid against its own schema.
fn bounded(detail: &str) -> String {
    if detail.chars().count() <= DESCRIPTION_MAX_CHARS {
        return detail.to_owned();
    }
    let mut cut: String = detail.chars().take(DESCRIPTION_MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(detail: String) -> Error {
        Error::from_request_error(&RequestError {
            kind: RequestErrorKind::InvalidBodyField,
            status: 400,
            message: "invalid body field".to_owned(),
            detail,
        })
    }

    #[test]
    fn a_detail_longer_than_the_spec_allows_is_cut_to_1024_characters() {
        let description = refused(format!("found {}", "é".repeat(3000)))
            .description
            .unwrap_or_default();
        assert_eq!(description.chars().count(), 1024);
        assert!(description.starts_with("found éé"));
        assert!(description.ends_with('…'));
    }

    #[test]
    fn a_detail_within_the_bound_is_kept_whole() {
        let detail = "x".repeat(1024);
        assert_eq!(refused(detail.clone()).description, Some(detail));
    }
}
