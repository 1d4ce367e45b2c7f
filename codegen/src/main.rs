//! `obakit-codegen generate|check|diff`: the command-line front of the generator.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use obakit_codegen::{RoleSelection, Settings, check_dir, diff, generate, write_dir};

/// Generates typed poem-openapi handler traits and reqwest clients from OpenAPI documents.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate code for SPECS into OUT (files no longer generated are removed).
    Generate(Args),
    /// Check that OUT holds exactly what `generate` would write; exit 1 and list the differences if not.
    Check(Args),
    /// Report what changed between two revisions of an API document, for the code generated from it:
    /// exit 1 when a change at or above --fail-on is found, 2 when a document cannot be read.
    Diff(DiffArgs),
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The revision your code was generated from (OpenAPI 3.0, 3.1 or Swagger 2.0, YAML or JSON).
    old: PathBuf,
    /// The new revision.
    new: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when a change at least this severe is found.
    #[arg(long, value_enum, default_value = "breaking")]
    fail_on: FailOn,
    /// A role (`x-obakit-role`) whose operations you serve (default: `partner` and operations without
    /// a role). Repeatable.
    #[arg(long = "serve", value_name = "ROLE")]
    serve: Vec<String>,
    /// A role whose operations you call (default: `orange`). Repeatable.
    #[arg(long = "call", value_name = "ROLE")]
    call: Vec<String>,
    /// Also write both documents as read (bundled, OpenAPI 3.0 JSON) into this folder as `old.json`
    /// and `new.json`, to give other diff tools the same input.
    #[arg(long, value_name = "DIR")]
    write_read: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FailOn {
    Breaking,
    Warning,
    Never,
}

fn diff(args: &DiffArgs) -> ExitCode {
    let options = diff::DiffOptions {
        serve: args.serve.clone(),
        call: args.call.clone(),
    };
    let read = |path: &PathBuf| match obakit_codegen::read::read_spec(path) {
        Ok(spec) => Ok(spec),
        Err(diags) => Err(format!("{}: cannot be read:\n{diags}", path.display())),
    };
    let (old, new) = match (read(&args.old), read(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.write_read {
        let written = std::fs::create_dir_all(dir).and_then(|()| {
            for (name, spec) in [("old.json", &old), ("new.json", &new)] {
                let text =
                    serde_json::to_string_pretty(&spec.raw).map_err(std::io::Error::other)?;
                std::fs::write(dir.join(name), text)?;
            }
            Ok(())
        });
        if let Err(e) = written {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    }
    let report = diff::diff_specs(&old, &new, &options);
    let out = match args.format {
        Format::Text => diff::report::text(&report),
        Format::Markdown => diff::report::markdown(&report),
        Format::Json => diff::report::json(&report),
    };
    print!("{out}");
    let threshold = match args.fail_on {
        FailOn::Breaking => Some(diff::Severity::Breaking),
        FailOn::Warning => Some(diff::Severity::Warning),
        FailOn::Never => None,
    };
    match (threshold, report.worst()) {
        (Some(t), Some(worst)) if worst >= t => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    }
}

#[derive(clap::Args)]
struct Args {
    /// OpenAPI 3.0, 3.1 or Swagger 2.0 documents (YAML or JSON) generated together; each becomes one API module.
    #[arg(required = true)]
    specs: Vec<PathBuf>,
    /// The output folder.
    #[arg(long, short)]
    out: PathBuf,
    /// Path of the runtime in the crate that includes the code (the `obakit-runtime` crate by default).
    #[arg(long, default_value = obakit_codegen::DEFAULT_RUNTIME_PATH)]
    runtime_path: String,
    /// Only these roles (`x-obakit-role`) get a server trait; default: every role.
    #[arg(long, value_delimiter = ',')]
    server_roles: Option<Vec<String>>,
    /// Only these roles get a client; default: every role.
    #[arg(long, value_delimiter = ',')]
    client_roles: Option<Vec<String>>,
    /// The including crate implements `FromRequestError` for the 400 bodies itself.
    #[arg(long)]
    provided_request_errors: bool,
    /// Write paths in generated files relative to this folder (default: the current folder). Specs
    /// and OUT are still found from the current folder.
    #[arg(long)]
    root: Option<PathBuf>,
}

impl Args {
    fn settings(&self) -> Settings {
        let mut settings = Settings::new(self.specs.clone());
        settings.roles = RoleSelection {
            servers: self.server_roles.clone(),
            clients: self.client_roles.clone(),
        };
        settings.write.runtime_path = self.runtime_path.clone();
        settings.write.provided_request_errors = self.provided_request_errors;
        // Specs and the output folder are found from the current folder; `--root` only decides how
        // paths are written in the generated files.
        let cwd = std::env::current_dir().unwrap_or_default();
        settings.display_root = Some(match &self.root {
            Some(root) => cwd.join(root),
            None => cwd.clone(),
        });
        settings.specs = self.specs.iter().map(|p| cwd.join(p)).collect();
        settings.write.regenerate_command = format!(
            "cargo run -p obakit-codegen -- {}",
            settings.command_line(&cwd.join(&self.out))
        );
        settings
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (args, check) = match &cli.command {
        Command::Generate(a) => (a, false),
        Command::Check(a) => (a, true),
        Command::Diff(a) => return diff(a),
    };
    let generated = match generate(&args.settings()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: generation failed:\n{e}");
            return ExitCode::from(2);
        }
    };
    for u in &generated.unsupported {
        eprintln!("warning: {u}");
    }
    if check {
        let problems = check_dir(&generated.files, &args.out);
        if problems.is_empty() {
            println!(
                "{} is up to date ({} files)",
                args.out.display(),
                generated.files.len()
            );
            return ExitCode::SUCCESS;
        }
        for p in problems {
            eprintln!("{p}");
        }
        eprintln!("run `obakit-codegen generate` with the same arguments to refresh it");
        return ExitCode::FAILURE;
    }
    match write_dir(&generated.files, &args.out) {
        Ok(()) => {
            println!(
                "wrote {} files to {}",
                generated.files.len(),
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
