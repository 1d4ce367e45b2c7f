//! The media types of a body or an answer: which ones the generated code speaks, in which order,
//! and, when the spec declares several, the enum with one variant per media type that Content-Type
//! chooses between. Bodies with the same media types and schemas share one enum (Kubernetes
//! answers most of its 1,123 operations in one of a few hundred such sets).

use std::collections::BTreeMap;

use indexmap::IndexMap;
use openapiv3::MediaType;

use super::lower_types::SpecTypes;
use super::names::{self, Scope};
use super::{MediaKind, MediaVariant, Operation, TypeRef};

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

/// The content enums of one API, by shape: a body whose media types and schemas are those of an
/// earlier body (of the same direction) is given that body's enum.
#[derive(Default)]
pub(super) struct ContentEnums {
    /// Shape → the enum's name, how many bodies use it, and the type of its first variant.
    by_shape: BTreeMap<String, (String, usize, TypeRef)>,
}

impl ContentEnums {
    /// The name of the enum for a body in `variants`: the one already given to the same shape, or
    /// `fresh()`.
    pub(super) fn name(
        &mut self,
        request: bool,
        variants: &[MediaVariant],
        fresh: impl FnOnce() -> String,
    ) -> String {
        let shape = format!(
            "{request}{:?}",
            variants
                .iter()
                .map(|v| (&v.rust_name, v.media, &v.content_type, &v.ty))
                .collect::<Vec<_>>()
        );
        let entry = self.by_shape.entry(shape).or_insert_with(|| {
            let first = variants.first().map_or(TypeRef::Any, |v| v.ty.clone());
            (fresh(), 0, first)
        });
        entry.1 += 1;
        entry.0.clone()
    }

    /// Renames each enum several bodies share after its first variant's named type
    /// (`IoK8sApiCoreV1PodContent` rather than the first operation's `ListCoreV1NamespacedPod200Content`),
    /// unique in `scope`, the scope of the API's handler items.
    pub(super) fn rename_shared(self, operations: &mut [Operation], scope: &mut Scope) {
        let renames: BTreeMap<String, String> = self
            .by_shape
            .into_values()
            .filter_map(|(name, uses, first)| match first {
                TypeRef::Named { name: ty, .. } if uses > 1 => {
                    Some((name, scope.unique(format!("{ty}Content"))))
                }
                _ => None,
            })
            .collect();
        let bodies = operations.iter_mut().flat_map(|op| {
            op.body
                .iter_mut()
                .chain(op.responses.iter_mut().filter_map(|r| r.body.as_mut()))
        });
        for body in bodies {
            if let Some(v) = &mut body.variants
                && let Some(new) = renames.get(&v.rust_name)
            {
                v.rust_name = new.clone();
            }
        }
    }
}
