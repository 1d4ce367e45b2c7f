//! Paths and operations → API operations grouped by role: parameters, bodies and response enums.

use indexmap::IndexMap;
use openapiv3::{
    Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr, RequestBody, StatusCode,
};

use super::callbacks::{self, Entry};
use super::enforceable::OBJECT_PARAMETER;
use super::lower_types::{SpecTypes, docs_of};
use super::media;
use super::multipart;
use super::names::{self, Scope};
use super::paths;
use super::{
    Api, Body, FormStyles, MediaKind, MediaVariant, MediaVariants, Operation, Param, ParamLocation,
    ParamStyle, Response, ResponseHeader, Role, RoleSelection, Tag, TypeRef, Validators,
};
use crate::diag::{Diagnostics, pointer_token};
use crate::read::LoadedSpec;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) fn lower_api(
    spec: &LoadedSpec,
    module: &str,
    types: &mut SpecTypes<'_>,
    selection: &RoleSelection,
    _diags: &mut Diagnostics,
) -> Api {
    let mut operations = Vec::new();
    let mut method_scope = Scope::with_reserved(names::RESERVED_METHOD_NAMES);
    let mut enum_scope = Scope::default();
    let mut contents = media::ContentEnums::default();
    // Paths, then callbacks and webhooks: lowered alike, each under the role of the side serving it.
    for entry in callbacks::entries(spec, types) {
        let Entry {
            path,
            item,
            pointer: path_pointer,
            origin,
        } = entry;
        let path = &path.into_owned();
        let item = match &*item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                types.unsupported(
                    &path_pointer,
                    "a path item `$ref` is not followed: the operations under it are left out",
                );
                continue;
            }
        };
        if let Some(reason) = paths::unsupported(path) {
            types.unsupported(&path_pointer, reason);
            continue;
        }
        let by_method = [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("delete", &item.delete),
            ("options", &item.options),
            ("head", &item.head),
            ("patch", &item.patch),
            ("trace", &item.trace),
        ];
        for (method, op) in by_method {
            let Some(op) = op else { continue };
            debug_assert!(METHODS.contains(&method));
            let pointer = format!("{path_pointer}/{method}");
            let operation_id = origin.operation_id(op, method, path);
            let rust_name = method_scope.unique(names::value_name(&operation_id));
            let op_type_base = names::type_name(&operation_id);
            let role = origin.role(op);

            let mut param_scope = Scope::with_reserved(&["body", "self"]);
            let mut params = Vec::new();
            let mut seen = IndexMap::new();
            for (i, p) in item.parameters.iter().enumerate() {
                if let Some(p) =
                    resolve_parameter(types, p, &format!("{path_pointer}/parameters/{i}"))
                {
                    seen.insert(
                        (p.parameter_data_ref().name.clone(), location_of(&p)),
                        (p, format!("{path_pointer}/parameters/{i}")),
                    );
                }
            }
            for (i, p) in op.parameters.iter().enumerate() {
                if let Some(p) = resolve_parameter(types, p, &format!("{pointer}/parameters/{i}")) {
                    seen.insert(
                        (p.parameter_data_ref().name.clone(), location_of(&p)),
                        (p, format!("{pointer}/parameters/{i}")),
                    );
                }
            }
            for ((_, location), (p, p_pointer)) in seen {
                let data = p.parameter_data_ref();
                let (explode, style) = match &p {
                    Parameter::Query { style, .. } => {
                        let style = match style {
                            QueryStyle::Form => ParamStyle::Form,
                            QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                            QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                            QueryStyle::DeepObject => ParamStyle::DeepObject,
                        };
                        // Only `form` explodes by default.
                        (data.explode.unwrap_or(style == ParamStyle::Form), style)
                    }
                    _ => (data.explode.unwrap_or(false), ParamStyle::Form),
                };
                let hint = format!("{op_type_base}{}", names::type_name(&data.name));
                let (ty, validators, docs) = match &data.format {
                    ParameterSchemaOrContent::Schema(schema) => {
                        let lowered =
                            types.lower(schema, &hint, module, &format!("{p_pointer}/schema"));
                        (
                            lowered.ty,
                            lowered.validators,
                            data.description.clone().or(lowered.docs),
                        )
                    }
                    ParameterSchemaOrContent::Content(_) => {
                        types.unsupported(
                            &p_pointer,
                            "a parameter with `content` instead of `schema`: read and written as text",
                        );
                        (
                            TypeRef::String,
                            Validators::default(),
                            data.description.clone(),
                        )
                    }
                };
                let ty = if matches!(ty, TypeRef::Any | TypeRef::Map(_))
                    && style != ParamStyle::DeepObject
                {
                    types.unsupported(&p_pointer, OBJECT_PARAMETER);
                    TypeRef::String
                } else {
                    ty
                };
                // A delimited list that explodes is written like a `form` one (`a=1&a=2`).
                let style = match (style, &ty) {
                    (ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited, TypeRef::Vec(_))
                        if !explode =>
                    {
                        style
                    }
                    (ParamStyle::DeepObject, _) => style,
                    _ => ParamStyle::Form,
                };
                let items_type = match &ty {
                    TypeRef::Vec(item) if item.is_scalar() && validators.items.is_some() => {
                        Some(enum_scope.unique(format!("{hint}Items")))
                    }
                    _ => None,
                };
                params.push(Param {
                    rust_name: param_scope.unique(names::value_name(&data.name)),
                    wire_name: data.name.clone(),
                    location,
                    ty,
                    required: data.required || location == ParamLocation::Path,
                    explode,
                    style,
                    docs,
                    validators,
                    deprecated: data.deprecated.unwrap_or(false),
                    items_type,
                });
            }
            // Path parameters first, in path order, then the rest in spec order: the order a caller reads them.
            let path_order = paths::param_names(path);
            params.sort_by_key(|p| match p.location {
                ParamLocation::Path => path_order
                    .iter()
                    .position(|n| *n == p.wire_name)
                    .unwrap_or(0),
                _ => usize::MAX,
            });

            let body = op.request_body.as_ref().and_then(|b| {
                let b_pointer = format!("{pointer}/requestBody");
                let body = resolve_request_body(types, b, &b_pointer)?;
                let mut lowered = lower_body(
                    types,
                    &body.content,
                    &BodySite {
                        request: true,
                        streams: false,
                        hint: format!("{op_type_base}Request"),
                        pointer: format!("{b_pointer}/content"),
                    },
                    module,
                    &mut enum_scope,
                    &mut contents,
                )?;
                lowered.required = body.required;
                lowered.docs = body.description.clone();
                Some(lowered)
            });

            let mut responses = Vec::new();
            let mut variant_scope = Scope::default();
            let mut entries: Vec<(Option<u16>, &ReferenceOr<openapiv3::Response>, String)> =
                Vec::new();
            for (code, response) in op.responses.responses.iter() {
                match code {
                    StatusCode::Code(c) => {
                        entries.push((Some(*c), response, format!("{pointer}/responses/{c}")))
                    }
                    StatusCode::Range(r) => types.unsupported(
                        &format!("{pointer}/responses/{r}XX"),
                        "response status ranges",
                    ),
                }
            }
            if let Some(default) = &op.responses.default {
                entries.push((None, default, format!("{pointer}/responses/default")));
            }
            for (status, response, r_pointer) in entries {
                let Some(response) = resolve_response(types, response, &r_pointer) else {
                    continue;
                };
                let variant = variant_scope.unique(names::status_variant(status));
                let status_name = status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "Default".to_owned());
                let body = if response.content.is_empty() {
                    None
                } else {
                    lower_body(
                        types,
                        &response.content,
                        &BodySite {
                            request: false,
                            streams: status.is_some(),
                            hint: format!("{op_type_base}{status_name}Body"),
                            pointer: format!("{r_pointer}/content"),
                        },
                        module,
                        &mut enum_scope,
                        &mut contents,
                    )
                };
                let mut header_scope = Scope::with_reserved(&["body"]);
                let mut headers = Vec::new();
                for (name, header) in &response.headers {
                    let h_pointer = format!("{r_pointer}/headers/{}", pointer_token(name));
                    let header = match header {
                        ReferenceOr::Item(h) => h.clone(),
                        ReferenceOr::Reference { reference } => {
                            match local_component(
                                reference,
                                "headers",
                                types
                                    .spec()
                                    .document
                                    .components
                                    .as_ref()
                                    .map(|c| &c.headers),
                            )
                            .cloned()
                            {
                                Some(h) => h,
                                None => {
                                    types.error(
                                        &h_pointer,
                                        format!("unresolved header reference `{reference}`"),
                                    );
                                    continue;
                                }
                            }
                        }
                    };
                    let ty = match &header.format {
                        ParameterSchemaOrContent::Schema(s) => {
                            types
                                .lower(
                                    s,
                                    &format!("{op_type_base}{}", names::type_name(name)),
                                    module,
                                    &format!("{h_pointer}/schema"),
                                )
                                .ty
                        }
                        ParameterSchemaOrContent::Content(_) => TypeRef::String,
                    };
                    // poem-openapi writes no date, time or base64 value as a header: such a header is its text.
                    let ty = match ty {
                        TypeRef::DateTime | TypeRef::Date | TypeRef::Base64 => TypeRef::String,
                        ty => ty,
                    };
                    if !ty.is_scalar() {
                        types.unsupported(
                            &h_pointer,
                            "a response header that is not a scalar: left out",
                        );
                        continue;
                    }
                    headers.push(ResponseHeader {
                        rust_name: header_scope.unique(names::value_name(name)),
                        wire_name: name.clone(),
                        ty,
                        required: header.required,
                        docs: header.description.clone(),
                    });
                }
                responses.push(Response {
                    status,
                    variant,
                    docs: Some(response.description.clone()).filter(|d| !d.is_empty()),
                    body,
                    headers,
                });
            }
            let bad_request_body = responses
                .iter()
                .find(|r| r.status == Some(400))
                .and_then(|r| r.body.as_ref())
                .filter(|b| {
                    b.media == MediaKind::Json
                        && b.variants.is_none()
                        && matches!(b.ty, TypeRef::Named { .. })
                })
                .map(|b| b.ty.clone());

            let callback_url = origin.url(&params);
            operations.push(Operation {
                operation_id,
                rust_name,
                method: method.to_owned(),
                path: path.clone(),
                role,
                summary: op.summary.clone(),
                description: origin.description(op.description.as_ref(), path),
                deprecated: op.deprecated,
                tags: op.tags.clone(),
                params,
                body,
                responses,
                response_enum: enum_scope.unique(format!("{op_type_base}Response")),
                bad_request_body,
                pointer,
                callback_url,
            });
        }
    }

    contents.rename_shared(&mut operations, &mut enum_scope);

    // Component schemas nobody references are still part of the API: lower them all.
    if let Some(components) = &spec.document.components {
        for key in components.schemas.keys() {
            types.component(key, &format!("/components/schemas/{}", pointer_token(key)));
        }
    }

    let mut roles: Vec<Role> = Vec::new();
    for op in &operations {
        if !roles.iter().any(|r| r.wire_name == op.role) {
            roles.push(Role {
                wire_name: op.role.clone(),
                rust_suffix: if op.role.is_empty() {
                    String::new()
                } else {
                    names::type_name(&op.role)
                },
                server: selection.serves(&op.role),
                client: selection.calls(&op.role),
            });
        }
    }

    let mut tag_scope = Scope::default();
    let mut tags: Vec<Tag> = spec
        .document
        .tags
        .iter()
        .map(|t| Tag {
            rust_name: tag_scope.unique(names::type_name(&t.name)),
            wire_name: t.name.clone(),
            docs: t.description.clone(),
        })
        .collect();
    for op in &operations {
        for t in &op.tags {
            if !tags.iter().any(|x| &x.wire_name == t) {
                tags.push(Tag {
                    rust_name: tag_scope.unique(names::type_name(t)),
                    wire_name: t.clone(),
                    docs: None,
                });
            }
        }
    }

    Api {
        rust_name: names::api_rust_name(spec),
        module: module.to_owned(),
        source: spec.path.clone(),
        title: spec.document.info.title.clone(),
        version: spec.document.info.version.clone(),
        description: spec.document.info.description.clone(),
        tags,
        operations,
        roles,
    }
}

