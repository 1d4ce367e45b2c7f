//! The report in three formats: `text` for a terminal, `markdown` for a pull request, `json` for
//! tools (its shape is stable and documented in the README).

mod json;
mod markdown;
mod text;

pub use json::json;
pub use markdown::markdown;
pub use text::text;

use super::{Change, Report};

/// The changes grouped by operation (document-level changes first), in order of first appearance;
/// within a group the most severe first, otherwise in document order.
pub(crate) fn grouped(report: &Report) -> Vec<(Option<&str>, Vec<&Change>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Change>)> = Vec::new();
    for change in &report.changes {
        let op = change.operation.as_deref();
        match groups.iter_mut().find(|(o, _)| *o == op) {
            Some((_, list)) => list.push(change),
            None => groups.push((op, vec![change])),
        }
    }
    groups.sort_by_key(|(op, _)| op.is_some());
    for (_, list) in &mut groups {
        list.sort_by_key(|c| std::cmp::Reverse(c.severity));
    }
    groups
}

/// The generated item an operation's changes are about: the first Rust item its changes name.
pub(crate) fn operation_item<'c>(changes: &[&'c Change]) -> Option<&'c str> {
    changes
        .iter()
        .find_map(|c| c.rust.first())
        .map(String::as_str)
        .filter(|item| item.contains("Api::") || item.contains("Client::"))
}

/// The document-level `schema-added` changes folded into one line (they need no action: the JSON
/// report keeps one change each), and the other changes of a group.
pub(crate) fn fold_added_schemas<'c>(changes: &[&'c Change]) -> (Option<String>, Vec<&'c Change>) {
    let (added, rest): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|c| c.kind == "schema-added");
    if added.len() < 2 {
        return (None, changes.to_vec());
    }
    let names: Vec<String> = added
        .iter()
        .filter_map(|c| c.new_pointer.as_deref())
        .map(|p| {
            format!(
                "`{}`",
                p.rsplit('/')
                    .next()
                    .unwrap_or(p)
                    .replace("~1", "/")
                    .replace("~0", "~")
            )
        })
        .collect();
    (
        Some(format!(
            "{} schemas added: {}",
            added.len(),
            names.join(", ")
        )),
        rest,
    )
}
