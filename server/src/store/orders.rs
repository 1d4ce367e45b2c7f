//! Product orders: idempotent placement (replay or conflict by Orange's order id), the work of
//! UC1–UC3 in one transaction with provisioning before commit, and asynchronous completion.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use sqlx::{Acquire, AssertSqlSafe};

use super::db::{Backend, WriteTx};
use super::outbox::{NewEvent, enqueue_in};
use super::sql::{self, json, text, to_json, ts};
use super::{Failure, Store, StoreError, customers, licenses};
use crate::domain::{
    Contact, DomainError, Fingerprint, Fleet, FleetId, LicenseSummary, OrderId, OrderKind,
    OrderOutcome, OrderState, PlaceOrder, new_licenses,
};
use crate::provisioning::{Action, ActionKind};

/// When the work of an order (or update) is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// In the request: the answer is `completed` or `failed`.
    Synchronous,
    /// Later: the answer is `acknowledged`; `complete_order` / `process_update` do the work.
    Asynchronous,
}

/// The result of placing an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub outcome: OrderOutcome,
    /// The order was already received with the same content: `outcome` is the first answer and
    /// nothing was created or enqueued.
    pub replayed: bool,
}

/// A previously stored order with the same Orange id.
struct Previous {
    fingerprint: String,
    answer: OrderOutcome,
}

