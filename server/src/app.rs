//! Wiring and lifecycle: builds the store, the use cases over it (catalogue, provisioning) and
//! the routes, serves, and shuts down gracefully.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::endpoint::BoxEndpoint;
use poem::listener::{Listener, TcpListener};
use poem::{EndpointExt, Server};

use crate::admin::Admin;
use crate::config::{Mode, ServeConfig};
use crate::domain::Catalogue;
use crate::http::{
    AllowHeader, BodyLimits, InboundAuth, OperationTable, Partner, Readiness, TaskWatch,
};
use crate::metrics::{MeasuredProvisioner, MetricsServer, RequestMetrics};
use crate::outbound::{Dispatcher, DispatcherConfig, OAuthTokens, RetryPolicy, Unpublished};
use crate::provisioning::{Provisioner, RecordOnly, Webhook};
use crate::retention::{Retention, RetentionPolicy};
use crate::routes::routes_with_admin;
use crate::store::Store;
use crate::usecase::UseCases;
use crate::work::Worker;
use tokio::sync::{Notify, watch};

/// Everything `obakit serve` runs, ready to serve on any listener.
pub struct App {
    /// The partner API, the docs and the shared middleware.
    pub endpoint: BoxEndpoint<'static>,
    /// The store behind it (to close on shutdown).
    pub store: Store,
    /// The asynchronous worker and the event dispatcher, to run beside the endpoint.
    pub background: Background,
}

/// The tasks that run beside the HTTP server: asynchronous work, delivery of events to Orange,
/// pruning of delivered events and the metrics server.
pub struct Background {
    worker: Worker,
    dispatcher: Option<Dispatcher>,
    /// What `/ready` watches: the worker and the dispatcher.
    worker_watch: TaskWatch,
    dispatcher_watch: TaskWatch,
    retention: Option<Retention>,
    metrics: Option<MetricsServer>,
}

impl Background {
    /// Starts both tasks; they stop, finishing what they hold, when `stop` turns true.
    pub fn spawn(self, stop: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        // Marked running before they are spawned, so `/ready` never sees a task not yet started.
        let worker_running = self.worker_watch.running();
        let worker = self.worker;
        let worker_stop = stopped(stop.clone());
        let mut tasks = vec![tokio::spawn(async move {
            let _running = worker_running;
            worker.run(worker_stop).await
        })];
        if let Some(dispatcher) = self.dispatcher {
            let dispatcher_running = self.dispatcher_watch.running();
            let dispatcher_stop = stopped(stop.clone());
            tasks.push(tokio::spawn(async move {
                let _running = dispatcher_running;
                dispatcher.run(dispatcher_stop).await
            }));
        }
        if let Some(retention) = self.retention {
            tasks.push(tokio::spawn(retention.run(stopped(stop.clone()))));
        }
        if let Some(metrics) = self.metrics {
            tasks.push(tokio::spawn(metrics.run(stopped(stop))));
        }
        tasks
    }
}