/// The description of a body's schema when no named type carries it (an inline array, map or
/// scalar in JSON or a form), with the name of the type that states it for the runtime.
fn inline_schema_docs(
    media: MediaKind,
    ty: &TypeRef,
    docs: Option<String>,
    name: impl FnOnce() -> String,
) -> Option<(String, String)> {
    let docs = docs.filter(|d| !d.trim().is_empty())?;
    let published = matches!(media, MediaKind::Json | MediaKind::Form);
    (published && !matches!(ty, TypeRef::Named { .. })).then(|| (docs, name()))
}

fn location_of(p: &Parameter) -> ParamLocation {
    match p {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// The component of `kind` that `reference` names, following a component that is itself a
/// reference to another (`AuditEventsRequest: {$ref: CursorRequest}`); `None` when a link is
/// missing or the chain goes round.
fn local_component<'a, T>(
    reference: &str,
    kind: &str,
    map: Option<&'a IndexMap<String, ReferenceOr<T>>>,
) -> Option<&'a T> {
    let map = map?;
    let prefix = format!("#/components/{kind}/");
    let mut reference = reference;
    for _ in 0..=map.len() {
        let key = reference.strip_prefix(&prefix)?;
        match map.get(key)? {
            ReferenceOr::Item(item) => return Some(item),
            ReferenceOr::Reference { reference: next } => reference = next,
        }
    }
    None
}

