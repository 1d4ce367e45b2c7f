//! Model stage: self-contained OpenAPI documents → the intermediate representation that owns every
//! naming and typing decision.
//!
//! Nothing here emits tokens and nothing in `write` looks at an OpenAPI document: the model is the
//! only contract between them. Every Rust name carries the wire name it came from, and names come
//! only from spec identifiers (schema keys, property names, operationIds, status codes), never from
//! descriptions, so editing prose never renames code.

mod callbacks;
mod enforceable;
mod lower_operations;
mod lower_types;
mod media;
mod multipart;
pub mod names;
pub mod paths;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diag::Diagnostics;
use crate::read::LoadedSpec;

pub use lower_types::TypeSpace;

/// What to generate: which roles get a server trait and which a client.
#[derive(Debug, Clone, Default)]
pub struct RoleSelection {
    /// Roles whose operations get a server trait; `None` means every role.
    pub servers: Option<Vec<String>>,
    /// Roles whose operations get a client; `None` means every role.
    pub clients: Option<Vec<String>>,
}

impl RoleSelection {
    pub fn serves(&self, role: &str) -> bool {
        self.servers
            .as_ref()
            .is_none_or(|r| r.iter().any(|x| x == role))
    }
    pub fn calls(&self, role: &str) -> bool {
        self.clients
            .as_ref()
            .is_none_or(|r| r.iter().any(|x| x == role))
    }
}

/// Everything the writers need, for all specs generated together.
#[derive(Debug, Clone)]
pub struct Model {
    /// Type modules (one per API, plus one per shared file), sorted by name.
    pub modules: BTreeMap<String, TypeModule>,
    /// One entry per input spec, in input order.
    pub apis: Vec<Api>,
    /// Features of the input the generator skipped, each with where it was seen.
    pub unsupported: Vec<crate::diag::Diagnostic>,
}

/// The types of one module: an API's own schemas, or a shared document's.
#[derive(Debug, Clone)]
pub struct TypeModule {
    /// Rust module name (snake case), e.g. `common` or `product_ordering`.
    pub name: String,
    /// The document the schemas come from.
    pub source: PathBuf,
    /// Types sorted by Rust name, so output order does not depend on discovery order.
    pub types: BTreeMap<String, TypeDef>,
}

/// A reference to a type from a field, parameter or body.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    Named { module: String, name: String },
    String,
    Bool,
    I32,
    I64,
    U32,
    U64,
    F32,
    F64,
    DateTime,
    Date,
    Uuid,
    Base64,
    Any,
    Vec(Box<TypeRef>),
    Map(Box<TypeRef>),
}

impl TypeRef {
    /// True when values of this type can be written as one path, query or header value.
    pub fn is_scalar(&self) -> bool {
        !matches!(self, TypeRef::Vec(_) | TypeRef::Map(_) | TypeRef::Any)
    }
}

/// A named, generated type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub rust_name: String,
    /// The name under which poem-openapi registers the schema (unique in a served document).
    pub schema_name: String,
    pub docs: Option<String>,
    pub kind: TypeKind,
    /// Where it was defined: file and JSON pointer, for diagnostics that name both places.
    pub origin: (PathBuf, String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Object(ObjectDef),
    /// A string enumeration, open: unknown values are kept.
    Enum(EnumDef),
    Union(UnionDef),
    /// A named schema that is not an object, enum or union (`type Pets = Vec<Pet>`).
    Alias(TypeRef),
    /// The fields of a `multipart/form-data` body: files and values, each its own part.
    Multipart(MultipartDef),
}

/// A multipart body's parts, in the spec's order.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartDef {
    pub fields: Vec<PartField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartField {
    pub rust_name: String,
    pub wire_name: String,
    pub kind: PartKind,
    pub required: bool,
    pub docs: Option<String>,
}

