//! obakit-bench: how fast obakit is, measured against baselines taken in the same run.
//!
//! This machine (and any CI runner) is shared and noisy, so no absolute time is trusted: every
//! figure is measured back to back with its baseline, several rounds, and the table gives the
//! medians and the median of the per-round ratios. `bench/run` builds in release mode, installs a
//! load generator if none is there, and runs `obakit-bench run`; the other subcommands are the
//! pieces it starts (in-process baselines pinned beside the server).
//!
//! The server under test and every baseline standing in for it run pinned to one CPU
//! (`--server-cpu`, default 1); load generators and the mock gateway to another (`--load-cpu`,
//! default 0).

mod baseline;
mod codegen;
mod db;
mod events;
mod load;
mod procs;
mod report;
mod server;
mod slow_provisioning;
mod soak;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::db::Backend;
use crate::report::Figure;

#[derive(Debug, Parser)]
#[command(
    name = "obakit-bench",
    about = "obakit's benchmarks, each against a baseline measured in the same run"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the benchmarks and prints one line per figure (what bench/run calls).
    Run(Box<RunArgs>),
    /// One in-process baseline (started by `run`, pinned beside the server).
    Baseline(baseline::BaselineArgs),
}

/// Groups of figures `--only` can select.
const GROUPS: &[&str] = &[
    "codegen",
    "build",
    "http",
    "fleet",
    "writes",
    "provisioning",
    "events",
    "soak",
];

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Databases to run the server figures on.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backends: Vec<String>,
    /// PostgreSQL to use (a schema `obakit_bench_*` is made in it and dropped afterwards).
    #[arg(
        long,
        env = "OBAKIT_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// Only these groups: codegen, build, http, fleet, writes, provisioning, events, soak (the
    /// soak runs only when named).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Rounds per figure (each round measures the figure and its baseline back to back).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Seconds of each throughput run.
    #[arg(long, default_value_t = 8)]
    seconds: u64,
    /// Connections of each throughput run.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Fewer samples everywhere: a smoke run in about a third of the time.
    #[arg(long)]
    quick: bool,
    /// Load generator, when both are installed: oha or wrk.
    #[arg(long, env = "OBAKIT_BENCH_TOOL")]
    tool: Option<String>,
    /// CPU the server and the baselines standing in for it are pinned to.
    #[arg(long, default_value_t = 1)]
    server_cpu: usize,
    /// CPU the load generators and the mock gateway are pinned to.
    #[arg(long, default_value_t = 0)]
    load_cpu: usize,
    /// Do not pin processes to CPUs.
    #[arg(long)]
    no_pin: bool,
    /// First of the loopback ports used (server, hyper, mock gateway: this one and the next ones).
    #[arg(long, default_value_t = 18080)]
    port: u16,
    /// The repository (spec/, api/, codegen/); default: the current folder.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The OpenAPI corpus the generator is timed on [default: ../shared/openapi-corpus, beside the
    /// repository].
    #[arg(long, env = "OBAKIT_BENCH_CORPUS")]
    corpus: Option<PathBuf>,
    /// RUST_LOG of the servers under test [default: unset, the shipped default (info)].
    #[arg(long)]
    server_log: Option<String>,
    /// Where databases, logs and the copy of the tree for build timings go.
    #[arg(long, default_value = "target/bench")]
    work: PathBuf,
    /// Minutes of the soak, per backend.
    #[arg(long, default_value_t = 30)]
    soak_minutes: u64,
    /// Also write the table here.
    #[arg(long)]
    output: Option<PathBuf>,
    /// openapi-generator's jar, the generator obakit's is set beside (`bench/run` installs the
    /// `openapi-generator-cli` wheel and passes its jar); without it those figures are not measured.
    #[arg(long, env = "OBAKIT_BENCH_OPENAPI_GENERATOR_JAR")]
    openapi_generator_jar: Option<PathBuf>,
    /// The `obakit-codegen` binary set beside openapi-generator [default: the one beside this
    /// binary, which bench/run builds in release mode].
    #[arg(long, env = "OBAKIT_BENCH_CODEGEN")]
    obakit_codegen: Option<PathBuf>,
    /// The `obakit` server binary under test [default: the one beside this binary, which bench/run
    /// builds in release mode]. Another build (an earlier commit's) gives a before/after table
    /// against the same baselines.
    #[arg(long, env = "OBAKIT_BENCH_SERVER")]
    obakit: Option<PathBuf>,
    /// The Java that runs openapi-generator.
    #[arg(long, env = "OBAKIT_BENCH_JAVA", default_value = "java")]
    java: PathBuf,
    /// Seconds one generation (either generator) may take before it is stopped.
    #[arg(long, default_value_t = 600)]
    generate_cap_seconds: u64,
    /// Seconds one `cargo check` of a generated crate may take before it is stopped and reported as
    /// over the cap.
    #[arg(long, default_value_t = 900)]
    check_cap_seconds: u64,
    /// Resident megabytes a generation or a `cargo check` (cargo and rustc together) may reach
    /// before it is stopped and reported as over the cap.
    #[arg(long, default_value_t = 8000)]
    check_cap_mb: u64,
}

