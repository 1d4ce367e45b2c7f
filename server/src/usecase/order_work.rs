//! The work of an order (UC1–UC3) in two steps, so that provisioning never runs while the
//! database writer is held: [`UseCases::prepare_order`] plans the work from a read of the store,
//! checks the business rules and provisions; [`OrderWork::apply`] writes the plan inside the
//! caller's write transaction after checking that what the plan read is still so (else the
//! caller plans again).
//!
//! A slow partner platform thus delays only the order it provisions: every other order, update
//! and read goes on, on SQLite (one writer) as on PostgreSQL.

use chrono::{DateTime, Utc};

use super::{UseCaseError, UseCases};
use crate::domain::{
    Contact, ContactId, Customer, CustomerId, DomainError, Fleet, FleetId, License, LicenseSummary,
    OrderKind, OrderOutcome, OrderState, PlaceOrder, new_licenses, plan_contacts,
};
use crate::provisioning::{Action, ActionKind};
use crate::store::{Conn, StoreError, customers, licenses};

/// Why planning an order stopped: a refusal (which becomes a `failed` outcome) or a storage
/// failure (which aborts the use case).
enum Failure {
    Refused(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<DomainError> for Failure {
    fn from(refusal: DomainError) -> Self {
        Self::Refused(refusal.to_string())
    }
}

/// What preparing an order came to; [`Prepared::write`] writes it.
pub(super) enum Prepared {
    /// Accepted by the rules and by provisioning.
    Work(Box<OrderWork>),
    /// Refused by a rule or by the partner's platform: the order fails with this reason.
    Refused(String),
}

impl Prepared {
    /// Writes a prepared order in the caller's write transaction and gives its outcome: its work
    /// written and `completed`, or `current` turned `failed` by the refusal. `None` when what the
    /// plan read changed meanwhile: nothing usable was written, the caller rolls back and
    /// prepares again.
    pub(super) async fn write(
        self,
        conn: Conn<'_>,
        order: &PlaceOrder,
        current: OrderOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<OrderOutcome>, StoreError> {
        match self {
            Self::Refused(reason) => {
                tracing::info!(order.id = %current.order_id, %reason, "order failed");
                Ok(Some(current.failed(reason, now)))
            }
            Self::Work(work) => Ok(match work.apply(conn, order, now).await? {
                Applied::Written => Some(work.outcome),
                Applied::Stale => None,
            }),
        }
    }
}

/// An order's work as planned and provisioned, waiting to be written.
pub(super) struct OrderWork {
    /// The order's outcome once written: `completed`, with the partner's ids.
    outcome: OrderOutcome,
    customer: Option<PlannedCustomer>,
    fleet: Option<PlannedFleet>,
    licenses: Vec<License>,
}

struct PlannedCustomer {
    customer: Customer,
    /// Per contact of the order: its id and whether it is new.
    contacts: Vec<(ContactId, bool)>,
}

enum PlannedFleet {
    New(Fleet),
    /// A known fleet, with the owner the plan saw.
    Known {
        id: FleetId,
        owner: Option<CustomerId>,
    },
}

/// Whether [`OrderWork::apply`] wrote the plan.
enum Applied {
    Written,
    /// What the plan read changed meanwhile (a concurrent order created the same customer or
    /// contact): nothing usable was written; the caller rolls back and prepares again.
    Stale,
}

impl UseCases {
    /// Plans the work of `order` (whose outcome so far is `outcome`) and provisions it, holding no
    /// database connection while the partner's platform answers. A provisioning fault is an
    /// error ([`UseCaseError::ProvisioningFault`]): nothing is decided, the order is tried again.
    pub(super) async fn prepare_order(
        &self,
        order: &PlaceOrder,
        outcome: OrderOutcome,
        now: DateTime<Utc>,
    ) -> Result<Prepared, UseCaseError> {
        let planned = {
            let mut reader = self.store.read().await?;
            self.plan_order(reader.conn(), order, outcome, now).await
        };
        let work = match planned {
            Ok(work) => work,
            Err(Failure::Refused(reason)) => return Ok(Prepared::Refused(reason)),
            Err(Failure::Store(error)) => return Err(error.into()),
        };
        let plan = order
            .item
            .as_ref()
            .and_then(|item| self.catalogue.plan(&item.offer.code));
        for action in work.actions(order, plan) {
            match self.provisioner.provision(&action).await {
                Ok(()) => {}
                Err(fault) if fault.is_fault() => {
                    return Err(UseCaseError::ProvisioningFault(fault));
                }
                Err(refusal) => return Ok(Prepared::Refused(refusal.to_string())),
            }
        }
        Ok(Prepared::Work(Box::new(work)))
    }

    async fn plan_order(
        &self,
        mut conn: Conn<'_>,
        order: &PlaceOrder,
        mut outcome: OrderOutcome,
        now: DateTime<Utc>,
    ) -> Result<OrderWork, Failure> {
        let kind = order.kind()?;
        let customer = match &order.customer {
            Some(data) => {
                let stored = customers::by_external_id(conn.reborrow(), &data.external_id).await?;
                let customer = Customer {
                    id: stored
                        .as_ref()
                        .map_or_else(CustomerId::generate, |c| c.id.clone()),
                    data: data.clone(),
                    created_at: stored.as_ref().map_or(now, |c| c.created_at),
                    updated_at: now,
                };
                let existing = match &stored {
                    Some(stored) => customers::contacts_of(conn.reborrow(), &stored.id).await?,
                    None => Vec::new(),
                };
                let contacts = plan_contacts(&existing, &order.contacts, &customer.id, |_| {
                    ContactId::generate()
                });
                outcome.customer_id = Some(customer.id.clone());
                outcome.contact_ids = contacts.iter().map(|(id, _)| id.clone()).collect();
                Some(PlannedCustomer { customer, contacts })
            }
            None => None,
        };
        let mut work = OrderWork {
            outcome,
            customer,
            fleet: None,
            licenses: Vec::new(),
        };
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
            let ordering_customer = work.customer.as_ref().map(|c| &c.customer);
            let fleet = match &kind {
                OrderKind::AddToFleet(fleet_id) => {
                    let Some(fleet) = licenses::fleet(conn.reborrow(), fleet_id).await? else {
                        return Err(DomainError::UnknownFleet(fleet_id.clone()).into());
                    };
                    // A fleet belongs to the customer who ordered it.
                    if let (Some(owner), Some(customer)) = (&fleet.customer_id, ordering_customer)
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
                    PlannedFleet::Known {
                        id: fleet_id.clone(),
                        owner: fleet.customer_id,
                    }
                }
                _ => PlannedFleet::New(Fleet {
                    id: FleetId::generate(),
                    customer_id: ordering_customer.map(|c| c.id.clone()),
                    order_id: work.outcome.order_id.clone(),
                    characteristics: item.fleet_characteristics.clone(),
                    created_at: now,
                }),
            };
            let fleet_id = fleet.id().clone();
            work.licenses = new_licenses(
                &fleet_id,
                &work.outcome.order_id,
                &item.offer,
                item.quantity,
                &item.end_user_configuration,
                &characteristics,
                now,
            );
            work.outcome.licenses = work
                .licenses
                .iter()
                .map(|l| LicenseSummary {
                    id: l.id.clone(),
                    state: l.state,
                })
                .collect();
            work.outcome.fleet_id = Some(fleet_id);
            work.fleet = Some(fleet);
        }
        work.outcome.state = OrderState::Completed;
        work.outcome.completion_date = Some(now);
        Ok(work)
    }
}

impl PlannedFleet {
    fn id(&self) -> &FleetId {
        match self {
            Self::New(fleet) => &fleet.id,
            Self::Known { id, .. } => id,
        }
    }
}

impl OrderWork {
    /// Writes a prepared order's work in the caller's write transaction, unless what the plan read
    /// changed meanwhile ([`Applied::Stale`]: the caller rolls back).
    async fn apply(
        &self,
        mut conn: Conn<'_>,
        order: &PlaceOrder,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        if let Some(planned) = &self.customer {
            let customer = &planned.customer;
            let stored =
                customers::upsert(conn.reborrow(), &customer.id, &customer.data, now).await?;
            if stored != customer.id {
                return Ok(Applied::Stale);
            }
            let existing = customers::contacts_of(conn.reborrow(), &stored).await?;
            let replanned = plan_contacts(&existing, &order.contacts, &stored, |index| {
                planned.contacts[index].0.clone()
            });
            if replanned != planned.contacts {
                return Ok(Applied::Stale);
            }
            customers::write_contacts(
                conn.reborrow(),
                &stored,
                &order.contacts,
                &planned.contacts,
                now,
            )
            .await?;
        }
        match &self.fleet {
            Some(PlannedFleet::New(fleet)) => {
                licenses::insert_fleet(conn.reborrow(), fleet).await?
            }
            Some(PlannedFleet::Known { id, owner }) => {
                let now_owned_by = licenses::fleet(conn.reborrow(), id)
                    .await?
                    .map(|f| f.customer_id);
                if now_owned_by.as_ref() != Some(owner) {
                    return Ok(Applied::Stale);
                }
            }
            None => {}
        }
        licenses::insert(conn, &self.licenses).await?;
        Ok(Applied::Written)
    }

    /// The provisioning actions of the work, each with its stable key (see [`action_key`]): UC1
    /// tells the partner's platform who the customer and its fleet manager are; UC2 and UC3 the
    /// licenses created.
    fn actions(&self, order: &PlaceOrder, plan: Option<&str>) -> Vec<Action> {
        let mut actions = Vec::new();
        let customer = self.customer.as_ref();
        if let (Some(planned), None) = (customer, &order.item) {
            let contacts = planned
                .contacts
                .iter()
                .zip(&order.contacts)
                .map(|((id, _), data)| Contact {
                    id: id.clone(),
                    customer_id: planned.customer.id.clone(),
                    data: data.clone(),
                })
                .collect();
            actions.push(Action::keyed(
                &action_key("customerUpdated", order, &self.outcome),
                ActionKind::CustomerUpdated {
                    order_id: self.outcome.order_id.clone(),
                    orange_order_id: order.external_id.clone(),
                    customer: Box::new(planned.customer.clone()),
                    contacts,
                },
            ));
        }
        if let (Some(fleet), Some(item)) = (&self.fleet, &order.item) {
            actions.push(Action::keyed(
                &action_key("licensesCreated", order, &self.outcome),
                ActionKind::LicensesCreated {
                    order_id: self.outcome.order_id.clone(),
                    orange_order_id: order.external_id.clone(),
                    customer: customer.map(|c| Box::new(c.customer.clone())),
                    fleet_id: fleet.id().clone(),
                    new_fleet: matches!(fleet, PlannedFleet::New(_)),
                    offer: item.offer.clone(),
                    plan: plan.map(str::to_owned),
                    licenses: self.licenses.clone(),
                },
            ));
        }
        actions
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
