//! Bytes → the request body of a partner operation, through the whole application (routes,
//! authentication, body caps, parsing, the store on SQLite): the answer is a 2xx or a 4xx, never
//! a panic or a 5xx. The first byte picks the operation, the rest is the body (for the
//! consultation, the query string).

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use obakit_server::config::ServeConfig;
use poem::endpoint::BoxEndpoint;
use poem::http::{Method, header};
use poem::{Endpoint, Request};

struct Target {
    runtime: tokio::runtime::Runtime,
    endpoint: BoxEndpoint<'static>,
    _dir: tempfile::TempDir,
}

const OPERATIONS: [(Method, &str); 3] = [
    (Method::POST, "/productordering/v2/productOrder"),
    (Method::POST, "/userservice/v2/userService/update"),
    (Method::GET, "/userservice/v2/userService"),
];

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut config = ServeConfig {
            database_url: format!("sqlite://{}", dir.path().join("fuzz.db").display()),
            ..ServeConfig::default()
        };
        config.auth.allow_anonymous = true;
        let app = runtime
            .block_on(obakit_server::app::build(&config))
            .expect("build the application");
        Target {
            runtime,
            endpoint: app.endpoint,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (method, path) = &OPERATIONS[usize::from(pick) % OPERATIONS.len()];
    let (uri, body) = if *method == Method::GET {
        // Bytes that cannot be a query string never reach a server.
        let Ok(uri) = format!("{path}?{}", String::from_utf8_lossy(body)).parse() else {
            return;
        };
        (uri, Vec::new())
    } else {
        (path.parse().expect("a URI"), body.to_vec())
    };
    let target = target();
    let request = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body);
    let status = target
        .runtime
        .block_on(target.endpoint.call(request))
        .map(|response| response.status())
        .unwrap_or_else(|error| error.status());
    assert!(
        !status.is_server_error(),
        "{method} {path} answered {status} for {:?}",
        String::from_utf8_lossy(data)
    );
});