fn resolve_parameter(
    types: &mut SpecTypes<'_>,
    p: &ReferenceOr<Parameter>,
    pointer: &str,
) -> Option<Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p.clone()),
        ReferenceOr::Reference { reference } => {
            let found = local_component(
                reference,
                "parameters",
                types
                    .spec()
                    .document
                    .components
                    .as_ref()
                    .map(|c| &c.parameters),
            )
            .cloned();
            if found.is_none() {
                types.error(
                    pointer,
                    format!("unresolved parameter reference `{reference}`"),
                );
            }
            found
        }
    }
}

fn resolve_request_body(
    types: &mut SpecTypes<'_>,
    b: &ReferenceOr<RequestBody>,
    pointer: &str,
) -> Option<RequestBody> {
    match b {
        ReferenceOr::Item(b) => Some(b.clone()),
        ReferenceOr::Reference { reference } => {
            let found = local_component(
                reference,
                "requestBodies",
                types
                    .spec()
                    .document
                    .components
                    .as_ref()
                    .map(|c| &c.request_bodies),
            )
            .cloned();
            if found.is_none() {
                types.error(
                    pointer,
                    format!("unresolved request body reference `{reference}`"),
                );
            }
            found
        }
    }
}

fn resolve_response(
    types: &mut SpecTypes<'_>,
    r: &ReferenceOr<openapiv3::Response>,
    pointer: &str,
) -> Option<openapiv3::Response> {
    match r {
        ReferenceOr::Item(r) => Some(r.clone()),
        ReferenceOr::Reference { reference } => {
            let found = local_component(
                reference,
                "responses",
                types
                    .spec()
                    .document
                    .components
                    .as_ref()
                    .map(|c| &c.responses),
            )
            .cloned();
            if found.is_none() {
                types.error(
                    pointer,
                    format!("unresolved response reference `{reference}`"),
                );
            }
            found
        }
    }
}

