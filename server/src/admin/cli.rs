//! `obakit license …`: the admin API's license changes from the command line, working on the
//! database directly (like `obakit events`). The change and its `updateNotification` are stored
//! in one transaction; a running `obakit serve` delivers the event at its next poll.
//!
//! Inputs are built as the API's JSON bodies and parsed with the same schema, so the command
//! line accepts exactly what the API accepts (and what Orange will accept in the event).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use obakit_api::common::types::{Individual, RealizingResource};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use serde_json::{Map, Value, json};

use super::changes::{LicenseEdit, Refusal, apply};
use super::types::{self, AdminCharacteristicValue, AdminLicenseChanged, AdminLogin};
use crate::domain::{LicenseId, PartnerChange};
use crate::provisioning::Webhook;
use crate::store::Store;
use crate::usecase::UseCases;

/// Flags of `obakit license`.
#[derive(Debug, Args)]
pub struct LicenseArgs {
    /// The server's database (as given to `obakit serve`).
    #[arg(
        long,
        env = "OBAKIT_DATABASE_URL",
        default_value = "sqlite://obakit.db",
        global = true
    )]
    pub database_url: String,
    /// Provisioning webhook told of the change before it is stored, as `obakit serve` does
    /// (unset: record only).
    #[arg(long, env = "OBAKIT_PROVISIONING_WEBHOOK_URL", global = true)]
    pub provisioning_webhook_url: Option<String>,
    /// Provisioning webhook timeout in milliseconds.
    #[arg(
        long,
        env = "OBAKIT_PROVISIONING_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub provisioning_webhook_timeout_ms: u64,
    #[command(subcommand)]
    pub command: LicenseCommand,
}

/// Each command prints the license as it now is, the operation and the id of the queued event
/// (the admin API's answer, as JSON).
#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Set the end user (endUserOperation add when there is none, modify otherwise).
    SetEndUser {
        /// The license id.
        id: String,
        #[arg(long)]
        given_name: Option<String>,
        #[arg(long)]
        family_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Mobile number as COUNTRY_CODE:NUMBER, e.g. 33:612345678.
        #[arg(long, value_name = "CC:SN")]
        mobile: Option<String>,
        /// Orange's id of the person.
        #[arg(long)]
        external_reference: Option<String>,
        /// The partner's id of the end user [default: kept, or made for a new one].
        #[arg(long)]
        end_user_id: Option<String>,
    },
    /// Remove the end user (endUserOperation delete).
    RemoveEndUser {
        /// The license id.
        id: String,
    },
    /// Set the realizing resource (realizingResourceOperation modify).
    SetRealizingResource {
        /// The license id.
        id: String,
        /// Its type: URL, email, phone number, IMEI…
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        /// A characteristic of it as NAME=VALUE (repeat for several; at least one).
        #[arg(long = "characteristic", value_name = "NAME=VALUE", required = true)]
        characteristics: Vec<String>,
    },
    /// Set the login (rightOperation add for a first login, modify afterwards).
    SetLogin {
        /// The license id.
        id: String,
        /// `login` or `organizationCode`.
        #[arg(long, value_parser = ["login", "organizationCode"])]
        key: String,
        #[arg(long)]
        value: String,
        /// Where Orange sends the login and password.
        #[arg(long)]
        email: Option<String>,
    },
    /// Add or modify a characteristic (serviceCharacteristicOperation add or modify).
    SetCharacteristic {
        /// The license id.
        id: String,
        name: String,
        value: String,
    },
    /// Delete a characteristic (serviceCharacteristicOperation delete).
    DeleteCharacteristic {
        /// The license id.
        id: String,
        name: String,
    },
}

