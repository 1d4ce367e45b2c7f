//! The report for a terminal: a summary line, then each operation's changes, most severe first.

use std::fmt::Write;

use super::{fold_added_schemas, grouped, operation_item};
use crate::diff::Report;

pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let s = report.summary();
    let _ = writeln!(out, "{} → {}", report.old, report.new);
    let _ = writeln!(out, "{}", report.sides());
    let _ = writeln!(
        out,
        "{} breaking, {} warning, {} info",
        s.breaking, s.warning, s.info
    );
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    for (op, changes) in grouped(report) {
        out.push('\n');
        match (op, operation_item(&changes)) {
            (Some(op), Some(item)) => {
                let _ = writeln!(out, "{op}  ({item})");
            }
            (Some(op), None) => {
                let _ = writeln!(out, "{op}");
            }
            (None, _) => {
                let _ = writeln!(out, "Document");
            }
        }
        let (added, changes) = fold_added_schemas(&changes);
        for c in changes {
            let _ = writeln!(
                out,
                "  {:<8}  {}: {}",
                c.severity.as_str(),
                c.kind,
                c.message
            );
            let items: Vec<&String> = c
                .rust
                .iter()
                .filter(|i| Some(i.as_str()) != operation_item(&[c]))
                .collect();
            if !items.is_empty() {
                let items: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
                let _ = writeln!(out, "            rust: {}", items.join(", "));
            }
        }
        if let Some(line) = added {
            let _ = writeln!(out, "  {:<8}  schema-added: {line}", "info");
        }
    }
    out
}
