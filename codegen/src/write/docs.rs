//! Markdown outputs (tera): the reference of each generated API and the folder's README.

use serde::Serialize;

use super::WriteSettings;
use super::client::client_name;
use super::handler::trait_name;
use super::server::server_name;
use crate::model::{Api, MediaKind, Model, ParamLocation, TypeKind, TypeRef};

const REFERENCE: &str = include_str!("../../templates/reference.md.tera");
const README: &str = include_str!("../../templates/README.md.tera");

fn render(name: &str, template: &str, context: &tera::Context) -> Result<String, String> {
    let mut tera = tera::Tera::default();
    tera.add_raw_template(name, template)
        .map_err(|e| format!("template {name}: {e}"))?;
    tera.render(name, context)
        .map_err(|e| format!("template {name}: {e:?}"))
}

#[derive(Serialize)]
struct RoleView {
    name: String,
    server: bool,
    client: bool,
    trait_name: String,
    server_name: String,
    client_name: String,
    operations: Vec<OpView>,
}

#[derive(Serialize, Clone)]
struct OpView {
    id: String,
    method: String,
    path: String,
    rust_name: String,
    summary: Option<String>,
    statuses: String,
    params: Vec<ParamView>,
    body: Option<String>,
    response_enum: String,
    responses: Vec<ResponseView>,
}

#[derive(Serialize, Clone)]
struct ParamView {
    name: String,
    location: &'static str,
    ty: String,
    required: bool,
}

#[derive(Serialize, Clone)]
struct ResponseView {
    status: String,
    variant: String,
    body: Option<String>,
}

#[derive(Serialize)]
struct TypeView {
    name: String,
    schema: String,
    kind: &'static str,
    module: String,
}

fn type_text(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named { name, .. } => name.clone(),
        TypeRef::Vec(t) => format!("Vec<{}>", type_text(t)),
        TypeRef::Map(t) => format!("BTreeMap<String, {}>", type_text(t)),
        TypeRef::DateTime => "DateTime<FixedOffset>".into(),
        TypeRef::Date => "NaiveDate".into(),
        TypeRef::Any => "serde_json::Value".into(),
        other => format!("{other:?}")
            .to_ascii_lowercase()
            .replace("string", "String")
            .replace("uuid", "Uuid"),
    }
}

fn request_body_text(b: &crate::model::Body) -> String {
    if b.required {
        body_text(b)
    } else {
        format!("{}, optional", body_text(b))
    }
}

fn body_text(b: &crate::model::Body) -> String {
    match &b.variants {
        Some(v) => {
            let each: Vec<String> = v
                .variants
                .iter()
                .map(|v| media_text(v.media, &v.ty, &v.content_type))
                .collect();
            format!("{}: {}", v.rust_name, each.join(" or "))
        }
        None => media_text(b.media, &b.ty, &b.content_type),
    }
}

fn media_text(media: MediaKind, ty: &crate::model::TypeRef, content_type: &str) -> String {
    let kind = match media {
        MediaKind::Json => "JSON",
        MediaKind::Form => "form",
        MediaKind::Text => "text",
        MediaKind::Binary => "binary",
        MediaKind::Multipart => "multipart",
        MediaKind::Stream => "stream",
    };
    let ty = match media {
        MediaKind::Json | MediaKind::Form | MediaKind::Multipart => type_text(ty),
        MediaKind::Text => "String".to_owned(),
        MediaKind::Binary => "Vec<u8>".to_owned(),
        MediaKind::Stream => "poem::Body".to_owned(),
    };
    format!("{ty} ({kind}, {content_type})")
}

fn op_view(op: &crate::model::Operation) -> OpView {
    OpView {
        id: op.operation_id.clone(),
        method: op.method.to_uppercase(),
        path: op.path.clone(),
        rust_name: op.rust_name.clone(),
        summary: op.summary.clone(),
        statuses: op
            .responses
            .iter()
            .map(|r| {
                r.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "default".into())
            })
            .collect::<Vec<_>>()
            .join(", "),
        params: op
            .params
            .iter()
            .map(|p| ParamView {
                name: p.wire_name.clone(),
                location: match p.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Query => "query",
                    ParamLocation::Header => "header",
                    ParamLocation::Cookie => "cookie",
                },
                ty: type_text(&p.ty),
                required: p.required,
            })
            .collect(),
        body: op.body.as_ref().map(request_body_text),
        response_enum: op.response_enum.clone(),
        responses: op
            .responses
            .iter()
            .map(|r| ResponseView {
                status: r
                    .status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "default".into()),
                variant: r.variant.clone(),
                body: r.body.as_ref().map(body_text),
            })
            .collect(),
    }
}

pub(super) fn reference(api: &Api, model: &Model) -> Result<String, String> {
    let mut context = tera::Context::new();
    context.insert("title", &api.title);
    context.insert("version", &api.version);
    context.insert("description", &api.description);
    context.insert("source", &api.source.display().to_string());
    context.insert("module", &api.module);
    let roles: Vec<RoleView> = api
        .roles
        .iter()
        .map(|r| RoleView {
            name: r.wire_name.clone(),
            server: r.server,
            client: r.client,
            trait_name: trait_name(api, r),
            server_name: server_name(api, r),
            client_name: client_name(api, r),
            operations: api
                .operations
                .iter()
                .filter(|o| o.role == r.wire_name)
                .map(op_view)
                .collect(),
        })
        .collect();
    context.insert("roles", &roles);
    context.insert(
        "operations",
        &api.operations.iter().map(op_view).collect::<Vec<_>>(),
    );
    let mut types = Vec::new();
    for (module_name, module) in &model.modules {
        // The API's own module and the shared modules its types come from.
        let used = module_name == &api.module
            || module.source != api.source && model.apis.iter().any(|a| a.module == api.module);
        if !used {
            continue;
        }
        for t in module.types.values() {
            types.push(TypeView {
                name: t.rust_name.clone(),
                schema: t.schema_name.clone(),
                kind: match t.kind {
                    TypeKind::Object(_) => "object",
                    TypeKind::Enum(_) => "open enum",
                    TypeKind::Union(_) => "union",
                    TypeKind::Alias(_) => "alias",
                    TypeKind::Multipart(_) => "multipart form",
                },
                module: module_name.clone(),
            });
        }
    }
    context.insert("types", &types);
    render("reference.md", REFERENCE, &context)
}

#[derive(Serialize)]
struct ModuleView {
    name: String,
    source: String,
    contents: String,
}

pub(super) fn readme(model: &Model, settings: &WriteSettings) -> Result<String, String> {
    let mut modules = Vec::new();
    for (name, module) in &model.modules {
        let api = model.apis.iter().find(|a| &a.module == name);
        let contents = match api {
            Some(_) => "types, handler traits, server glue, clients, reference".to_owned(),
            None => "shared types".to_owned(),
        };
        modules.push(ModuleView {
            name: name.clone(),
            source: module.source.display().to_string(),
            contents,
        });
    }
    for api in &model.apis {
        if !model.modules.contains_key(&api.module) {
            modules.push(ModuleView {
                name: api.module.clone(),
                source: api.source.display().to_string(),
                contents: "handler traits, server glue, clients, reference".into(),
            });
        }
    }
    let mut context = tera::Context::new();
    context.insert("modules", &modules);
    context.insert("command", &settings.regenerate_command);
    render("README.md", README, &context)
}
