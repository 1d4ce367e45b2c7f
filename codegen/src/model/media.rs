//! The media types of a body or an answer: which ones the generated code speaks, in which order,
//! and, when the spec declares several, the enum with one variant per media type that Content-Type
//! chooses between.

use indexmap::IndexMap;
use openapiv3::MediaType;

use super::MediaKind;
use super::lower_types::SpecTypes;
use super::names::{self, Scope};

/// How the generated code carries a media type; `None` when it does not.
pub(super) fn kind_of(content_type: &str, request: bool) -> Option<MediaKind> {
    let ct = essence(content_type);
    if ct == "application/json" || ct.ends_with("+json") || ct == "*/*" {
        Some(MediaKind::Json)
    } else if ct == "application/x-www-form-urlencoded" {
        Some(MediaKind::Form)
    } else if ct == "text/event-stream" && !request {
        Some(MediaKind::Stream)
    } else if ct.starts_with("text/") {
        Some(MediaKind::Text)
    } else if ct == "multipart/form-data" && request {
        Some(MediaKind::Multipart)
    } else if ct.starts_with("multipart/") || ct.is_empty() {
        None
    } else {
        Some(MediaKind::Binary)
    }
}

/// `Application/JSON; charset=utf-8` → `application/json`.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The media types the generated code speaks, JSON first, then forms, text, binary and multipart
/// forms (request bodies only), each kind in the spec's order. Media types it cannot speak are
/// reported; when none is left, the body is.
pub(super) fn supported(
    types: &mut SpecTypes<'_>,
    request: bool,
    content: &IndexMap<String, MediaType>,
    pointer: &str,
) -> Vec<(MediaKind, String, MediaType)> {
    let mut found: Vec<(MediaKind, String, MediaType)> = content
        .iter()
        .filter_map(|(ct, m)| kind_of(ct, request).map(|k| (k, ct.clone(), m.clone())))
        .collect();
    found.sort_by_key(|(k, _, _)| *k as u8);
    let left_out: Vec<&String> = content
        .keys()
        .filter(|ct| kind_of(ct, request).is_none())
        .collect();
    if !left_out.is_empty() {
        let names: Vec<&str> = left_out.iter().map(|s| s.as_str()).collect();
        types.unsupported(pointer, &format!("media type {}", names.join(", ")));
    }
    found
}

/// The name of the variant carrying one media type (`application/json` → `Json`,
/// `application/vnd.api+json` → `VndApiJson`, `*/*` → `Any`), unique in its enum.
pub(super) fn variant_name(content_type: &str, scope: &mut Scope) -> String {
    let ct = essence(content_type);
    let subtype = ct.split_once('/').map_or(ct.as_str(), |(_, sub)| sub);
    let name = if subtype == "*" {
        "Any".to_owned()
    } else {
        names::type_name(subtype)
    };
    scope.unique(name)
}