/// Builds the application a configuration describes: connects and migrates the database,
/// loads the catalogue and the provisioner, sets up authentication, the asynchronous worker and
/// the event dispatcher.
pub async fn build(config: &ServeConfig) -> anyhow::Result<App> {
    let config = &config.resolved()?;
    let asynchronous =
        config.mode.product_ordering == Mode::Async || config.mode.user_service == Mode::Async;
    let orange = &config.orange;
    let credentials = orange
        .client_id
        .as_deref()
        .zip(orange.client_secret.as_deref());
    if asynchronous && credentials.is_none() {
        // An `acknowledged` answer promises an event: refuse to start rather than promise one
        // that can never be sent.
        anyhow::bail!(
            "asynchronous mode sends events to Orange: set --orange-client-id and --orange-client-secret \
             (and --orange-gateway-url, e.g. http://127.0.0.1:8090 for `obakit mock-orange`)"
        );
    }
    let auth = inbound_auth(config)?;
    let cases = connect_use_cases(config).await?;
    let store = cases.store().clone();
    let work = Arc::new(Notify::new());
    let events_ready = Arc::new(Notify::new());
    let partner =
        Arc::new(Partner::new(cases.clone(), config.mode.clone()).with_work_signal(work.clone()));
    let limits = BodyLimits {
        product_order: config.limits.product_order_bytes,
        user_service_update: config.limits.user_service_update_bytes,
        other: config.limits.other_bytes,
    };
    let dispatcher = match credentials {
        Some((id, secret)) => {
            let tokens = OAuthTokens::new(&orange.gateway_url, reqwest::Client::new(), id, secret)?;
            let dispatcher_config = DispatcherConfig {
                gateway_url: orange.gateway_url.clone(),
                offer: orange.offer.clone(),
                retry: RetryPolicy {
                    max_attempts: orange.max_attempts,
                    ..RetryPolicy::default()
                },
                request_timeout: Duration::from_millis(orange.request_timeout_ms),
                // A claim outlives the longest delivery, so two dispatchers never send one event at once.
                lease: Duration::from_millis(orange.request_timeout_ms) + Duration::from_secs(5),
                unpublished: Unpublished {
                    horizon: Duration::from_secs(orange.unpublished_horizon_hours * 3600),
                    ..Unpublished::default()
                },
                ..DispatcherConfig::default()
            };
            tracing::info!(gateway = %orange.gateway_url, offer = %orange.offer, "events to Orange enabled");
            Some(Dispatcher::new(
                store.clone(),
                dispatcher_config,
                Arc::new(tokens),
                events_ready.clone(),
            )?)
        }
        None => {
            tracing::warn!(
                "no Orange client credentials: events (partner changes) are kept in the outbox, not sent"
            );
            None
        }
    };
    let admin = Admin::from_config(&config.admin, &auth, cases.clone(), events_ready.clone())?;
    if admin.is_some() {
        tracing::info!("admin API enabled under /admin");
    }
    let worker = Worker::new(cases, work, events_ready);
    let worker_watch = TaskWatch::new("worker");
    let dispatcher_watch = TaskWatch::new("dispatcher");
    let mut watched = vec![worker_watch.clone()];
    if dispatcher.is_some() {
        watched.push(dispatcher_watch.clone());
    }
    let admin_operations = match &admin {
        Some(_) => <crate::admin::AdminApi as poem_openapi::OpenApi>::meta(),
        None => Vec::new(),
    };
    let operations = Arc::new(OperationTable::served(admin_operations));
    let metrics = match config.metrics_listen {
        Some(addr) => Some(MetricsServer::bind(addr, store.clone()).await?),
        None => None,
    };
    let retention = RetentionPolicy::from_config(&config.retention)
        .map(|policy| Retention::new(store.clone(), policy));
    // Boxed here so that the middleware below moves a pointer to the routes' future, not the
    // future itself: each layer's future holds its inner one, and unboxed the whole stack was
    // copied once per layer on every request (a tenth of the CPU of `/ping`, bench/run).
    let endpoint = routes_with_admin(partner, auth, limits, admin)
        .boxed()
        .with(Readiness::new(store.clone(), watched))
        .with(AllowHeader::new(operations.clone()));
    let endpoint = if metrics.is_some() {
        endpoint
            .with(RequestMetrics::new(operations))
            .map_to_response()
            .boxed()
    } else {
        endpoint.map_to_response().boxed()
    };
    Ok(App {
        endpoint,
        store,
        background: Background {
            worker,
            dispatcher,
            worker_watch,
            dispatcher_watch,
            retention,
            metrics,
        },
    })
}

