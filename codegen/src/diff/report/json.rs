//! The report as JSON: `{"old", "new", "summary": {"breaking", "warning", "info"}, "changes": [{"severity",
//! "kind", "operation", "old_pointer", "new_pointer", "message", "rust"}]}`, keys in that order, absent
//! values as `null`. Tools may rely on this shape.

use serde::Serialize;

use crate::diff::{Change, Report, Summary};

#[derive(Serialize)]
struct Shape<'a> {
    old: &'a str,
    new: &'a str,
    summary: Summary,
    changes: &'a [Change],
}

pub fn json(report: &Report) -> String {
    let shape = Shape {
        old: &report.old,
        new: &report.new,
        summary: report.summary(),
        changes: &report.changes,
    };
    let mut out = serde_json::to_string_pretty(&shape).expect("a report always serializes");
    out.push('\n');
    out
}
