//! Customer and contact rows: upserts keyed by Orange's ids (so UC1 replays update, never
//! duplicate) and reads.

use chrono::{DateTime, Utc};

use super::StoreError;
use super::db::{Conn, typed};
use super::sql::{Columns, json, text, time, to_json, ts};
use crate::domain::{Contact, ContactData, ContactId, Customer, CustomerData, CustomerId};

/// Creates the customer under `planned` or updates the stored one in place; returns the stored
/// id, which differs from `planned` when the customer was already stored. The row lock this takes
/// on PostgreSQL also serializes concurrent orders of one customer while they write its contacts.
pub(crate) async fn upsert(
    conn: Conn<'_>,
    planned: &CustomerId,
    data: &CustomerData,
    now: DateTime<Utc>,
) -> Result<CustomerId, StoreError> {
    let data_json = to_json(data)?;
    typed!(conn, |conn| {
        let row = sqlx::query(
            "INSERT INTO customers (id, external_id, trading_name, data, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (external_id) DO UPDATE SET trading_name = excluded.trading_name, \
             data = excluded.data, updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(planned.as_str().to_owned())
        .bind(data.external_id.clone())
        .bind(data.trading_name.clone())
        .bind(data_json)
        .bind(ts(now))
        .fetch_one(&mut *conn)
        .await?;
        Ok(CustomerId::from(text(&row, "id")?))
    })
}

/// Writes an order's contacts under a customer as planned by [`crate::domain::plan_contacts`]:
/// a new contact is inserted under its planned id, a known one is updated in place.
pub(crate) async fn write_contacts(
    mut conn: Conn<'_>,
    customer: &CustomerId,
    incoming: &[ContactData],
    planned: &[(ContactId, bool)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for (data, (id, new)) in incoming.iter().zip(planned) {
        let statement = if *new {
            "INSERT INTO contacts (id, customer_id, external_id, data, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)"
        } else {
            "UPDATE contacts SET external_id = $3, data = $4, updated_at = $5 \
             WHERE id = $1 AND customer_id = $2"
        };
        let data_json = to_json(data)?;
        typed!(conn.reborrow(), |conn| {
            sqlx::query(statement)
                .bind(id.as_str().to_owned())
                .bind(customer.as_str().to_owned())
                .bind(data.external_id.clone())
                .bind(data_json)
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
        });
    }
    Ok(())
}

fn customer_from_row(row: &impl Columns) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: CustomerId::from(text(row, "id")?),
        data: json(row, "data")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(crate) async fn by_id(conn: Conn<'_>, id: &CustomerId) -> Result<Option<Customer>, StoreError> {
    typed!(conn, |conn| {
        let row =
            sqlx::query("SELECT id, data, created_at, updated_at FROM customers WHERE id = $1")
                .bind(id.as_str().to_owned())
                .fetch_optional(&mut *conn)
                .await?;
        row.as_ref().map(customer_from_row).transpose()
    })
}

pub(crate) async fn by_external_id(
    conn: Conn<'_>,
    external_id: &str,
) -> Result<Option<Customer>, StoreError> {
    typed!(conn, |conn| {
        let row = sqlx::query(
            "SELECT id, data, created_at, updated_at FROM customers WHERE external_id = $1",
        )
        .bind(external_id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(customer_from_row).transpose()
    })
}

/// A customer's contacts, oldest first.
pub(crate) async fn contacts_of(
    conn: Conn<'_>,
    customer: &CustomerId,
) -> Result<Vec<Contact>, StoreError> {
    typed!(conn, |conn| {
        let rows = sqlx::query("SELECT id, data FROM contacts WHERE customer_id = $1 ORDER BY id")
            .bind(customer.as_str().to_owned())
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|row| contact_from_row(row, customer))
            .collect()
    })
}

fn contact_from_row(row: &impl Columns, customer: &CustomerId) -> Result<Contact, StoreError> {
    Ok(Contact {
        id: ContactId::from(text(row, "id")?),
        customer_id: customer.clone(),
        data: json(row, "data")?,
    })
}
