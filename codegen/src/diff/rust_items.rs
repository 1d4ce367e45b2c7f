//! The generated Rust items a change touches, named by the same model the generator builds.
//!
//! The model records where each generated type came from (the JSON pointer of its schema in the
//! bundled document), so a schema reached while comparing is found by its pointer; operations are
//! found by method and path.

use std::collections::HashMap;

use crate::model::{self, Model, RoleSelection, TypeKind};
use crate::read::LoadedSpec;

/// The Rust names generated for one revision.
#[derive(Debug, Default)]
pub(super) struct RustNames {
    /// The API's base name (`UserService`), from `x-obakit-name` or the file name.
    pub(super) api: Option<String>,
    operations: HashMap<(String, String), OperationNames>,
    types: HashMap<String, TypeNames>,
}

/// The names generated for one operation.
#[derive(Debug, Clone)]
pub(super) struct OperationNames {
    /// `ProductOrderingPartnerApi::create_product_order` (served) is the handler trait method.
    pub(super) trait_method: String,
    /// `ProductOrderingOrangeClient::notify_product_order_event` is the client method.
    pub(super) client_method: String,
    pub(super) response_enum: String,
    /// Parameter arguments by (`in`, wire name).
    params: HashMap<(String, String), String>,
    /// Response variants by status (`None`: `default`).
    variants: HashMap<Option<u16>, String>,
}

impl OperationNames {
    /// The method the code for this side uses: the trait method when served, the client's when called.
    pub(super) fn method(&self, served: bool) -> &str {
        if served {
            &self.trait_method
        } else {
            &self.client_method
        }
    }

    /// `CreateProductOrderResponse::Created`.
    pub(super) fn variant(&self, status: Option<u16>) -> Option<String> {
        self.variants
            .get(&status)
            .map(|v| format!("{}::{v}", self.response_enum))
    }

    /// The argument of a parameter, `snake_name`.
    pub(super) fn param(&self, location: &str, wire: &str) -> Option<&str> {
        if let Some(name) = self.params.get(&(location.to_owned(), wire.to_owned())) {
            return Some(name);
        }
        // Header names are compared without case (the diff keys them in lower case).
        self.params
            .iter()
            .find(|((l, w), _)| {
                l == location && location == "header" && w.eq_ignore_ascii_case(wire)
            })
            .map(|(_, name)| name.as_str())
    }
}

/// The names generated for one schema.
#[derive(Debug, Clone)]
pub(super) struct TypeNames {
    /// `module::Type`.
    pub(super) path: String,
    /// Field names by wire name (objects).
    fields: HashMap<String, String>,
    /// Variant names by wire value (enums).
    variants: HashMap<String, String>,
    /// The variant that keeps unknown values (enums).
    pub(super) unknown_variant: Option<String>,
}

impl TypeNames {
    /// `module::Type.field`.
    pub(super) fn field(&self, wire: &str) -> Option<String> {
        self.fields.get(wire).map(|f| format!("{}.{f}", self.path))
    }

    /// `module::Type::Variant`.
    pub(super) fn variant(&self, wire: &str) -> Option<String> {
        self.variants
            .get(wire)
            .map(|v| format!("{}::{v}", self.path))
    }
}

impl RustNames {
    /// Builds the model of one document; when it cannot be built, explains why in `notes` and names
    /// nothing.
    pub(super) fn build(spec: &LoadedSpec, notes: &mut Vec<String>) -> Self {
        match model::build(std::slice::from_ref(spec), &RoleSelection::default()) {
            Ok(model) => Self::from_model(&model),
            Err(diags) => {
                notes.push(format!(
                    "{}: the generator's model cannot be built, so no Rust item is named for it ({} problem(s), first: {})",
                    spec.path.display(),
                    diags.0.len(),
                    diags.0.first().map(|d| d.to_string()).unwrap_or_default()
                ));
                Self::default()
            }
        }
    }

    fn from_model(model: &Model) -> Self {
        let mut names = Self::default();
        for module in model.modules.values() {
            for ty in module.types.values() {
                let path = format!("{}::{}", module.name, ty.rust_name);
                let mut t = TypeNames {
                    path,
                    fields: HashMap::new(),
                    variants: HashMap::new(),
                    unknown_variant: None,
                };
                match &ty.kind {
                    TypeKind::Object(o) => {
                        for f in &o.fields {
                            t.fields.insert(f.wire_name.clone(), f.rust_name.clone());
                        }
                    }
                    TypeKind::Enum(e) => {
                        for v in &e.variants {
                            t.variants.insert(v.wire_name.clone(), v.rust_name.clone());
                        }
                        t.unknown_variant = Some(e.unknown_variant.clone());
                    }
                    TypeKind::Union(_) | TypeKind::Alias(_) | TypeKind::Multipart(_) => {}
                }
                names.types.insert(normalize(&ty.origin.1), t);
            }
        }
        names.api = model.apis.first().map(|a| a.rust_name.clone());
        for api in &model.apis {
            for op in &api.operations {
                let suffix = api
                    .roles
                    .iter()
                    .find(|r| r.wire_name == op.role)
                    .map(|r| r.rust_suffix.clone())
                    .unwrap_or_default();
                let base = format!("{}{}", api.rust_name, suffix);
                let params = op
                    .params
                    .iter()
                    .map(|p| {
                        let location = match p.location {
                            model::ParamLocation::Path => "path",
                            model::ParamLocation::Query => "query",
                            model::ParamLocation::Header => "header",
                            model::ParamLocation::Cookie => "cookie",
                        };
                        (
                            (location.to_owned(), p.wire_name.clone()),
                            p.rust_name.clone(),
                        )
                    })
                    .collect();
                let variants = op
                    .responses
                    .iter()
                    .map(|r| (r.status, r.variant.clone()))
                    .collect();
                names.operations.insert(
                    (op.method.to_lowercase(), op.path.clone()),
                    OperationNames {
                        trait_method: format!("{base}Api::{}", op.rust_name),
                        client_method: format!("{base}Client::{}", op.rust_name),
                        response_enum: op.response_enum.clone(),
                        params,
                        variants,
                    },
                );
            }
        }
        names
    }

    pub(super) fn operation(&self, method: &str, path: &str) -> Option<&OperationNames> {
        self.operations
            .get(&(method.to_lowercase(), path.to_owned()))
    }

    /// The type generated for the schema at `pointer` (without `#`), if one is.
    pub(super) fn type_at(&self, pointer: &str) -> Option<&TypeNames> {
        self.types.get(&normalize(pointer))
    }
}

fn normalize(pointer: &str) -> String {
    pointer.trim_start_matches('#').to_owned()
}
