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

use crate::model::{Api, Model};
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
    let paths = paths_of(settings)?;
    let answerable = request_errors::Answerable::new(model, settings.provided_request_errors);
    let can_answer = |t: &crate::model::TypeRef| answerable.can_answer(t);

    // Every Rust file is made and formatted on a thread of its own: each is independent of the
    // others, and formatting (syn + prettyplease) is most of the generator's time.
    let mut jobs = Vec::new();
    let mut sources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, module) in &model.modules {
        let chunks = type_chunks(module.types.len());
        let last = chunks.len() - 1;
        for (order, range) in chunks.into_iter().enumerate() {
            jobs.push(Job::Types {
                name,
                module,
                order,
                range,
                request_errors: order == last,
            });
        }
        sources
            .entry(name.clone())
            .or_default()
            .push("types".to_owned());
    }
    let aliases: Vec<_> = model
        .apis
        .iter()
        .map(|api| handler::response_enum_aliases(api, &paths, &can_answer))
        .collect();
    for (api, aliases) in model.apis.iter().zip(&aliases) {
        let parts = sources.entry(api.module.clone()).or_default();
        jobs.push(Job::Handler(api, aliases));
        parts.push("handler".to_owned());
        if api.roles.iter().any(|r| r.server) {
            jobs.push(Job::Server(api));
            parts.push("server".to_owned());
        }
        if api.roles.iter().any(|r| r.client) {
            jobs.push(Job::Client(api, aliases));
            parts.push("client".to_owned());
        }
    }
    let written: Vec<Result<Piece, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .into_iter()
            .map(|job| {
                let answerable = &answerable;
                scope.spawn(move || job.write(answerable, settings))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a generator thread panicked".to_owned()))
            })
            .collect()
    });
    let mut pieces = written
        .into_iter()
        .collect::<Result<Vec<Piece>, String>>()?;
    pieces.sort_by(|a, b| (&a.path, a.order).cmp(&(&b.path, b.order)));
    let mut files = Files::new();
    for piece in pieces {
        match files.get_mut(&piece.path) {
            Some(text) => text.push_str(&piece.body),
            None => {
                let text = with_preamble(&piece.source, &piece.body, settings);
                files.insert(piece.path, text);
            }
        }
    }
    for api in &model.apis {
        files.insert(
            format!("{}/REFERENCE.md", api.module).into(),
            docs::reference(api, model)?,
        );
    }
    let mut root = Vec::new();
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

fn paths_of(settings: &WriteSettings) -> Result<Paths, String> {
    let rt: TokenStream = settings
        .runtime_path
        .parse()
        .map_err(|e| format!("runtime path `{}`: {e}", settings.runtime_path))?;
    Ok(Paths { rt })
}

/// A module's types are formatted in chunks of about this many types, on threads of their own,
/// when it has more (a document's components are most of its code).
const TYPES_PER_CHUNK: usize = 64;

/// The ranges of a module's types formatted apart: at most one chunk per core beyond the first
/// `TYPES_PER_CHUNK` types, so that a small module stays one piece.
fn type_chunks(count: usize) -> Vec<std::ops::Range<usize>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let chunks = count.div_ceil(TYPES_PER_CHUNK).clamp(1, cores * 2);
    let size = count.div_ceil(chunks).max(1);
    let mut ranges: Vec<_> = (0..chunks)
        .map(|i| (i * size).min(count)..((i + 1) * size).min(count))
        .collect();
    ranges.retain(|r| !r.is_empty());
    if ranges.is_empty() {
        ranges.push(0..0);
    }
    ranges
}

/// One part of a Rust file to write: a chunk of a module's types (the last one with the request
/// error impls), or an API's handler, server or client.
enum Job<'m> {
    Types {
        name: &'m str,
        module: &'m crate::model::TypeModule,
        order: usize,
        range: std::ops::Range<usize>,
        request_errors: bool,
    },
    Handler(&'m Api, &'m handler::Aliases<'m>),
    Server(&'m Api),
    Client(&'m Api, &'m handler::Aliases<'m>),
}

/// A formatted part of a file: the parts of one path are joined in `order`.
struct Piece {
    path: PathBuf,
    order: usize,
    source: String,
    body: String,
}

impl Job<'_> {
    /// The formatted part. Token streams cannot cross threads, so each job makes its own.
    fn write(
        self,
        answerable: &request_errors::Answerable,
        settings: &WriteSettings,
    ) -> Result<Piece, String> {
        let paths = paths_of(settings)?;
        let can_answer = |t: &crate::model::TypeRef| answerable.can_answer(t);
        let api_piece = |api: &Api, part: &str, tokens: TokenStream| {
            Ok(Piece {
                path: format!("{}/{part}.rs", api.module).into(),
                order: 0,
                source: api.source.display().to_string(),
                body: formatted(tokens)?,
            })
        };
        match self {
            Job::Types {
                name,
                module,
                order,
                range,
                request_errors: with_request_errors,
            } => {
                let mut tokens = types::module_part(module, range, &paths);
                if with_request_errors && !settings.provided_request_errors {
                    tokens.extend(request_errors::impls(module, answerable, &paths));
                }
                Ok(Piece {
                    path: format!("{name}/types.rs").into(),
                    order,
                    source: module.source.display().to_string(),
                    body: formatted(tokens)?,
                })
            }
            Job::Handler(api, aliases) => api_piece(
                api,
                "handler",
                handler::module(api, &paths, &can_answer, aliases),
            ),
            Job::Server(api) => api_piece(api, "server", server::module(api, &paths)),
            Job::Client(api, aliases) => {
                api_piece(api, "client", client::module(api, &paths, aliases))
            }
        }
    }
}

mod types;

/// Formats tokens as a Rust file with the preamble every generated file carries.
fn rust_file(
    tokens: TokenStream,
    source: &str,
    settings: &WriteSettings,
) -> Result<String, String> {
    Ok(with_preamble(source, &formatted(tokens)?, settings))
}

/// Tokens formatted as Rust items.
fn formatted(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("generated code does not parse (a generator bug): {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn with_preamble(source: &str, body: &str, settings: &WriteSettings) -> String {
    format!(
        "// Generated by obakit-codegen from {source}. Do not edit: change the spec and run\n// `{}`.\n\n{body}",
        settings.regenerate_command
    )
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{formatted, type_chunks};

    #[test]
    fn type_chunks_cover_every_type_once_in_order() {
        for count in [0, 1, 63, 64, 65, 200, 1_000, 5_003] {
            let chunks = type_chunks(count);
            let mut next = 0;
            for chunk in &chunks {
                assert_eq!(chunk.start, next, "{count}: {chunks:?}");
                next = chunk.end;
            }
            assert_eq!(next, count, "{count}: {chunks:?}");
            assert!(chunks.len() == 1 || count > 64, "{count}: {chunks:?}");
        }
    }

    #[test]
    fn items_formatted_in_pieces_join_into_what_formatting_them_whole_gives() {
        let first = quote! {
            /// A pet.
            #[derive(Debug)]
            pub struct Pet { pub name: String }
            impl Pet { pub fn new() -> Self { Self { name: String::new() } } }
        };
        let second = quote! {
            pub type Pets = Vec<Pet>;
            pub enum Kind { Cat, Dog }
        };
        let whole = formatted(quote!(#first #second)).unwrap();
        let joined = formatted(first).unwrap() + &formatted(second).unwrap();
        assert_eq!(joined, whole);
    }
}