/// How one part travels.
#[derive(Debug, Clone, PartialEq)]
pub enum PartKind {
    /// A file (`format: binary`): its bytes, file name and media type.
    File,
    /// Several files under one name (an array of `format: binary`).
    Files,
    /// A scalar, or a list of them (one part each), written as text.
    Text(TypeRef),
    /// Anything else (an object, an enumeration, a union...), written as JSON.
    Json(TypeRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDef {
    /// In the spec's order.
    pub fields: Vec<Field>,
    /// The object's own `minProperties`/`maxProperties`, when it has any.
    pub bounds: Option<PropertyBounds>,
}

/// Bounds on the number of properties of an object. poem-openapi's `Object` derive has no
/// object-level validators, so it is derived for a hidden twin of the type (`wire_type`, same
/// fields) that parses, validates and writes it; the runtime wraps the twin, checking the bounds
/// and publishing them in the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyBounds {
    pub min: Option<usize>,
    pub max: Option<usize>,
    /// The twin's name, unique in the types module.
    pub wire_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub rust_name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub docs: Option<String>,
    pub validators: Validators,
    pub default: Option<serde_json::Value>,
    pub deprecated: bool,
    /// The function giving the spec's default (`#[oai(default = "…")]`), for an optional, non-nullable
    /// property with a default: the property is then a plain value, filled with the default when
    /// absent. Unique in the types module.
    pub default_fn: Option<String>,
    /// The value is boxed (`Box<T>`): the field is on a cycle of types that hold each other by value
    /// (`Node.next: Node`), which would otherwise have an infinite size.
    pub boxed: bool,
    /// The properties the schema does not name (`additionalProperties` beside `properties`), a map
    /// flattened into the object: always its last field, so that it takes what the others left.
    pub flatten: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub variants: Vec<EnumVariant>,
    /// The name of the variant that keeps unknown values.
    pub unknown_variant: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    pub rust_name: String,
    pub wire_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    pub variants: Vec<UnionVariant>,
    /// `oneOf` (exactly one must match) rather than `anyOf`.
    pub one_of: bool,
    pub discriminator: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    /// The discriminator value when the spec maps one explicitly.
    pub mapping: Option<String>,
}

/// Validation constraints, enforced when a request is parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validators {
    pub minimum: Option<(f64, bool)>,
    pub maximum: Option<(f64, bool)>,
    pub multiple_of: Option<f64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub unique_items: bool,
    /// For maps (`additionalProperties`); an object's own bounds are in [`ObjectDef`].
    pub min_properties: Option<usize>,
    pub max_properties: Option<usize>,
    /// Constraints of array elements, when the value is an array of scalars.
    pub items: Option<Box<Validators>>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        *self == Validators::default()
    }
}

/// One input spec: its operations, grouped by role into server traits and clients.
#[derive(Debug, Clone)]
pub struct Api {
    /// PascalCase base name, e.g. `ProductOrdering`.
    pub rust_name: String,
    /// Module name, e.g. `product_ordering`.
    pub module: String,
    pub source: PathBuf,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
    pub operations: Vec<Operation>,
    /// Roles in first-seen order; an operation without a role belongs to the default role `""`.
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone)]
pub struct Role {
    /// The spec's role name (`partner`, `orange`), or `""` when the spec states none.
    pub wire_name: String,
    /// PascalCase suffix for the trait and client names (`Partner`), empty for the default role.
    pub rust_suffix: String,
    pub server: bool,
    pub client: bool,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub rust_name: String,
    pub wire_name: String,
    pub docs: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub operation_id: String,
    /// snake_case method name.
    pub rust_name: String,
    pub method: String,
    /// The spec's path template, `/pets/{petId}`.
    pub path: String,
    pub role: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub tags: Vec<String>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// The generated response enum's name, e.g. `CreateProductOrderResponse`.
    pub response_enum: String,
    /// The type of the 400 body, when the operation declares one in JSON: request errors are
    /// answered in it.
    pub bad_request_body: Option<TypeRef>,
    pub pointer: String,
    /// For a callback or webhook (the API sends it, the registered side serves it): where the client
    /// sends it. `None` for a path's operation, sent to the base URL followed by `path`.
    pub callback_url: Option<CallbackUrl>,
}

/// Where the client sends a callback or webhook.
#[derive(Debug, Clone, PartialEq)]
pub enum CallbackUrl {
    /// A callback: the URL its runtime expression makes, each expression's value an argument.
    Template {
        parts: Vec<UrlPart>,
        /// The `operationId` of the operation whose request registers the callback.
        registered_by: String,
        /// When every expression names a string property of that request's JSON body: how the client
        /// resolves the URL from that body itself.
        from_request: Option<FromRequest>,
    },
    /// A webhook: registered out of band, the client's base URL as it is.
    BaseUrl,
}

/// A client method that sends a callback to the URL resolved from the body of the request that
/// registered it, then calls the method taking the URL's arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct FromRequest {
    /// The method's name, unique among the client's methods.
    pub method: String,
    /// The registering request's body type.
    pub body: TypeRef,
    /// Per URL argument (by its `rust_name`): the body field holding its value.
    pub fields: Vec<FieldSource>,
}

/// Where the value of one URL argument is in the registering request's body.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSource {
    pub argument: String,
    pub field: String,
    pub wire_name: String,
    /// The field is an `Option` of its type (a `String` or an open enum, read with `as_str()`).
    pub optional: bool,
}

