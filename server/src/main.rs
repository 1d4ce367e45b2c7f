//! `obakit`: parses the command line, starts logging and runs the chosen subcommand.

use clap::Parser;
use obakit_server::cli::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _log = obakit_server::telemetry::init();
    match Cli::parse().command {
        Command::Serve(args) => obakit_server::app::serve(args.into_config()?).await,
        Command::Events(args) => obakit_server::events_cli::run(args).await,
        Command::License(args) => obakit_server::admin::cli::run(args).await,
        Command::Simulate(args) => obakit_server::simulate::run_cli(*args).await,
        Command::MockOrange(args) => {
            let (listen, config) = args.into_config();
            Ok(obakit_server::mock_orange::serve(listen, config).await?)
        }
    }
}
