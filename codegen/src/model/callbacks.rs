//! Callbacks and webhooks → operations like any other, on the side that receives them.
//!
//! A callback (`callbacks` of an operation) and a 3.1 webhook (`webhooks`) are requests the API sends
//! rather than serves. Each of their operations is lowered like a path's operation, under a role of its
//! own (its `x-obakit-role`, else `callbacks` (or `<parent role>-callbacks`) and `webhooks`), so the side
//! that receives it gets a handler trait and a server, and the side that sends it a client.
//!
//! Where they are served: the URL of a callback is a runtime expression evaluated on the request that
//! registered it (`{$request.body#/callbackUrl}`); the receiver chooses that URL, so its server routes
//! the callback at `/<callback name>` followed by the expression's literal path (`{$…}/data` →
//! `/onData/data`), under wherever the receiver mounts it. A webhook is routed at `/<webhook name>`.
//!
//! Where they are sent: for a callback, the client builds the URL from the expression's template, each
//! `{$…}` part an argument of the client method. When every part is `$request.body#/<property>` naming
//! a string (or string enumeration) property of the registering request's JSON body, a second method (`<name>_for`) takes that
//! body and resolves the URL from it ([`resolve_from_requests`]); other expressions (`$request.query.…`,
//! `$request.header.…`, `$response.…`) name what the sending client does not hold, so their values stay
//! arguments. For a webhook, whose URL is registered out of band, the client's base URL is the
//! webhook's URL as it is.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{Operation as SpecOperation, PathItem, ReferenceOr};

use super::lower_types::SpecTypes;
use super::names::{self, Scope};
use super::{
    Api, CallbackUrl, FieldSource, FromRequest, MediaKind, Param, TypeKind, TypeModule, TypeRef,
    UrlPart,
};
use crate::diag::pointer_token;
use crate::read::LoadedSpec;

const ROLE_EXTENSION: &str = "x-obakit-role";

/// One path item to lower: a path's, or one expression of a callback, or a webhook.
pub(super) struct Entry<'a> {
    /// The route the generated server serves it at.
    pub(super) path: Cow<'a, str>,
    pub(super) item: Cow<'a, ReferenceOr<PathItem>>,
    /// The JSON pointer of the path item in the document.
    pub(super) pointer: String,
    pub(super) origin: Origin,
}

/// What a path item is in the document.
#[derive(Debug, Clone)]
pub(super) enum Origin {
    Path,
    Callback {
        parent_id: String,
        parent_role: String,
        name: String,
        expression: String,
        /// Made-up operation ids must be unique (poem-openapi refuses to serve duplicates): the
        /// expression's position when the callback has several, the method when its item has several.
        qualifier: Qualifier,
    },
    Webhook {
        name: String,
        qualifier: Qualifier,
    },
}

/// What tells apart the operations of one callback or webhook that have no `operationId`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Qualifier {
    /// The expression's 1-based position, when the callback has several expressions.
    position: Option<usize>,
    /// The path item holds several operations: each is named with its method too.
    by_method: bool,
}

impl Qualifier {
    fn of(position: usize, expressions: usize, item: &PathItem) -> Self {
        Qualifier {
            position: (expressions > 1).then_some(position + 1),
            by_method: item.iter().count() > 1,
        }
    }

    fn apply(self, id: String, method: &str) -> String {
        let id = match self.position {
            Some(n) => format!("{id} {n}"),
            None => id,
        };
        if self.by_method {
            format!("{id} {method}")
        } else {
            id
        }
    }
}