/// A piece of a callback's URL template.
#[derive(Debug, Clone, PartialEq)]
pub enum UrlPart {
    Literal(String),
    /// The value of a runtime expression (`$request.body#/callbackUrl`), given by the caller.
    Argument {
        rust_name: String,
        expression: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub rust_name: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    /// For arrays in a query: `false` means one value, its items separated as `style` says.
    pub explode: bool,
    /// How a query parameter is written (`form` for any other location).
    pub style: ParamStyle,
    pub docs: Option<String>,
    pub validators: Validators,
    pub deprecated: bool,
    /// For a list whose items carry constraints (`validators.items`): the name of the type that
    /// states them for the runtime, which checks every item (poem-openapi applies a parameter's
    /// validators to the whole list). Unique among the API's handler and server items.
    pub items_type: Option<String>,
}

/// The query styles the generated code reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// `a=1&a=2`, or `a=1,2` when not exploded; the only style of non-query parameters here.
    Form,
    /// A list in one value separated by spaces: `a=1%202`.
    SpaceDelimited,
    /// A list in one value separated by pipes: `a=1|2`.
    PipeDelimited,
    /// An object, map or list over bracketed keys: `a[key]=v`, `a[]=v`.
    DeepObject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Json,
    Form,
    Text,
    Binary,
    /// `multipart/form-data`: the body's type is a [`TypeKind::Multipart`].
    Multipart,
    /// An answer read as it comes (`text/event-stream`): a stream of bytes on both sides.
    Stream,
}

#[derive(Debug, Clone)]
pub struct Body {
    pub media: MediaKind,
    pub content_type: String,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: Option<String>,
    /// The description of the body's schema when no named type carries it (an inline array, say),
    /// and the name of the type stating it, which the runtime publishes (unique among the API's
    /// handler items).
    pub schema_docs: Option<(String, String)>,
    /// When the spec declares several media types the generated code speaks: all of them, the
    /// first of which is the one above. `None` when there is only that one.
    pub variants: Option<MediaVariants>,
    /// For a form: the fields the spec's `encoding` writes in another style than `form`.
    pub form_styles: FormStyles,
}

/// A form's fields written in another style than OpenAPI's default (`form`, exploded), by name.
pub type FormStyles = Vec<(String, ParamStyle)>;

/// The enum holding a body in any of its media types, chosen by Content-Type.
#[derive(Debug, Clone)]
pub struct MediaVariants {
    /// Unique among the API's handler items, e.g. `CreatePetRequestContent`.
    pub rust_name: String,
    pub variants: Vec<MediaVariant>,
}

#[derive(Debug, Clone)]
pub struct MediaVariant {
    /// `Json`, `Xml`, `VndApiJson`...
    pub rust_name: String,
    pub media: MediaKind,
    pub content_type: String,
    pub ty: TypeRef,
    pub form_styles: FormStyles,
}

#[derive(Debug, Clone)]
pub struct Response {
    /// `None` for the spec's `default` response.
    pub status: Option<u16>,
    pub variant: String,
    pub docs: Option<String>,
    pub body: Option<Body>,
    pub headers: Vec<ResponseHeader>,
}

#[derive(Debug, Clone)]
pub struct ResponseHeader {
    pub rust_name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: Option<String>,
}

/// Builds the model for specs generated together (they may share schema files).
pub fn build(specs: &[LoadedSpec], roles: &RoleSelection) -> Result<Model, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut space = TypeSpace::default();
    let mut apis = Vec::new();
    // Components are named before any inline schema of any spec, so that they keep their own names.
    for spec in specs {
        let module = names::module_name(spec);
        space.for_spec(spec, &module).reserve_components();
    }
    for spec in specs {
        let module = names::module_name(spec);
        let mut api_types = space.for_spec(spec, &module);
        let api = lower_operations::lower_api(spec, &module, &mut api_types, roles, &mut diags);
        apis.push(api);
    }
    let mut unsupported = std::mem::take(&mut space.unsupported);
    unsupported.extend(specs.iter().flat_map(|s| s.warnings.iter().cloned()));
    let mut modules = space.into_modules(&mut diags);
    lower_types::box_recursive_fields(&mut modules);
    lower_types::name_default_fns(&mut modules);
    for api in &mut apis {
        callbacks::resolve_from_requests(api, &modules);
    }
    enforceable::drop_unenforceable(&mut modules, &mut apis, &mut unsupported);
    unsupported.sort();
    unsupported.dedup();
    diags.into_result(Model {
        modules,
        apis,
        unsupported,
    })
}
