//! Write stage: the model → formatted Rust files (quote + prettyplease) and Markdown (tera).
//!
//! Nothing here looks at an OpenAPI document. Output is deterministic: no timestamps, types in
//! name order, operations in spec order.

mod client;
mod docs;
mod handler;
mod markdown;
mod media;
mod multipart;
mod request_errors;
mod server;
mod tokens;

use std::collections::BTreeMap;
use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Model;
use tokens::Paths;

/// How the generated code fits into the crate that includes it.
#[derive(Debug, Clone)]
pub struct WriteSettings {
    /// Path of the runtime module, `::obakit_runtime` by default, or wherever the including crate re-exports it.
    pub runtime_path: String,
    /// When true, the including crate implements `FromRequestError` for the 400 body types itself.
    pub provided_request_errors: bool,
    /// The command that regenerates the committed copy, named in every preamble.
    pub regenerate_command: String,
}

/// Generated files by path relative to the output folder.
pub type Files = BTreeMap<PathBuf, String>;

pub fn write(model: &Model, settings: &WriteSettings) -> Result<Files, String> {
    let rt: TokenStream = settings
        .runtime_path
        .parse()
        .map_err(|e| format!("runtime path `{}`: {e}", settings.runtime_path))?;
    let paths = Paths { rt };
    let mut files = Files::new();
    let answerable = request_errors::Answerable::new(model, settings.provided_request_errors);
    let mut root = Vec::new();

    let mut sources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, module) in &model.modules {
        let mut tokens = tokens_of_types(module, &paths);
        if !settings.provided_request_errors {
            tokens.extend(request_errors::impls(module, &answerable, &paths));
        }
        let file = format!("{name}/types.rs");
        files.insert(
            file.clone().into(),
            rust_file(tokens, &module.source.display().to_string(), settings)?,
        );
        sources
            .entry(name.clone())
            .or_default()
            .push("types".to_owned());
    }
    for api in &model.apis {
        let source = api.source.display().to_string();
        let answerable = |t: &crate::model::TypeRef| answerable.can_answer(t);
        let aliases = handler::response_enum_aliases(api, &paths, &answerable);
        let handler = handler::module(api, &paths, &answerable, &aliases);
        files.insert(
            format!("{}/handler.rs", api.module).into(),
            rust_file(handler, &source, settings)?,
        );
        sources
            .entry(api.module.clone())
            .or_default()
            .push("handler".to_owned());
        if api.roles.iter().any(|r| r.server) {
            files.insert(
                format!("{}/server.rs", api.module).into(),
                rust_file(server::module(api, &paths), &source, settings)?,
            );
            sources
                .entry(api.module.clone())
                .or_default()
                .push("server".to_owned());
        }
        if api.roles.iter().any(|r| r.client) {
            files.insert(
                format!("{}/client.rs", api.module).into(),
                rust_file(client::module(api, &paths, &aliases), &source, settings)?,
            );
            sources
                .entry(api.module.clone())
                .or_default()
                .push("client".to_owned());
        }
        files.insert(
            format!("{}/REFERENCE.md", api.module).into(),
            docs::reference(api, model)?,
        );
    }
    for (module, parts) in &sources {
        let m = tokens::ident(module);
        let parts = parts.iter().map(|p| {
            let ident = tokens::ident(p);
            let file = format!("{module}/{p}.rs");
            quote! {
                #[allow(clippy::all, unused_imports, unused_variables, dead_code, missing_docs, unreachable_pub, non_camel_case_types)]
                pub mod #ident { include!(#file); }
            }
        });
        root.push(quote! { pub mod #m { #(#parts)* } });
    }
    files.insert(
        "api.rs".into(),
        rust_file(quote!(#(#root)*), "every spec", settings)?,
    );
    files.insert("README.md".into(), docs::readme(model, settings)?);
    Ok(files)
}

fn tokens_of_types(module: &crate::model::TypeModule, paths: &Paths) -> TokenStream {
    crate::write::types_module(module, paths)
}

pub(crate) fn types_module(module: &crate::model::TypeModule, paths: &Paths) -> TokenStream {
    types::module(module, paths)
}

mod types;

/// Formats tokens as a Rust file with the preamble every generated file carries.
fn rust_file(
    tokens: TokenStream,
    source: &str,
    settings: &WriteSettings,
) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("generated code does not parse (a generator bug): {e}"))?;
    let body = prettyplease::unparse(&file);
    Ok(format!(
        "// Generated by obakit-codegen from {source}. Do not edit: change the spec and run\n// `{}`.\n\n{body}",
        settings.regenerate_command
    ))
}