/// The path items of `spec`: its paths, then its callbacks in path order, then its webhooks.
pub(super) fn entries<'a>(spec: &'a LoadedSpec, types: &mut SpecTypes<'_>) -> Vec<Entry<'a>> {
    let mut out: Vec<Entry<'a>> = spec
        .document
        .paths
        .paths
        .iter()
        .map(|(path, item)| Entry {
            path: Cow::Borrowed(path.as_str()),
            item: Cow::Borrowed(item),
            pointer: format!("/paths/{}", pointer_token(path)),
            origin: Origin::Path,
        })
        .collect();
    // Routes already taken in the receiving server, per role: a second `onEvent` gets `/onEvent-2`.
    let mut routes = BTreeSet::new();
    for (path, item) in &spec.document.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let item_pointer = format!("/paths/{}", pointer_token(path));
        for (method, op) in item.iter() {
            let parent_id = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method} {path}"));
            let parent_role = role_of(op).unwrap_or_default();
            for (name, callback) in &op.callbacks {
                for (position, (expression, cb_item)) in callback.iter().enumerate() {
                    let qualifier = Qualifier::of(position, callback.len(), cb_item);
                    let pointer = format!(
                        "{item_pointer}/{method}/callbacks/{}/{}",
                        pointer_token(name),
                        pointer_token(expression)
                    );
                    report_nested_callbacks(cb_item, &pointer, types);
                    let route = unique_route(
                        &mut routes,
                        &format!("/{}{}", route_segment(name), literal_path(expression)),
                    );
                    out.push(Entry {
                        path: Cow::Owned(route),
                        item: Cow::Owned(ReferenceOr::Item(cb_item.clone())),
                        pointer,
                        origin: Origin::Callback {
                            parent_id: parent_id.clone(),
                            parent_role: parent_role.clone(),
                            name: name.clone(),
                            expression: expression.clone(),
                            qualifier,
                        },
                    });
                }
            }
        }
    }
    if let Some(webhooks) = spec.raw.get("webhooks").and_then(|w| w.as_object()) {
        for (name, item) in webhooks {
            let pointer = format!("/webhooks/{}", pointer_token(name));
            let item = match serde_json::from_value::<PathItem>(item.clone()) {
                Ok(item) => item,
                Err(e) => {
                    types.unsupported(&pointer, &format!("webhook that is not a Path Item: {e}"));
                    continue;
                }
            };
            report_nested_callbacks(&item, &pointer, types);
            let qualifier = Qualifier::of(0, 1, &item);
            let route = unique_route(&mut routes, &format!("/{}", route_segment(name)));
            out.push(Entry {
                path: Cow::Owned(route),
                item: Cow::Owned(ReferenceOr::Item(item)),
                pointer,
                origin: Origin::Webhook {
                    name: name.clone(),
                    qualifier,
                },
            });
        }
    }
    out
}

impl Origin {
    /// The operation's identifier: its own `operationId`, else one made of where it is.
    pub(super) fn operation_id(&self, op: &SpecOperation, method: &str, path: &str) -> String {
        if let Some(id) = &op.operation_id {
            return id.clone();
        }
        match self {
            // Without an operationId the method and path are the only stable identifiers.
            Origin::Path => format!("{method} {path}"),
            Origin::Callback {
                parent_id,
                name,
                qualifier,
                ..
            } => qualifier.apply(format!("{parent_id} {name}"), method),
            Origin::Webhook { name, qualifier } => qualifier.apply(name.clone(), method),
        }
    }

    /// The role whose side serves the operation.
    pub(super) fn role(&self, op: &SpecOperation) -> String {
        if let Some(role) = role_of(op) {
            return role;
        }
        match self {
            Origin::Path => String::new(),
            Origin::Callback { parent_role, .. } if parent_role.is_empty() => "callbacks".into(),
            Origin::Callback { parent_role, .. } => format!("{parent_role}-callbacks"),
            Origin::Webhook { .. } => "webhooks".into(),
        }
    }

    /// The operation's description, followed by where it is sent and served.
    pub(super) fn description(&self, own: Option<&String>, route: &str) -> Option<String> {
        let note = match self {
            Origin::Path => return own.cloned(),
            Origin::Callback {
                parent_id,
                name,
                expression,
                ..
            } => format!(
                "Callback `{name}` of `{parent_id}`: the API sends it to `{expression}`, a runtime expression \
                 evaluated on the `{parent_id}` request that registered it. The generated server serves it at \
                 `{route}` under wherever it is mounted (register that URL); the generated client sends it to \
                 the URL the expression makes, each `{{$…}}` part given as an argument, substituted as given."
            ),
            Origin::Webhook { name, .. } => format!(
                "Webhook `{name}`: the API sends it to a URL registered out of band. The generated server serves \
                 it at `{route}` under wherever it is mounted; the generated client sends it to its base URL as it is."
            ),
        };
        Some(match own {
            Some(own) if !own.trim().is_empty() => format!("{own}\n\n{note}"),
            _ => note,
        })
    }