/// What every part of a run needs.
pub(crate) struct Ctx {
    pub(crate) root: PathBuf,
    pub(crate) corpus: PathBuf,
    pub(crate) work: PathBuf,
    /// The release `obakit` binary.
    pub(crate) obakit: PathBuf,
    /// The bare hyper server.
    pub(crate) hyper: PathBuf,
    /// This binary, for the baselines.
    pub(crate) me: PathBuf,
    pub(crate) tool: Option<load::Tool>,
    pub(crate) server_cpu: Option<usize>,
    pub(crate) load_cpu: Option<usize>,
    pub(crate) rounds: usize,
    pub(crate) throughput_for: Duration,
    pub(crate) connections: usize,
    pub(crate) quick: bool,
    pub(crate) postgres_url: String,
    pub(crate) port: u16,
    /// RUST_LOG for `obakit serve`, when not the shipped default.
    pub(crate) server_log: Option<String>,
    pub(crate) versus: Versus,
}

/// What the side-by-side generator figures need.
pub(crate) struct Versus {
    /// The release `obakit-codegen` binary.
    pub(crate) obakit_codegen: PathBuf,
    pub(crate) java: PathBuf,
    pub(crate) jar: Option<PathBuf>,
    pub(crate) generate_cap: codegen::Cap,
    pub(crate) check_cap: codegen::Cap,
}

impl Ctx {
    /// A sample count: `full`, or a third of it (at least `min`) in a quick run.
    pub(crate) fn samples(&self, full: usize, min: usize) -> usize {
        if self.quick {
            (full / 3).max(min)
        } else {
            full
        }
    }
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Baseline(args) => baseline::run(args),
        Command::Run(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(run(*args)),
    }
}