impl Store {
    /// Places an order in one transaction.
    ///
    /// Same Orange order id and same fingerprint as a stored order: its first answer, nothing
    /// created. Same id, other fingerprint: [`StoreError::OrderConflict`]. Otherwise the order is
    /// stored; synchronously it is also worked (a refusal gives a `failed` outcome with nothing
    /// else stored), asynchronously it is `acknowledged`. `events` runs on the outcome inside the
    /// transaction; what it returns is enqueued atomically with the order.
    pub async fn place_order<F>(
        &self,
        order: &PlaceOrder,
        processing: Processing,
        events: F,
    ) -> Result<Placed, StoreError>
    where
        F: FnOnce(&OrderOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        // A second round only happens on PostgreSQL, when a concurrent request with the same
        // Orange id committed between our lookup and our insert: the lookup then finds it.
        for _ in 0..2 {
            let mut tx = self.db.begin_write().await?;
            let now = sql::now();
            let previous = match &order.external_id {
                Some(external_id) => previous_order(tx.conn(), external_id).await?,
                None => {
                    previous_unreferenced(tx.conn(), self.db.backend, &order.fingerprint, now)
                        .await?
                }
            };
            if let Some(previous) = previous {
                drop(tx);
                return if previous.fingerprint == order.fingerprint.as_str() {
                    Ok(Placed {
                        outcome: previous.answer,
                        replayed: true,
                    })
                } else {
                    Err(StoreError::OrderConflict {
                        external_id: order.external_id.clone().unwrap_or_default(),
                    })
                };
            }
            let acknowledged = OrderOutcome::acknowledged(order, OrderId::generate(), now);
            match insert_order(tx.conn(), order, &acknowledged, now).await {
                Err(StoreError::Conflict(_)) if order.external_id.is_some() => continue,
                other => other?,
            }
            let outcome = match processing {
                Processing::Asynchronous => acknowledged,
                Processing::Synchronous => {
                    self.work_order(&mut tx, order, acknowledged, now).await?
                }
            };
            save_outcome(tx.conn(), &outcome, true).await?;
            if let Some(events) = events.take() {
                enqueue_in(
                    tx.conn(),
                    self.db.backend,
                    self.event_offer(),
                    &events(&outcome),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(Placed {
                outcome,
                replayed: false,
            });
        }
        Err(StoreError::Conflict(format!(
            "order {} is being placed concurrently",
            order.external_id.as_deref().unwrap_or_default()
        )))
    }

    /// Does the work of an `acknowledged` order (asynchronous mode) in one transaction. An order
    /// already completed or failed is answered as it is, with no events. `events` sees the order
    /// as placed (with what the caller sent) and its outcome.
    pub async fn complete_order<F>(
        &self,
        id: &OrderId,
        events: F,
    ) -> Result<OrderOutcome, StoreError>
    where
        F: FnOnce(&PlaceOrder, &OrderOutcome) -> Vec<NewEvent> + Send,
    {
        let mut tx = self.db.begin_write().await?;
        let statement = format!(
            "SELECT state, request, outcome FROM orders WHERE id = $1{}",
            self.db.backend.for_update("orders")
        );
        let row = sqlx::query(AssertSqlSafe(statement))
            .bind(id.as_str().to_owned())
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "order",
                id: id.to_string(),
            })?;
        let current: OrderOutcome = json(&row, "outcome")?;
        if text(&row, "state")? != OrderState::Acknowledged.as_str() {
            return Ok(current);
        }
        let order: PlaceOrder = json(&row, "request")?;
        let now = sql::now();
        let outcome = self.work_order(&mut tx, &order, current, now).await?;
        save_outcome(tx.conn(), &outcome, false).await?;
        enqueue_in(
            tx.conn(),
            self.db.backend,
            self.event_offer(),
            &events(&order, &outcome),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The orders waiting for `complete_order`, oldest first (to resume after a restart).
    pub async fn pending_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        let rows = sqlx::query("SELECT id FROM orders WHERE state = 'acknowledged' ORDER BY id")
            .fetch_all(self.db.reader())
            .await?;
        rows.iter()
            .map(|row| Ok(OrderId::from(text(row, "id")?)))
            .collect()
    }

    /// An order's current outcome.
    pub async fn order(&self, id: &OrderId) -> Result<Option<OrderOutcome>, StoreError> {
        let row = sqlx::query("SELECT outcome FROM orders WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(self.db.reader())
            .await?;
        row.as_ref().map(|row| json(row, "outcome")).transpose()
    }

    /// Works an order inside a savepoint: a refusal rolls back what the work wrote (customer,
    /// fleet) and gives the failed outcome, the order row itself stays.
    async fn work_order(
        &self,
        tx: &mut WriteTx,
        order: &PlaceOrder,
        acknowledged: OrderOutcome,
        now: DateTime<Utc>,
    ) -> Result<OrderOutcome, StoreError> {
        let mut savepoint = tx.tx().begin().await?;
        match self
            .try_order(&mut savepoint, order, acknowledged.clone(), now)
            .await
        {
            Ok(outcome) => {
                savepoint.commit().await?;
                Ok(outcome)
            }
            Err(Failure::Refused(reason)) => {
                savepoint.rollback().await?;
                tracing::info!(order.id = %acknowledged.order_id, %reason, "order failed");
                Ok(acknowledged.failed(reason, now))
            }
            Err(Failure::Store(error)) => Err(error),
        }
    }

    async fn try_order(
        &self,
        conn: &mut AnyConnection,
        order: &PlaceOrder,
        mut outcome: OrderOutcome,
        now: DateTime<Utc>,
    ) -> Result<OrderOutcome, Failure> {
        let kind = order.kind()?;
        let customer = match &order.customer {
            Some(data) => Some(customers::upsert(&mut *conn, data, now).await?),
            None => None,
        };
        if let Some(customer) = &customer {
            outcome.customer_id = Some(customer.id.clone());
            outcome.contact_ids =
                customers::upsert_contacts(&mut *conn, &customer.id, &order.contacts, now).await?;
            if kind == OrderKind::Customer {
                // UC1: the partner's platform learns who the fleet manager is.
                let contacts = outcome
                    .contact_ids
                    .iter()
                    .zip(&order.contacts)
                    .map(|(id, data)| Contact {
                        id: id.clone(),
                        customer_id: customer.id.clone(),
                        data: data.clone(),
                    })
                    .collect();
                let action = Action::keyed(
                    &action_key("customerUpdated", order, &outcome),
                    ActionKind::CustomerUpdated {
                        order_id: outcome.order_id.clone(),
                        orange_order_id: order.external_id.clone(),
                        customer: Box::new(customer.clone()),
                        contacts,
                    },
                );
                self.provisioner.provision(&action).await?;
            }
        }
        if let (Some(item), OrderKind::NewFleet | OrderKind::AddToFleet(_)) = (&order.item, &kind) {
            if !self.catalogue.accepts(&item.offer.code) {
                return Err(DomainError::UnknownOffer {
                    code: item.offer.code.clone(),
                }
                .into());
            }
            let given: Vec<&str> = item
                .fleet_characteristics
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            // The technical information describes the fleet: a new fleet must bring it (UC2);
            // licenses added to a known fleet (UC3) run on what it already has.
            if let (OrderKind::NewFleet, Some(name)) = (
                &kind,
                self.catalogue
                    .missing_characteristic(&item.offer.code, &given),
            ) {
                return Err(DomainError::MissingCharacteristic {
                    code: item.offer.code.clone(),
                    name: name.to_owned(),
                }
                .into());
            }
            let mut characteristics = item.fleet_characteristics.clone();
            let (fleet_id, new_fleet) = match &kind {
                OrderKind::AddToFleet(fleet_id) => {
                    let Some(fleet) = licenses::fleet(&mut *conn, fleet_id).await? else {
                        return Err(DomainError::UnknownFleet(fleet_id.clone()).into());
                    };
                    // A fleet belongs to the customer who ordered it.
                    if let (Some(owner), Some(customer)) = (&fleet.customer_id, &customer)
                        && *owner != customer.id
                    {
                        return Err(DomainError::FleetOfAnotherCustomer {
                            fleet: fleet_id.clone(),
                            customer: customer.data.external_id.clone(),
                        }
                        .into());
                    }
                    // Licenses added without characteristics run on the fleet's.
                    if characteristics.is_empty() {
                        characteristics = fleet.characteristics;
                    }
                    (fleet_id.clone(), false)
                }
                _ => {
                    let fleet = Fleet {
                        id: FleetId::generate(),
                        customer_id: customer.as_ref().map(|c| c.id.clone()),
                        order_id: outcome.order_id.clone(),
                        characteristics: item.fleet_characteristics.clone(),
                        created_at: now,
                    };
                    licenses::insert_fleet(&mut *conn, &fleet).await?;
                    (fleet.id, true)
                }
            };
            let created = new_licenses(
                &fleet_id,
                &outcome.order_id,
                &item.offer,
                item.quantity,
                &item.end_user_configuration,
                &characteristics,
                now,
            );
            outcome.licenses = created
                .iter()
                .map(|l| LicenseSummary {
                    id: l.id.clone(),
                    state: l.state,
                })
                .collect();
            licenses::insert(&mut *conn, self.db.backend, &created).await?;
            // Inside the savepoint: a refusal rolls the licenses back with the rest.
            let action = Action::keyed(
                &action_key("licensesCreated", order, &outcome),
                ActionKind::LicensesCreated {
                    order_id: outcome.order_id.clone(),
                    orange_order_id: order.external_id.clone(),
                    customer: customer.map(Box::new),
                    fleet_id: fleet_id.clone(),
                    new_fleet,
                    offer: item.offer.clone(),
                    plan: self.catalogue.plan(&item.offer.code).map(str::to_owned),
                    licenses: created,
                },
            );
            self.provisioner.provision(&action).await?;
            outcome.fleet_id = Some(fleet_id);
        }
        outcome.state = OrderState::Completed;
        outcome.completion_date = Some(now);
        Ok(outcome)
    }
}

/// What makes an order's provisioning action the same on a retry (see the provisioning JSON
/// contract): Orange's order id with the business content, else the partner's order id.
fn action_key(action: &str, order: &PlaceOrder, outcome: &OrderOutcome) -> String {
    match &order.external_id {
        Some(external_id) => format!(
            "{action}/orange-order/{external_id}/{}",
            order.fingerprint.as_str()
        ),
        None => format!("{action}/order/{}", outcome.order_id),
    }
}

async fn previous_order(
    conn: &mut AnyConnection,
    external_id: &str,
) -> Result<Option<Previous>, StoreError> {
    let row = sqlx::query("SELECT fingerprint, answer FROM orders WHERE external_id = $1")
        .bind(external_id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(Previous {
            fingerprint: text(&row, "fingerprint")?,
            answer: json(&row, "answer")?,
        })
    })
    .transpose()
}

/// How long an order without Orange's order id answers a resend of the same content with its
/// first answer (see [`previous_unreferenced`]).
const UNREFERENCED_REPLAY_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The order without Orange's order id placed with the same business content (fingerprint)
/// within [`UNREFERENCED_REPLAY_WINDOW`], if any: its key is the content itself, so a resend
/// after a timeout creates nothing twice. On PostgreSQL the same content is serialized by a
/// transaction-scoped advisory lock, so two concurrent resends cannot both miss each other
/// (SQLite has one writer already).
async fn previous_unreferenced(
    conn: &mut AnyConnection,
    backend: Backend,
    fingerprint: &Fingerprint,
    now: DateTime<Utc>,
) -> Result<Option<Previous>, StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
            .bind(advisory_key(fingerprint))
            .execute(&mut *conn)
            .await?;
    }
    let row = sqlx::query(
        "SELECT fingerprint, answer FROM orders \
         WHERE external_id IS NULL AND fingerprint = $1 AND created_at >= $2 \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(fingerprint.as_str().to_owned())
    .bind(ts(now - UNREFERENCED_REPLAY_WINDOW))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(Previous {
            fingerprint: text(&row, "fingerprint")?,
            answer: json(&row, "answer")?,
        })
    })
    .transpose()
}