    /// How the client finds the URL it sends the operation to; `None` for a path's operation. Argument
    /// names are unique among the operation's parameters (and `body`).
    pub(super) fn url(&self, params: &[Param]) -> Option<CallbackUrl> {
        match self {
            Origin::Path => None,
            Origin::Webhook { .. } => Some(CallbackUrl::BaseUrl),
            Origin::Callback {
                expression,
                parent_id,
                ..
            } => {
                let mut scope = Scope::with_reserved(&["body", "self"]);
                for p in params {
                    scope.reserve(&p.rust_name);
                }
                let mut parts = Vec::new();
                let mut named: Vec<(String, String)> = Vec::new();
                for piece in template(expression) {
                    match piece {
                        Piece::Literal(text) => parts.push(UrlPart::Literal(text.to_owned())),
                        Piece::Expression(expression) => {
                            let rust_name = match named.iter().find(|(e, _)| e == expression) {
                                Some((_, n)) => n.clone(),
                                None => {
                                    let n = scope
                                        .unique(names::value_name(expression_name(expression)));
                                    named.push((expression.to_owned(), n.clone()));
                                    n
                                }
                            };
                            parts.push(UrlPart::Argument {
                                rust_name,
                                expression: expression.to_owned(),
                            });
                        }
                    }
                }
                Some(CallbackUrl::Template {
                    parts,
                    registered_by: parent_id.clone(),
                    from_request: None,
                })
            }
        }
    }
}

/// For each callback whose every expression is `$request.body#/<property>` naming a string (or string
/// enumeration) property of the registering request's JSON body: the client method that resolves the URL from that body.
/// Run once the types are final (fields' names and optionality are decided there).
pub(super) fn resolve_from_requests(api: &mut Api, modules: &BTreeMap<String, TypeModule>) {
    let mut methods = Scope::with_reserved(names::RESERVED_METHOD_NAMES);
    for op in &api.operations {
        methods.reserve(&op.rust_name);
    }
    let bodies: BTreeMap<String, TypeRef> = api
        .operations
        .iter()
        .filter(|op| op.callback_url.is_none())
        .filter_map(|op| {
            let body = op.body.as_ref().filter(|b| b.media == MediaKind::Json)?;
            Some((op.operation_id.clone(), body.ty.clone()))
        })
        .collect();
    for op in &mut api.operations {
        let Some(CallbackUrl::Template {
            parts,
            registered_by,
            from_request,
        }) = &mut op.callback_url
        else {
            continue;
        };
        let Some(body @ TypeRef::Named { module, name }) = bodies.get(registered_by.as_str())
        else {
            continue;
        };
        let Some(TypeKind::Object(object)) = modules
            .get(module)
            .and_then(|m| m.types.get(name))
            .map(|t| &t.kind)
        else {
            continue;
        };
        let mut fields: Vec<FieldSource> = Vec::new();
        let resolvable = parts.iter().all(|part| {
            let UrlPart::Argument {
                rust_name,
                expression,
            } = part
            else {
                return true;
            };
            let Some(property) = expression
                .strip_prefix("$request.body#/")
                .filter(|p| !p.contains('/'))
                .map(|p| p.replace("~1", "/").replace("~0", "~"))
            else {
                return false;
            };
            // A string, or an enumeration of strings (its value is its wire text).
            let textual = |ty: &TypeRef| match ty {
                TypeRef::String => true,
                TypeRef::Named { module, name } => matches!(
                    modules
                        .get(module)
                        .and_then(|m| m.types.get(name))
                        .map(|t| &t.kind),
                    Some(TypeKind::Enum(_))
                ),
                _ => false,
            };
            let Some(field) = object
                .fields
                .iter()
                .find(|f| f.wire_name == property && textual(&f.ty) && !f.nullable && !f.boxed)
            else {
                return false;
            };
            if !fields.iter().any(|f| f.argument == *rust_name) {
                fields.push(FieldSource {
                    argument: rust_name.clone(),
                    field: field.rust_name.clone(),
                    wire_name: field.wire_name.clone(),
                    optional: !field.required && field.default_fn.is_none(),
                });
            }
            true
        });
        // The resolving method takes the registering body as `registration` beside the operation's own
        // arguments.
        let free = !op.params.iter().any(|p| p.rust_name == "registration");
        if resolvable && free && !fields.is_empty() {
            *from_request = Some(FromRequest {
                method: methods.unique(format!("{}_for", op.rust_name)),
                body: body.clone(),
                fields,
            });
        }
    }
}