/// openapi-generator, and obakit's own generator binary, for the side-by-side figures.
fn anchor(ctx: &Ctx) -> anyhow::Result<codegen::Anchor> {
    anyhow::ensure!(
        ctx.versus.obakit_codegen.is_file(),
        "{} must be built (cargo build --release -p obakit-codegen)",
        ctx.versus.obakit_codegen.display()
    );
    let jar = ctx.versus.jar.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "no openapi-generator jar: bench/run installs it, or give --openapi-generator-jar"
        )
    })?;
    codegen::Anchor::new(&ctx.versus.java, jar)
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    for group in &args.only {
        anyhow::ensure!(
            GROUPS.contains(&group.as_str()),
            "unknown group {group}; groups: {}",
            GROUPS.join(", ")
        );
    }
    let named = |group: &str| args.only.iter().any(|g| g == group);
    // The soak takes half an hour per backend: only when asked for by name.
    let wanted = |group: &str| (args.only.is_empty() && group != "soak") || named(group);
    let me = std::env::current_exe()?;
    let bin_dir = me
        .parent()
        .ok_or_else(|| anyhow::anyhow!("no folder for {}", me.display()))?;
    let server_groups = ["http", "fleet", "writes", "provisioning", "events", "soak"];
    let tool = if wanted("http") {
        Some(load::Tool::find(args.tool.as_deref())?)
    } else {
        None
    };
    let pin = !args.no_pin && procs::have_taskset();
    let root = std::path::absolute(&args.root)?;
    let corpus = match &args.corpus {
        Some(corpus) => root.join(corpus),
        None => root.join("../shared/openapi-corpus"),
    };
    let ctx = Ctx {
        corpus,
        server_log: args.server_log.clone(),
        work: root.join(&args.work),
        root,
        obakit: args
            .obakit
            .clone()
            .unwrap_or_else(|| bin_dir.join("obakit")),
        hyper: bin_dir.join("obakit-bench-hyper"),
        me: me.clone(),
        tool,
        server_cpu: pin.then_some(args.server_cpu),
        load_cpu: pin.then_some(args.load_cpu),
        rounds: if args.quick { 1 } else { args.rounds.max(1) },
        throughput_for: Duration::from_secs(if args.quick { 3 } else { args.seconds }),
        connections: args.connections,
        quick: args.quick,
        postgres_url: args.postgres_url.clone(),
        port: args.port,
        versus: Versus {
            obakit_codegen: args
                .obakit_codegen
                .clone()
                .unwrap_or_else(|| bin_dir.join("obakit-codegen")),
            java: args.java.clone(),
            jar: args.openapi_generator_jar.clone(),
            generate_cap: codegen::Cap {
                time: Duration::from_secs(args.generate_cap_seconds),
                bytes: args.check_cap_mb * 1_000_000,
            },
            check_cap: codegen::Cap {
                time: Duration::from_secs(args.check_cap_seconds),
                bytes: args.check_cap_mb * 1_000_000,
            },
        },
    };
    if server_groups.iter().any(|g| wanted(g)) {
        anyhow::ensure!(
            ctx.obakit.is_file() && ctx.hyper.is_file(),
            "{} and {} must be built (cargo build --release -p obakit-server -p obakit-bench)",
            ctx.obakit.display(),
            ctx.hyper.display()
        );
    }
    eprintln!(
        "obakit-bench: {} round(s) per figure; server on CPU {}, load on CPU {}; load tool {}",
        ctx.rounds,
        ctx.server_cpu.map_or("any".to_owned(), |c| c.to_string()),
        ctx.load_cpu.map_or("any".to_owned(), |c| c.to_string()),
        ctx.tool.as_ref().map_or("-", |t| t.name()),
    );

    let mut figures: Vec<Figure> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    // The generator's figures, then the same set beside openapi-generator's; the build group's
    // side-by-side checks come before the incremental build, which first builds every dependency.
    let anchor = (wanted("codegen") || wanted("build")).then(|| anchor(&ctx));
    let anchor = match anchor {
        Some(Ok(anchor)) => Some(anchor),
        Some(Err(e)) => {
            problems.push(format!("side by side with openapi-generator: {e:#}"));
            None
        }
        None => None,
    };
    if wanted("codegen") {
        match codegen::generation(&ctx) {
            Ok(f) => figures.extend(f),
            Err(e) => problems.push(format!("generator: {e:#}")),
        }
        if let Some(anchor) = &anchor {
            match codegen::generation_side_by_side(&ctx, anchor) {
                Ok(f) => figures.extend(f),
                Err(e) => problems.push(format!("generation side by side: {e:#}")),
            }
        }
    }
    if wanted("build") {
        if let Some(anchor) = &anchor {
            match codegen::check_side_by_side(&ctx, anchor) {
                Ok(f) => figures.extend(f),
                Err(e) => problems.push(format!("cargo check side by side: {e:#}")),
            }
        }
        match codegen::incremental_build(&ctx) {
            Ok(f) => figures.extend(f),
            Err(e) => problems.push(format!("incremental build: {e:#}")),
        }
    }
    for name in &args.backends {
        let backend = match name.as_str() {
            "sqlite" => Backend::Sqlite,
            "postgres" | "postgresql" => Backend::Postgres,
            other => anyhow::bail!("unknown backend {other}: sqlite or postgres"),
        };
        if ["http", "fleet", "writes"].iter().any(|g| wanted(g)) {
            match server::figures(&ctx, backend, &wanted).await {
                Ok(f) => figures.extend(f),
                Err(e) => problems.push(format!("server on {}: {e:#}", backend.name())),
            }
        }
        if wanted("provisioning") {
            match slow_provisioning::figures(&ctx, backend).await {
                Ok(f) => figures.extend(f),
                Err(e) => problems.push(format!("slow provisioning on {}: {e:#}", backend.name())),
            }
        }
        if wanted("events") {
            match events::figures(&ctx, backend).await {
                Ok(f) => figures.extend(f),
                Err(e) => problems.push(format!("events on {}: {e:#}", backend.name())),
            }
        }
        if wanted("soak") {
            let duration = Duration::from_secs(args.soak_minutes.max(1) * 60);
            match soak::figures(&ctx, backend, duration).await {
                Ok(f) => figures.extend(f),
                Err(e) => problems.push(format!("soak on {}: {e:#}", backend.name())),
            }
        }
    }

    let mut table = String::new();
    table.push_str(&report::header());
    table.push('\n');
    for figure in &figures {
        table.push_str(&figure.line());
        table.push('\n');
    }
    let missed = figures.iter().filter(|f| f.met() == Some(false)).count();
    let with_target = figures.iter().filter(|f| f.met().is_some()).count();
    table.push_str(&format!(
        "{} figures, {} with a target: {} met, {missed} missed (medians of {} round(s); ratio = median of per-round value/baseline)\n",
        figures.len(),
        with_target,
        with_target - missed,
        ctx.rounds
    ));
    for problem in &problems {
        table.push_str(&format!("NOT MEASURED: {problem}\n"));
    }
    println!("\n{table}");
    if let Some(path) = &args.output {
        std::fs::write(path, &table)?;
    }
    if !problems.is_empty() {
        anyhow::bail!("{} part(s) could not be measured", problems.len());
    }
    Ok(())
}