/// Where a body is: a request's or an answer's, the name its inline types start with, and the
/// pointer to its `content`.
struct BodySite {
    request: bool,
    /// The body may be a stream (an answer with its own status).
    streams: bool,
    hint: String,
    pointer: String,
}

/// A body in every media type the generated code speaks (see [`media::supported`]): the first is
/// the body's own; when there are several, each becomes a variant of an enum chosen by
/// Content-Type. Any media type that is not JSON, a form, text or multipart (images, PDF, tar
/// archives, streams of JSON lines, Docker's raw streams, XML) is carried as bytes under its own
/// content type. Variants with the same schema share its type.
fn lower_body(
    types: &mut SpecTypes<'_>,
    content: &IndexMap<String, openapiv3::MediaType>,
    site: &BodySite,
    module: &str,
    enum_scope: &mut Scope,
    contents: &mut media::ContentEnums,
) -> Option<Body> {
    let mut found = media::supported(types, site.request, content, &site.pointer);
    // A stream is an answer of its own: beside other media types (and as a `default` answer, whose
    // status the client learns only once it has read the body) it is text.
    if found.len() > 1 || !site.streams {
        for (media, _, _) in &mut found {
            if *media == MediaKind::Stream {
                *media = MediaKind::Text;
            }
        }
    }
    let mut lowered: Vec<(MediaKind, String, TypeRef, Option<String>, FormStyles)> = Vec::new();
    let mut seen: Vec<(bool, serde_json::Value, TypeRef)> = Vec::new();
    for (media, content_type, media_type) in &found {
        let form_styles = if *media == MediaKind::Form {
            form_styles(media_type)
        } else {
            FormStyles::new()
        };
        let schema_pointer = format!("{}/{}/schema", site.pointer, pointer_token(content_type));
        let typed = matches!(media, MediaKind::Json | MediaKind::Form);
        let key = serde_json::to_value(&media_type.schema).unwrap_or_default();
        if let Some((_, _, ty)) = seen
            .iter()
            .find(|(t, k, _)| *t == typed && *k == key && *media != MediaKind::Multipart)
        {
            lowered.push((*media, content_type.clone(), ty.clone(), None, form_styles));
            continue;
        }
        let (ty, docs) = match &media_type.schema {
            _ if *media == MediaKind::Multipart => (
                multipart::lower_body(
                    types,
                    media_type.schema.as_ref(),
                    &site.hint.replace("Request", "Multipart"),
                    module,
                    &schema_pointer,
                ),
                None,
            ),
            Some(schema) => {
                let l = types.lower(schema, &site.hint, module, &schema_pointer);
                (l.ty, l.docs)
            }
            None => (TypeRef::Any, None),
        };
        seen.push((typed, key, ty.clone()));
        lowered.push((*media, content_type.clone(), ty, docs, form_styles));
    }
    let variants = (lowered.len() > 1).then(|| {
        let mut scope = Scope::default();
        let variants: Vec<MediaVariant> = lowered
            .iter()
            .map(|(media, content_type, ty, _, form_styles)| MediaVariant {
                rust_name: media::variant_name(content_type, &mut scope),
                media: *media,
                content_type: content_type.clone(),
                ty: ty.clone(),
                form_styles: form_styles.clone(),
            })
            .collect();
        MediaVariants {
            rust_name: contents.name(site.request, &variants, || {
                enum_scope.unique(format!("{}Content", site.hint.trim_end_matches("Body")))
            }),
            variants,
        }
    });
    let (media, content_type, ty, docs, form_styles) = lowered.into_iter().next()?;
    let schema_docs = if variants.is_some() {
        None
    } else {
        inline_schema_docs(media, &ty, docs, || {
            enum_scope.unique(format!("{}SchemaDocs", site.hint))
        })
    };
    Some(Body {
        schema_docs,
        media,
        content_type,
        ty,
        required: true,
        docs: None,
        variants,
        form_styles,
    })
}