fn role_of(op: &SpecOperation) -> Option<String> {
    op.extensions
        .get(ROLE_EXTENSION)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Callbacks of a callback or webhook: the receiver would have to send them; not generated.
fn report_nested_callbacks(item: &PathItem, pointer: &str, types: &mut SpecTypes<'_>) {
    for (method, op) in item.iter() {
        if !op.callbacks.is_empty() {
            types.unsupported(
                &format!("{pointer}/{method}/callbacks"),
                "callbacks of a callback or webhook",
            );
        }
    }
}

/// A name as one path segment: characters a route cannot hold literally become `-`.
fn route_segment(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The literal path after a leading expression (`{$request.query.url}/data` → `/data`), up to any
/// query, fragment or further expression; empty when the expression does not lead.
fn literal_path(expression: &str) -> String {
    let Some(rest) = expression
        .strip_prefix('{')
        .and_then(|r| r.split_once('}'))
        .map(|(_, rest)| rest)
    else {
        return String::new();
    };
    let end = rest.find(['?', '#', '{']).unwrap_or(rest.len());
    let path = rest[..end].trim_end_matches('/');
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{}", route_segment(s)))
        .collect()
}

fn unique_route(routes: &mut BTreeSet<String>, route: &str) -> String {
    let mut candidate = route.to_owned();
    let mut n = 2;
    while !routes.insert(candidate.clone()) {
        candidate = format!("{route}-{n}");
        n += 1;
    }
    candidate
}

/// A piece of a callback URL template.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Literal(&'a str),
    /// The runtime expression inside `{…}`, e.g. `$request.body#/callbackUrl`.
    Expression(&'a str),
}

/// Splits `http://x?id={$request.body#/id}` into its literal text and runtime expressions.
fn template(expression: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = expression;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        if start > 0 {
            out.push(Piece::Literal(&rest[..start]));
        }
        out.push(Piece::Expression(&rest[start + 1..start + len]));
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// The name a runtime expression's value goes by: its last pointer token, parameter or source name.
fn expression_name(expression: &str) -> &str {
    let tail = match expression.split_once('#') {
        Some((_, pointer)) => pointer.rsplit('/').find(|t| !t.is_empty()).unwrap_or(""),
        None => expression.rsplit('.').next().unwrap_or(""),
    };
    let tail = tail.trim_start_matches('$');
    if tail.is_empty() { "url" } else { tail }
}

#[cfg(test)]
mod tests {
    use openapiv3::{Operation, PathItem};

    use super::{Piece, Qualifier, expression_name, literal_path, template};

    #[test]
    fn made_up_operation_ids_of_one_callback_are_distinct() {
        let one = PathItem {
            post: Some(Operation::default()),
            ..PathItem::default()
        };
        let two = PathItem {
            put: Some(Operation::default()),
            ..one.clone()
        };
        let id = |position, expressions, item: &PathItem, method| {
            Qualifier::of(position, expressions, item).apply("subscribe onEvent".into(), method)
        };
        assert_eq!(id(0, 1, &one, "post"), "subscribe onEvent");
        assert_eq!(id(0, 1, &two, "post"), "subscribe onEvent post");
        assert_eq!(id(0, 1, &two, "put"), "subscribe onEvent put");
        assert_eq!(id(1, 2, &one, "post"), "subscribe onEvent 2");
    }

    #[test]
    fn templates_split_into_literals_and_expressions() {
        assert_eq!(
            template("http://n.example?id={$request.body#/id}&e={$request.body#/email}"),
            [
                Piece::Literal("http://n.example?id="),
                Piece::Expression("$request.body#/id"),
                Piece::Literal("&e="),
                Piece::Expression("$request.body#/email"),
            ]
        );
        assert_eq!(
            template("{$request.query.callbackUrl}/data"),
            [
                Piece::Expression("$request.query.callbackUrl"),
                Piece::Literal("/data")
            ]
        );
    }

    #[test]
    fn expression_values_are_named_after_what_they_point_at() {
        assert_eq!(expression_name("$request.body#/callbackUrl"), "callbackUrl");
        assert_eq!(expression_name("$request.query.callbackUrl"), "callbackUrl");
        assert_eq!(expression_name("$request.header.X-Hook"), "X-Hook");
        assert_eq!(expression_name("$url"), "url");
    }

    #[test]
    fn routes_keep_the_literal_path_after_a_leading_expression() {
        assert_eq!(literal_path("{$request.query.callbackUrl}/data"), "/data");
        assert_eq!(literal_path("{$request.body#/url}"), "");
        assert_eq!(literal_path("http://x/{$request.body#/id}"), "");
    }
}
