//! Who a change breaks: severities, and the side of the wire a change is on.
//!
//! A change is judged from the side the code was generated for. What the peer sends you (the request
//! of an operation you serve, the response of one you call) is what you **receive**; the request of an
//! operation you call and the response of one you serve is what you **send**.
//!
//! - `breaking`: your code or your peer fails: the generated code you use changes so that code written
//!   against it no longer compiles (an item removed or renamed, a field's type changed, `T` ↔
//!   `Option<T>`), or a message that was valid is now refused by the other side.
//! - `warning`: it compiles, but behaviour may change: a new enum value kept by an open enum, a
//!   tightened constraint on what you receive, a new field the peer now sends.
//! - `info`: nothing to do beyond regenerating.

use serde::Serialize;

/// How much a change matters to the code generated for one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Breaking,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Breaking => "breaking",
        }
    }

    /// Parses `breaking`, `warning` or `info`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "breaking" => Some(Severity::Breaking),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// Which way a message travels, seen from the code the report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Side {
    /// The peer sends it to you: the request of a served operation, the response of a called one.
    Receive,
    /// You send it: the request of a called operation, the response of a served one.
    Send,
}

impl Side {
    /// The side of an operation's request.
    pub(super) fn request(served: bool) -> Self {
        if served { Side::Receive } else { Side::Send }
    }

    /// The side of an operation's response.
    pub(super) fn response(served: bool) -> Self {
        if served { Side::Send } else { Side::Receive }
    }

    /// The severity for this side: `receive` when the peer sends it, `send` when you do.
    pub(super) fn pick(self, receive: Severity, send: Severity) -> Severity {
        match self {
            Side::Receive => receive,
            Side::Send => send,
        }
    }
}

/// How a constraint moved: tightened accepts fewer values than before, loosened more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    Tightened,
    Loosened,
}

/// A tightened constraint refuses values the peer may still send you (`warning`), or values you may
/// still send (`breaking`); a loosened one lets through values your code may not expect when you
/// receive them (`warning`), and changes nothing for what you send (`info`).
pub(super) fn constraint(side: Side, bound: Bound) -> Severity {
    match bound {
        Bound::Tightened => side.pick(Severity::Warning, Severity::Breaking),
        Bound::Loosened => side.pick(Severity::Warning, Severity::Info),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_sides_swap_with_the_role() {
        assert_eq!(Side::request(true), Side::Receive);
        assert_eq!(Side::response(true), Side::Send);
        assert_eq!(Side::request(false), Side::Send);
        assert_eq!(Side::response(false), Side::Receive);
    }

    #[test]
    fn a_tightened_constraint_breaks_only_what_you_send() {
        assert_eq!(constraint(Side::Send, Bound::Tightened), Severity::Breaking);
        assert_eq!(
            constraint(Side::Receive, Bound::Tightened),
            Severity::Warning
        );
        assert_eq!(constraint(Side::Send, Bound::Loosened), Severity::Info);
        assert!(Severity::Breaking > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
