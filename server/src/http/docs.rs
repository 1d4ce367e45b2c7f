//! Swagger UI and the OpenAPI documents, served by the binary itself and working offline.
//!
//! The documents are poem-openapi's, completed with what only the running server knows: the
//! inbound security schemes that are configured (HTTP Basic, the API key and its header, a bearer
//! token), so Swagger UI's "Authorize" works and "Try it out" calls succeed (and a refused one
//! shows its 401 on the page rather than the browser's login prompt); `GET /ping` marked as
//! needing none. Tags that no served operation uses (those of Orange-side operations, which
//! the partner calls rather than serves) are left out, so the UI shows no empty sections.

use std::collections::BTreeSet;

use poem::endpoint::{BoxEndpoint, make_sync};
use poem::web::Html;
use poem::{EndpointExt, IntoResponse, Response, Route};
use poem_openapi::{OpenApi, OpenApiService};
use serde_json::{Value, json};

use crate::inbound_auth::InboundAuth;

pub(crate) const DESCRIPTION: &str = "Orange Business Applications partner API (ProductOrdering v2, UserService v2), \
served by obakit. Orange calls these operations; the partner answers synchronously or acknowledges and sends an event.";

/// The names the spec gives the inbound schemes (`spec/*.yaml`, `security`).
const BASIC: &str = "partnerBasic";
const API_KEY: &str = "partnerApiKey";
const BEARER: &str = "partnerBearer";

/// Operations that need no credentials (see `InboundAuth`).
const PUBLIC_PATHS: &[&str] = &["/ping"];

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

pub(crate) struct Docs {
    pub(crate) ui: BoxEndpoint<'static>,
    pub(crate) json: BoxEndpoint<'static>,
    pub(crate) yaml: BoxEndpoint<'static>,
}

impl Docs {
    pub(crate) fn new<T: OpenApi + 'static, W: poem_openapi::Webhook + 'static>(
        service: &OpenApiService<T, W>,
        auth: &InboundAuth,
    ) -> Self {
        let original = service.spec();
        let mut document: Value = serde_json::from_str(&original).unwrap_or_default();
        declare_security(&mut document, auth);
        drop_unused_tags(&mut document);
        let json_text = serde_json::to_string_pretty(&document).unwrap_or(original.clone());
        let yaml_text = serde_yaml::to_string(&document).unwrap_or_default();
        // poem-openapi's page embeds the document it was given, once: put ours in its place.
        let html = service.swagger_ui_html();
        let html = if html.contains(&original) {
            html.replacen(&original, &json_text, 1)
        } else {
            tracing::warn!("Swagger UI page left with poem-openapi's document");
            html
        };
        let html = without_browser_credentials(&html).unwrap_or_else(|| {
            tracing::warn!("Swagger UI page left sending the browser's own credentials");
            html
        });
        Self {
            ui: Route::new()
                .at("/", make_sync(move |_| Html(html.clone())))
                .map_to_response()
                .boxed(),
            json: make_sync(move |_| text_response(&json_text, "application/json; charset=utf-8"))
                .boxed(),
            yaml: make_sync(move |_| text_response(&yaml_text, "application/yaml; charset=utf-8"))
                .boxed(),
        }
    }
}

/// Where poem-openapi's page configures Swagger UI (`SwaggerUIBundle({ ... })`).
const SWAGGER_UI_OPTION: &str = "deepLinking: true,";

/// Makes "Try it out" send no credentials of the browser's own. A 401 carries
/// `WWW-Authenticate: Basic` (for curl and the like), and a browser answers that, on a request
/// sent with its credentials, with its own login prompt over the page: a wrong key typed in the
/// Authorize dialog then ends in that prompt instead of the 401 on the page (and a headless
/// browser waits forever). Swagger UI puts what the Authorize dialog holds in the request's
/// headers itself, so leaving out the browser's credentials loses nothing. `None` when the page
/// has no such option to attach it to.
fn without_browser_credentials(html: &str) -> Option<String> {
    html.contains(SWAGGER_UI_OPTION).then(|| {
        html.replacen(
            SWAGGER_UI_OPTION,
            &format!(
                "{SWAGGER_UI_OPTION}\n        requestInterceptor: (request) => {{ request.credentials = \"omit\"; return request; }},"
            ),
            1,
        )
    })
}

fn text_response(body: &str, content_type: &'static str) -> Response {
    body.to_owned()
        .with_content_type(content_type)
        .into_response()
}

