//! License and fleet rows: multi-row inserts, visible reads (not terminated, order completed),
//! locked reads for updates, and set-based write-back.

use futures_util::StreamExt;
use sqlx::{AssertSqlSafe, Database, Encode, Type};
use tokio::sync::mpsc;

use super::StoreError;
use super::db::{Conn, Pool, typed};
use super::sql::{
    Columns, ROWS_PER_STATEMENT, in_list, json, opt_json, opt_json_col, opt_text, opt_time, text,
    time, to_json, ts, values_list,
};
use crate::domain::{
    ExternalState, Fleet, FleetId, License, LicenseId, LicenseState, Login, LoginKey, Offer,
};

/// The columns of a license row, in insert order.
const COLUMNS: &str = "id, fleet_id, order_id, state, external_state, terminated_at, offer_code, \
     offer_name, end_user, realizing_resource, login_key, login_value, characteristics, \
     created_at, updated_at";
const COLUMN_COUNT: usize = 15;

/// The same columns read through the `l` alias.
const SELECT: &str = "SELECT l.id, l.fleet_id, l.order_id, l.state, l.external_state, \
     l.terminated_at, l.offer_code, l.offer_name, l.end_user, l.realizing_resource, l.login_key, \
     l.login_value, l.characteristics, l.created_at, l.updated_at \
     FROM licenses l JOIN orders o ON o.id = l.order_id";

/// A license is visible once its order is completed and until Orange deletes it.
const VISIBLE: &str = "o.state = 'completed' AND l.terminated_at IS NULL";

/// The same columns for reads by id, without the join: the order is checked per license by
/// [`ORDER_COMPLETED`]. Joined, both SQLite and PostgreSQL (before its statistics are gathered)
/// read a long `IN` list through `orders_by_state` and scanned the licenses of every completed
/// order to filter them by id: 40 to 100 ms per 1,000 ids with 200,000 licenses stored, growing
/// with the table. Without the join, licenses are found by their primary key whatever the table.
const SELECT_BY_ID: &str = "SELECT l.id, l.fleet_id, l.order_id, l.state, l.external_state, \
     l.terminated_at, l.offer_code, l.offer_name, l.end_user, l.realizing_resource, l.login_key, \
     l.login_value, l.characteristics, l.created_at, l.updated_at FROM licenses l";

/// The license's order is completed (a lookup by the order's key).
const ORDER_COMPLETED: &str =
    "(SELECT o.state FROM orders o WHERE o.id = l.order_id) = 'completed'";

type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as Database>::Arguments>;

/// The mutable columns of a license, as bound values.
struct MutableColumns {
    state: &'static str,
    external_state: Option<String>,
    terminated_at: Option<String>,
    offer_code: String,
    offer_name: Option<String>,
    end_user: Option<String>,
    realizing_resource: Option<String>,
    login_key: Option<String>,
    login_value: Option<String>,
    characteristics: String,
    updated_at: String,
}

impl MutableColumns {
    fn of(license: &License) -> Result<Self, StoreError> {
        Ok(Self {
            state: license.state.as_str(),
            external_state: license
                .external_state
                .as_ref()
                .map(|s| s.as_str().to_owned()),
            terminated_at: license.terminated_at.map(ts),
            offer_code: license.offer.code.clone(),
            offer_name: license.offer.name.clone(),
            end_user: opt_json(license.end_user.as_ref())?,
            realizing_resource: opt_json(license.realizing_resource.as_ref())?,
            login_key: license.login.as_ref().map(|l| l.key.as_str().to_owned()),
            login_value: license.login.as_ref().map(|l| l.value.clone()),
            characteristics: to_json(&license.characteristics)?,
            updated_at: ts(license.updated_at),
        })
    }

    /// Binds the columns in their order to a query of either backend.
    fn bind<'q, DB: Database>(self, query: Query<'q, DB>) -> Query<'q, DB>
    where
        for<'t> &'static str: Encode<'t, DB> + Type<DB>,
        for<'t> String: Encode<'t, DB> + Type<DB>,
        for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
    {
        query
            .bind(self.state)
            .bind(self.external_state)
            .bind(self.terminated_at)
            .bind(self.offer_code)
            .bind(self.offer_name)
            .bind(self.end_user)
            .bind(self.realizing_resource)
            .bind(self.login_key)
            .bind(self.login_value)
            .bind(self.characteristics)
            .bind(self.updated_at)
    }
}