/// The first 64 bits of a fingerprint (hex SHA-256), as PostgreSQL's advisory lock key.
fn advisory_key(fingerprint: &Fingerprint) -> i64 {
    let hex = fingerprint.as_str().get(..16).unwrap_or_default();
    u64::from_str_radix(hex, 16).map_or(0, |key| i64::from_ne_bytes(key.to_ne_bytes()))
}

async fn insert_order(
    conn: &mut AnyConnection,
    order: &PlaceOrder,
    acknowledged: &OrderOutcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let answer = to_json(acknowledged)?;
    sqlx::query(
        "INSERT INTO orders (id, external_id, fingerprint, state, request, answer, outcome, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7)",
    )
    .bind(acknowledged.order_id.as_str().to_owned())
    .bind(order.external_id.clone())
    .bind(order.fingerprint.as_str().to_owned())
    .bind(OrderState::Acknowledged.as_str())
    .bind(to_json(order)?)
    .bind(answer)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records an order's outcome; `first_answer` also makes it what replays get.
async fn save_outcome(
    conn: &mut AnyConnection,
    outcome: &OrderOutcome,
    first_answer: bool,
) -> Result<(), StoreError> {
    let statement = if first_answer {
        "UPDATE orders SET state = $2, outcome = $3, answer = $3, updated_at = $4 WHERE id = $1"
    } else {
        "UPDATE orders SET state = $2, outcome = $3, updated_at = $4 WHERE id = $1"
    };
    sqlx::query(statement)
        .bind(outcome.order_id.as_str().to_owned())
        .bind(outcome.state.as_str())
        .bind(to_json(outcome)?)
        .bind(ts(outcome.completion_date.unwrap_or(outcome.order_date)))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
