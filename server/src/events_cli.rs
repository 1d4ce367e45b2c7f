//! `obakit events …`: the outbox seen from the command line — events given up on (dead) and
//! their replay.

use clap::{Args, Subcommand};

use crate::store::Store;

/// Flags of `obakit events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The server's database (as given to `obakit serve`).
    #[arg(
        long,
        env = "OBAKIT_DATABASE_URL",
        default_value = "sqlite://obakit.db",
        global = true
    )]
    pub database_url: String,
    #[command(subcommand)]
    pub command: EventsCommand,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// List events parked as dead (delivery given up), oldest first, with the last error.
    Dead {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Put dead events back in the queue; a running server delivers them with their original ids.
    Replay {
        /// Event ids to replay.
        #[arg(required_unless_present = "all")]
        ids: Vec<String>,
        /// Replay every dead event.
        #[arg(long)]
        all: bool,
        /// Send them to this Orange offer (mba2, mba2-beta) rather than the one each was queued for.
        #[arg(long)]
        offer: Option<String>,
    },
}

pub async fn run(args: EventsArgs) -> anyhow::Result<()> {
    let store = Store::connect(&args.database_url).await?;
    match args.command {
        EventsCommand::Dead { limit } => {
            let dead = store.dead_events(limit).await?;
            if dead.is_empty() {
                println!("no dead events");
            }
            for e in dead {
                println!(
                    "{}  {}  {}  attempts={}  created={}  error={}",
                    e.id,
                    e.kind,
                    e.key,
                    e.attempts,
                    e.created_at.to_rfc3339(),
                    e.last_error.unwrap_or_default()
                );
            }
        }
        EventsCommand::Replay { ids, all, offer } => {
            let ids = if all {
                store
                    .dead_events(u32::MAX)
                    .await?
                    .into_iter()
                    .map(|e| e.id)
                    .collect()
            } else {
                ids
            };
            let mut missing = Vec::new();
            for id in &ids {
                let replayed = match &offer {
                    Some(offer) => store.replay_dead_to(id, offer).await?,
                    None => store.replay_dead(id).await?,
                };
                if replayed {
                    println!("{id}: queued again");
                } else {
                    missing.push(id.clone());
                }
            }
            if !missing.is_empty() {
                anyhow::bail!(
                    "not dead (unknown, pending or delivered): {}",
                    missing.join(", ")
                );
            }
        }
    }
    store.close().await;
    Ok(())
}