/// Inserts licenses, `ROWS_PER_STATEMENT` rows per statement.
pub(crate) async fn insert(mut conn: Conn<'_>, licenses: &[License]) -> Result<(), StoreError> {
    let backend = conn.backend();
    for chunk in licenses.chunks(ROWS_PER_STATEMENT) {
        let statement = format!(
            "INSERT INTO licenses ({COLUMNS}) VALUES {}",
            values_list(backend, chunk.len(), COLUMN_COUNT)
        );
        typed!(conn.reborrow(), |conn| {
            let mut query = sqlx::query(AssertSqlSafe(statement));
            for license in chunk {
                let columns = MutableColumns::of(license)?;
                query = query
                    .bind(license.id.as_str().to_owned())
                    .bind(license.fleet_id.as_str().to_owned())
                    .bind(license.order_id.as_str().to_owned())
                    .bind(columns.state)
                    .bind(columns.external_state)
                    .bind(columns.terminated_at)
                    .bind(columns.offer_code)
                    .bind(columns.offer_name)
                    .bind(columns.end_user)
                    .bind(columns.realizing_resource)
                    .bind(columns.login_key)
                    .bind(columns.login_value)
                    .bind(columns.characteristics)
                    .bind(ts(license.created_at))
                    .bind(columns.updated_at);
            }
            query.execute(&mut *conn).await?;
        });
    }
    Ok(())
}

/// Writes back the mutable columns of changed licenses, one set-based statement per chunk
/// (`UPDATE … FROM (VALUES …)`: both backends name the VALUES columns `column1`, `column2`, …).
pub(crate) async fn write_back(
    mut conn: Conn<'_>,
    licenses: &[&License],
) -> Result<(), StoreError> {
    const WRITE_COLUMNS: usize = 12;
    let backend = conn.backend();
    for chunk in licenses.chunks(ROWS_PER_STATEMENT) {
        let statement = format!(
            "UPDATE licenses SET state = v.column2, external_state = v.column3, \
             terminated_at = v.column4, offer_code = v.column5, offer_name = v.column6, \
             end_user = v.column7, realizing_resource = v.column8, login_key = v.column9, \
             login_value = v.column10, characteristics = v.column11, updated_at = v.column12 \
             FROM (VALUES {}) AS v WHERE licenses.id = v.column1",
            values_list(backend, chunk.len(), WRITE_COLUMNS)
        );
        typed!(conn.reborrow(), |conn| {
            let mut query = sqlx::query(AssertSqlSafe(statement));
            for license in chunk {
                query =
                    MutableColumns::of(license)?.bind(query.bind(license.id.as_str().to_owned()));
            }
            query.execute(&mut *conn).await?;
        });
    }
    Ok(())
}