/// Adds the configured inbound schemes to `components.securitySchemes`, requires any one of them
/// at the top level (none when anonymous calls are allowed too), and marks public operations.
fn declare_security(document: &mut Value, auth: &InboundAuth) {
    let mut schemes = Vec::new();
    if auth.basic.is_some() {
        schemes.push((
            BASIC,
            json!({"type": "http", "scheme": "basic",
                   "description": "HTTP Basic, with the user and password configured for Orange."}),
        ));
    }
    if let Some((header, _)) = &auth.api_key {
        schemes.push((
            API_KEY,
            json!({"type": "apiKey", "in": "header", "name": header,
                   "description": "The API key configured for Orange."}),
        ));
    }
    if auth.bearer.is_some() {
        schemes.push((
            BEARER,
            json!({"type": "http", "scheme": "bearer",
                   "description": "The bearer token configured for Orange."}),
        ));
    }
    let Some(root) = document.as_object_mut() else {
        return;
    };
    if !schemes.is_empty() {
        let components = root
            .entry("components")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        if let Some(components) = components {
            let declared = components
                .entry("securitySchemes")
                .or_insert_with(|| json!({}));
            if let Some(declared) = declared.as_object_mut() {
                for (name, scheme) in &schemes {
                    declared.insert((*name).to_owned(), scheme.clone());
                }
            }
        }
        let mut requirements: Vec<Value> = schemes
            .iter()
            .map(|(name, _)| json!({ *name: [] }))
            .collect();
        if auth.allow_anonymous {
            requirements.push(json!({}));
        }
        root.insert("security".to_owned(), Value::Array(requirements));
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for path in PUBLIC_PATHS {
            if let Some(item) = paths.get_mut(*path).and_then(Value::as_object_mut) {
                for method in HTTP_METHODS {
                    if let Some(operation) = item.get_mut(*method).and_then(Value::as_object_mut) {
                        operation.insert("security".to_owned(), json!([]));
                    }
                }
            }
        }
    }
}

/// Removes the tags no operation of the document uses.
fn drop_unused_tags(document: &mut Value) {
    let mut used = BTreeSet::new();
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for method in HTTP_METHODS {
                let tags = item
                    .get(*method)
                    .and_then(|operation| operation.get("tags"))
                    .and_then(Value::as_array);
                for tag in tags.into_iter().flatten() {
                    if let Some(tag) = tag.as_str() {
                        used.insert(tag.to_owned());
                    }
                }
            }
        }
    }
    if let Some(tags) = document.get_mut("tags").and_then(Value::as_array_mut) {
        tags.retain(|tag| {
            tag.get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| used.contains(name))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_schemes_are_declared_and_ping_needs_none() {
        let mut document = json!({"paths": {"/ping": {"get": {}}, "/x": {"post": {}}}});
        let auth = InboundAuth {
            api_key: Some(("X-API-Key".into(), "k".into())),
            bearer: Some("t".into()),
            ..InboundAuth::default()
        };
        declare_security(&mut document, &auth);
        let schemes = &document["components"]["securitySchemes"];
        assert_eq!(schemes[API_KEY]["name"], "X-API-Key");
        assert_eq!(schemes[BEARER]["scheme"], "bearer");
        assert!(schemes.get(BASIC).is_none(), "Basic is not configured");
        assert_eq!(document["security"], json!([{API_KEY: []}, {BEARER: []}]));
        assert_eq!(document["paths"]["/ping"]["get"]["security"], json!([]));
        assert!(document["paths"]["/x"]["post"].get("security").is_none());
    }

    #[test]
    fn the_swagger_ui_page_sends_no_browser_credentials() {
        struct Api;
        #[poem_openapi::OpenApi]
        impl Api {
            #[oai(path = "/ping", method = "get")]
            async fn ping(&self) {}
        }
        // poem-openapi's own page, so an upgrade that moves the option is caught here.
        let html = OpenApiService::new(Api, "t", "1").swagger_ui_html();
        let page = without_browser_credentials(&html).expect("the option to attach to");
        assert_eq!(page.matches("request.credentials = \"omit\"").count(), 1);
        assert!(page.contains("SwaggerUIBundle({"));
    }

    #[test]
    fn tags_without_operations_are_left_out() {
        let mut document = json!({
            "tags": [{"name": "Used"}, {"name": "Authentication"}],
            "paths": {"/a": {"get": {"tags": ["Used"]}}}
        });
        drop_unused_tags(&mut document);
        assert_eq!(document["tags"], json!([{"name": "Used"}]));
    }
}
