//! The wire mapping: generated wire types ↔ domain commands and results, and the bodies of the
//! events sent to Orange. The only place that knows both; `http`, `admin` and `work` use it.
//!
//! Requests go in through `*_command` functions, which also check what the generated types cannot
//! (the spec's `minProperties`); answers come out of `*_answer` functions, which never write an
//! optional property as `null`, `{}` or `[]` (an empty list becomes `None`).

mod customer;
mod event;
mod license;
mod orange_error;
mod order;
mod update;
mod values;

use chrono::{DateTime, FixedOffset, Utc};
use obakit_api::common::types::{Error, Note};

pub use event::{PRODUCT_ORDER_EVENT, USER_SERVICE_EVENT};
pub(crate) use event::{order_event, partner_change_event, update_event};
pub(crate) use license::user_service;
pub(crate) use orange_error::OrangeCode;
pub(crate) use order::{configured_licenses, order_answer, order_command};
pub(crate) use update::{update_answer, update_command, update_refused};

/// What the partner writes in `note.author`.
const AUTHOR: &str = "partner";
/// `note.text` holds at most this many characters (the spec's `maxLength`).
const NOTE_MAX_CHARS: usize = 1024;

/// A request the generated types accepted but the contract does not: answered 400 in Orange's
/// error body, like the schema violations poem-openapi catches itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) code: OrangeCode,
    pub(crate) description: String,
}

impl Invalid {
    /// Code 24: a body field has a value the contract forbids.
    fn field(path: &str, why: &str) -> Self {
        Self {
            code: OrangeCode::InvalidBodyField,
            description: format!("{path}: {why}"),
        }
    }

    pub(crate) fn into_error(self) -> Error {
        self.code.body(self.description)
    }
}

/// The partner's note on a failed answer.
fn failure_note(reason: &str, date: Option<DateTime<Utc>>) -> Note {
    let text = if reason.chars().count() > NOTE_MAX_CHARS {
        let mut cut: String = reason.chars().take(NOTE_MAX_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        reason.to_owned()
    };
    Note {
        text,
        date: date.map(wire_time),
        author: Some(AUTHOR.to_owned()),
    }
}

fn wire_time(time: DateTime<Utc>) -> DateTime<FixedOffset> {
    time.fixed_offset()
}

/// `None` for an empty list, so an optional array is left out rather than sent as `[]`.
fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    if items.is_empty() { None } else { Some(items) }
}