/// The fields a form's `encoding` writes in another style than `form`. An explicit
/// `explode: false` cannot be told from an absent one once read (openapiv3 reads both as false),
/// so a `form`-style field keeps the default: one pair per item.
fn form_styles(media_type: &openapiv3::MediaType) -> FormStyles {
    media_type
        .encoding
        .iter()
        .filter_map(|(name, encoding)| {
            let style = match encoding.style.as_ref()? {
                openapiv3::QueryStyle::Form => return None,
                openapiv3::QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                openapiv3::QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                openapiv3::QueryStyle::DeepObject => ParamStyle::DeepObject,
            };
            Some((name.clone(), style))
        })
        .collect()
}

#[allow(dead_code)]
fn schema_docs(s: &openapiv3::Schema) -> Option<String> {
    docs_of(s)
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;
    use openapiv3::ReferenceOr;

    use super::local_component;

    fn reference(to: &str) -> ReferenceOr<u8> {
        ReferenceOr::Reference {
            reference: format!("#/components/requestBodies/{to}"),
        }
    }

    #[test]
    fn a_component_that_refers_to_another_resolves_to_it_and_a_cycle_to_nothing() {
        let map: IndexMap<String, ReferenceOr<u8>> = IndexMap::from([
            ("Cursor".to_owned(), ReferenceOr::Item(7)),
            ("Audit".to_owned(), reference("Cursor")),
            ("Usage".to_owned(), reference("Audit")),
            ("Ping".to_owned(), reference("Pong")),
            ("Pong".to_owned(), reference("Ping")),
        ]);
        let find = |name: &str| {
            local_component(
                &format!("#/components/requestBodies/{name}"),
                "requestBodies",
                Some(&map),
            )
            .copied()
        };
        assert_eq!(find("Usage"), Some(7));
        assert_eq!(find("Audit"), Some(7));
        assert_eq!(find("Ping"), None);
        assert_eq!(find("Missing"), None);
    }
}