/// Serves until SIGTERM or Ctrl-C: in-flight requests get time to finish, then the background
/// tasks finish what they hold. Nothing acknowledged is lost either way: it is in the store.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let app = build(&config).await?;
    let (stop, stopping) = watch::channel(false);
    let background = app.background.spawn(stopping);
    let listener = match crate::tls::TlsFiles::from_config(&config.tls) {
        Some(files) => TcpListener::bind(config.listen)
            .rustls(files.watch()?)
            .boxed(),
        None => TcpListener::bind(config.listen).boxed(),
    };
    let scheme = if config.tls.is_enabled() {
        "https"
    } else {
        "http"
    };
    tracing::info!(listen = %config.listen, docs = %format!("{scheme}://{}/docs", config.listen), "obakit serving");
    let served = Server::new(listener)
        .run_with_graceful_shutdown(
            app.endpoint,
            crate::shutdown::signal(),
            Some(Duration::from_secs(30)),
        )
        .await
        .with_context(|| format!("serving on {}", config.listen));
    let _ = stop.send(true);
    for task in background {
        let _ = task.await;
    }
    app.store.close().await;
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// The use cases over the configured database, with the catalogue and the provisioner.
async fn connect_use_cases(config: &ServeConfig) -> anyhow::Result<UseCases> {
    let shown_url = without_password(&config.database_url);
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {shown_url}"))?
        .with_event_offer(&config.orange.offer);
    let backend = store.backend();
    let cases = UseCases::new(store).with_catalogue(catalogue(config));
    let (provisioner, provisioning): (Arc<dyn Provisioner>, _) =
        match &config.provisioning.webhook_url {
            Some(url) => (
                Arc::new(Webhook::new(url, config.provisioning.webhook_timeout())?),
                "webhook",
            ),
            None => (Arc::new(RecordOnly), "record only"),
        };
    let cases = if config.metrics_listen.is_some() {
        cases.with_provisioner(Arc::new(MeasuredProvisioner::new(provisioner)))
    } else {
        cases.with_provisioner(provisioner)
    };
    tracing::info!(
        database = %shown_url,
        backend = ?backend,
        catalogue = if config.catalogue.is_empty() { "open (every offer code)".to_owned() } else { format!("{} offer codes", config.catalogue.len()) },
        provisioning,
        "store ready"
    );
    Ok(cases)
}

/// The database URL fit for logs: a PostgreSQL password is never written out.
fn without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The configured credentials; with none and no explicit anonymous access, generated ones.
fn inbound_auth(config: &ServeConfig) -> anyhow::Result<InboundAuth> {
    let a = &config.auth;
    let mut auth = InboundAuth {
        basic: a.basic_user.clone().zip(a.basic_password.clone()),
        api_key: a
            .api_key
            .clone()
            .map(|k| (a.api_key_header().to_owned(), k)),
        bearer: a.bearer_token.clone(),
        allow_anonymous: a.allow_anonymous,
        admin_delegated: false,
    };
    if a.allow_anonymous {
        tracing::warn!("anonymous access is allowed: every caller is accepted");
    } else if !a.has_credentials() {
        let path = a
            .credentials_file
            .clone()
            .unwrap_or_else(|| default_credentials_file(&config.database_url));
        let (user, password) = crate::credentials::load_or_create(&path)?;
        auth.basic = Some((user, password));
    }
    Ok(auth)
}

fn default_credentials_file(database_url: &str) -> PathBuf {
    let sqlite_file = database_url
        .strip_prefix("sqlite://")
        .map(|rest| rest.split('?').next().unwrap_or(rest));
    match sqlite_file.map(Path::new).and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("obakit-credentials.toml"),
        _ => PathBuf::from("obakit-credentials.toml"),
    }
}

/// The offers the partner sells, with what the profile requires of them.
fn catalogue(config: &ServeConfig) -> Catalogue {
    let mut catalogue = Catalogue::new(config.catalogue.clone());
    if let Some(profile) = &config.profile {
        for (code, offer) in &profile.offers {
            catalogue = catalogue.requiring(code, offer.characteristics.clone());
        }
        if !profile.features.offer_swap {
            catalogue = catalogue.without_swap();
        }
    }
    catalogue
}
