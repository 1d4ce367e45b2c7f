//! The report as Markdown, for a pull request or an issue: a summary table, then one section per
//! operation.

use std::fmt::Write;

use super::{fold_added_schemas, grouped, operation_item};
use crate::diff::Report;

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let s = report.summary();
    let _ = writeln!(out, "# API revision: `{}` → `{}`\n", report.old, report.new);
    let _ = writeln!(out, "Changes {}.\n", report.sides());
    let _ = writeln!(out, "| breaking | warning | info |\n|---:|---:|---:|");
    let _ = writeln!(out, "| {} | {} | {} |", s.breaking, s.warning, s.info);
    for note in &report.notes {
        let _ = writeln!(out, "\n> {note}");
    }
    for (op, changes) in grouped(report) {
        match (op, operation_item(&changes)) {
            (Some(op), Some(item)) => {
                let _ = writeln!(out, "\n## `{op}` (`{item}`)\n");
            }
            (Some(op), None) => {
                let _ = writeln!(out, "\n## `{op}`\n");
            }
            (None, _) => {
                let _ = writeln!(out, "\n## Document\n");
            }
        }
        let (added, changes) = fold_added_schemas(&changes);
        for c in changes {
            let items: Vec<String> = c
                .rust
                .iter()
                .filter(|i| Some(i.as_str()) != operation_item(&[c]))
                .map(|i| format!("`{i}`"))
                .collect();
            let rust = if items.is_empty() {
                String::new()
            } else {
                format!(" ({})", items.join(", "))
            };
            let _ = writeln!(
                out,
                "- **{}** `{}`: {}{rust}",
                c.severity.as_str(),
                c.kind,
                c.message
            );
        }
        if let Some(line) = added {
            let _ = writeln!(out, "- **info** `schema-added`: {line}");
        }
    }
    out
}