pub async fn run(args: LicenseArgs) -> anyhow::Result<()> {
    let (id, edit) = edit_of(args.command)?;
    let store = Store::connect(&args.database_url)
        .await
        .context("opening the database")?;
    let mut cases = UseCases::new(store.clone());
    if let Some(url) = &args.provisioning_webhook_url {
        let timeout = Duration::from_millis(args.provisioning_webhook_timeout_ms);
        cases = cases.with_provisioner(Arc::new(Webhook::new(url, timeout)?));
    }
    let outcome = apply(&cases, &LicenseId::from(id.as_str()), &edit).await;
    store.close().await;
    let edited = match outcome {
        Ok(edited) => edited,
        Err(Refusal::NotFound(why) | Refusal::Conflict(why)) => anyhow::bail!("{why}"),
        Err(Refusal::Refused(why)) => anyhow::bail!("refused by provisioning: {why}"),
        Err(Refusal::Internal(failure)) => {
            return Err(anyhow::Error::new(failure).context("changing the license"));
        }
    };
    let answer = AdminLicenseChanged::of(&edited);
    println!(
        "{}",
        serde_json::to_string_pretty(&answer.to_json().unwrap_or_default())?
    );
    Ok(())
}

/// The license and the edit a command asks for, checked as the admin API checks its bodies.
fn edit_of(command: LicenseCommand) -> anyhow::Result<(String, LicenseEdit)> {
    let edit = match command {
        LicenseCommand::SetEndUser {
            id,
            given_name,
            family_name,
            email,
            mobile,
            external_reference,
            end_user_id,
        } => {
            let mut person = Map::new();
            let mut put = |key: &str, value: Option<Value>| {
                if let Some(value) = value {
                    person.insert(key.to_owned(), value);
                }
            };
            put("id", end_user_id.map(Value::String));
            put(
                "externalReference",
                external_reference.map(|id| json!({"type": "orange", "id": id})),
            );
            put("givenName", given_name.map(Value::String));
            put("familyName", family_name.map(Value::String));
            put("email", email.map(Value::String));
            let mobile = mobile
                .map(|m| {
                    m.split_once(':')
                        .map(|(cc, sn)| json!({"cc": cc, "sn": sn}))
                        .context("--mobile is COUNTRY_CODE:NUMBER, e.g. 33:612345678")
                })
                .transpose()?;
            put("mobileNumber", mobile);
            let person: Individual = parsed("the end user", Value::Object(person))?;
            (id, types::set_end_user(person)?)
        }
        LicenseCommand::RemoveEndUser { id } => {
            (id, LicenseEdit::Change(PartnerChange::RemoveEndUser))
        }
        LicenseCommand::SetRealizingResource {
            id,
            kind,
            characteristics,
        } => {
            let characteristics = characteristics
                .iter()
                .map(|pair| {
                    pair.split_once('=')
                        .map(|(name, value)| json!({"name": name, "value": value}))
                        .with_context(|| format!("--characteristic `{pair}` is not NAME=VALUE"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let resource: RealizingResource = parsed(
                "the realizing resource",
                json!({"type": kind, "characteristic": characteristics}),
            )?;
            (id, types::set_realizing_resource(resource))
        }
        LicenseCommand::SetLogin {
            id,
            key,
            value,
            email,
        } => {
            let mut login = json!({"key": key, "value": value});
            if let Some(email) = email {
                login["email"] = Value::String(email);
            }
            let login: AdminLogin = parsed("the login", login)?;
            (id, types::set_login(login))
        }
        LicenseCommand::SetCharacteristic { id, name, value } => {
            let value: AdminCharacteristicValue =
                parsed("the characteristic", json!({"value": value}))?;
            (id, types::set_characteristic(name, value)?)
        }
        LicenseCommand::DeleteCharacteristic { id, name } => {
            (id, types::delete_characteristic(name)?)
        }
    };
    Ok(edit)
}

/// `value` through the API's schema (lengths, required fields), so the CLI refuses what the API
/// would.
fn parsed<T: ParseFromJSON>(what: &str, value: Value) -> anyhow::Result<T> {
    T::parse_from_json(Some(value)).map_err(|e| anyhow::anyhow!("{what}: {}", e.into_message()))
}