fn from_row(row: &impl Columns) -> Result<License, StoreError> {
    let state = text(row, "state")?;
    let login = match (opt_text(row, "login_key")?, opt_text(row, "login_value")?) {
        (Some(key), Some(value)) => Some(Login {
            key: LoginKey::from(key),
            value,
        }),
        _ => None,
    };
    Ok(License {
        id: LicenseId::from(text(row, "id")?),
        fleet_id: FleetId::from(text(row, "fleet_id")?),
        order_id: text(row, "order_id")?.into(),
        state: LicenseState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("license state {state:?}")))?,
        external_state: opt_text(row, "external_state")?.map(ExternalState::from),
        terminated_at: opt_time(row, "terminated_at")?,
        offer: Offer {
            code: text(row, "offer_code")?,
            name: opt_text(row, "offer_name")?,
        },
        end_user: opt_json_col(row, "end_user")?,
        realizing_resource: opt_json_col(row, "realizing_resource")?,
        login,
        characteristics: json(row, "characteristics")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

fn from_rows(rows: &[impl Columns]) -> Result<Vec<License>, StoreError> {
    rows.iter().map(from_row).collect()
}

/// The visible licenses of a fleet, oldest first.
pub(crate) async fn visible_by_fleet(
    conn: Conn<'_>,
    fleet: &FleetId,
) -> Result<Vec<License>, StoreError> {
    let statement = format!("{SELECT} WHERE l.fleet_id = $1 AND {VISIBLE} ORDER BY l.id");
    typed!(conn, |conn| {
        let rows = sqlx::query(AssertSqlSafe(statement))
            .bind(fleet.as_str().to_owned())
            .fetch_all(&mut *conn)
            .await?;
        from_rows(&rows)
    })
}

/// Licenses handed over at a time by [`stream_visible_by_fleet`]: what it holds in memory.
const STREAM_BUFFER: usize = 256;

/// The visible licenses of a fleet, oldest first, read by one statement (one snapshot) in a task
/// of its own and handed over as they come, so a fleet of 100,000 is never in memory at once.
/// The read stops at the first error (sent last) or when the receiver is dropped.
pub(crate) fn stream_visible_by_fleet(
    pool: Pool,
    fleet: FleetId,
) -> mpsc::Receiver<Result<License, StoreError>> {
    let (tx, rx) = mpsc::channel(STREAM_BUFFER);
    tokio::spawn(async move {
        let mut reader = match pool.acquire().await {
            Ok(reader) => reader,
            Err(error) => {
                let _ = tx.send(Err(error)).await;
                return;
            }
        };
        let statement = format!("{SELECT} WHERE l.fleet_id = $1 AND {VISIBLE} ORDER BY l.id");
        typed!(reader.conn(), |conn| {
            let query = sqlx::query(AssertSqlSafe(statement)).bind(fleet.as_str().to_owned());
            let mut rows = query.fetch(&mut *conn);
            while let Some(row) = rows.next().await {
                let license = row.map_err(StoreError::from).and_then(|row| from_row(&row));
                let failed = license.is_err();
                if tx.send(license).await.is_err() || failed {
                    break;
                }
            }
        });
    });
    rx
}

/// Licenses by id, in the order asked, each once; unknown and hidden ones are left out.
/// `visible_only` false also returns terminated licenses (updates must see them to refuse
/// reactivation), and locks the rows on PostgreSQL.
pub(crate) async fn by_ids(
    mut conn: Conn<'_>,
    ids: &[LicenseId],
    visible_only: bool,
) -> Result<Vec<License>, StoreError> {
    let backend = conn.backend();
    let mut unique: Vec<&LicenseId> = Vec::with_capacity(ids.len());
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for id in ids {
        if seen.insert(id) {
            unique.push(id);
        }
    }
    // Rows are read (and on PostgreSQL locked) in id order, so two updates naming the same
    // licenses lock them in the same order and cannot deadlock.
    let mut sorted = unique.clone();
    sorted.sort();
    let mut found = std::collections::HashMap::with_capacity(unique.len());
    for chunk in sorted.chunks(ROWS_PER_STATEMENT) {
        let (filter, lock) = if visible_only {
            (
                format!("{ORDER_COMPLETED} AND l.terminated_at IS NULL"),
                String::new(),
            )
        } else {
            (ORDER_COMPLETED.to_owned(), backend.for_update("l"))
        };
        let statement = format!(
            "{SELECT_BY_ID} WHERE l.id IN ({}) AND {filter} ORDER BY l.id{lock}",
            in_list(backend, chunk.len())
        );
        typed!(conn.reborrow(), |conn| {
            let mut query = sqlx::query(AssertSqlSafe(statement));
            for id in chunk {
                query = query.bind(id.as_str().to_owned());
            }
            for row in query.fetch_all(&mut *conn).await? {
                let license = from_row(&row)?;
                found.insert(license.id.clone(), license);
            }
        });
    }
    Ok(unique
        .into_iter()
        .filter_map(|id| found.remove(id))
        .collect())
}

/// Whether every license of `read` is still stored as it was read, checked in the caller's write
/// transaction (and locked there on PostgreSQL): every write of a license sets its `updated_at`,
/// so an unchanged `updated_at` is an unchanged license.
pub(crate) async fn unchanged(mut conn: Conn<'_>, read: &[License]) -> Result<bool, StoreError> {
    let backend = conn.backend();
    let mut sorted: Vec<&License> = read.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for chunk in sorted.chunks(ROWS_PER_STATEMENT) {
        let statement = format!(
            "SELECT id, updated_at FROM licenses WHERE id IN ({}) ORDER BY id{}",
            in_list(backend, chunk.len()),
            backend.for_update("licenses")
        );
        let mut stored = std::collections::HashMap::with_capacity(chunk.len());
        typed!(conn.reborrow(), |conn| {
            let mut query = sqlx::query(AssertSqlSafe(statement));
            for license in chunk {
                query = query.bind(license.id.as_str().to_owned());
            }
            for row in query.fetch_all(&mut *conn).await? {
                stored.insert(text(&row, "id")?, text(&row, "updated_at")?);
            }
        });
        let same =
            |license: &&License| stored.get(license.id.as_str()) == Some(&ts(license.updated_at));
        if !chunk.iter().all(same) {
            return Ok(false);
        }
    }
    Ok(true)
}

pub(crate) async fn insert_fleet(conn: Conn<'_>, fleet: &Fleet) -> Result<(), StoreError> {
    let characteristics = to_json(&fleet.characteristics)?;
    typed!(conn, |conn| {
        sqlx::query(
            "INSERT INTO fleets (id, customer_id, order_id, characteristics, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(fleet.id.as_str().to_owned())
        .bind(fleet.customer_id.as_ref().map(|c| c.as_str().to_owned()))
        .bind(fleet.order_id.as_str().to_owned())
        .bind(characteristics)
        .bind(ts(fleet.created_at))
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

pub(crate) async fn fleet(conn: Conn<'_>, id: &FleetId) -> Result<Option<Fleet>, StoreError> {
    typed!(conn, |conn| {
        let row = sqlx::query(
            "SELECT id, customer_id, order_id, characteristics, created_at FROM fleets \
             WHERE id = $1",
        )
        .bind(id.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(fleet_from_row).transpose()
    })
}

fn fleet_from_row(row: &impl Columns) -> Result<Fleet, StoreError> {
    Ok(Fleet {
        id: FleetId::from(text(row, "id")?),
        customer_id: opt_text(row, "customer_id")?.map(Into::into),
        order_id: text(row, "order_id")?.into(),
        characteristics: json(row, "characteristics")?,
        created_at: time(row, "created_at")?,
    })
}
