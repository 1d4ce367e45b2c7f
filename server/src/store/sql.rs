//! SQL helpers shared by the store's modules: how timestamps and JSON are stored, placeholder
//! lists for multi-row statements, reading columns of either backend's rows ([`Columns`]), and
//! reading a piece of asynchronous work (an order or an update) back.
//!
//! Timestamps are TEXT in RFC 3339, UTC, with exactly six fractional digits on both backends: one
//! schema and one SQL text for SQLite (which has no timestamp type) and PostgreSQL, and
//! fixed-width UTC text sorts chronologically, which the outbox's due-time queries rely on.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};

use super::StoreError;
use super::db::{Backend, Conn, typed};

/// Rows per multi-row statement: 1,000 rows of 15 columns stays under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
pub(crate) const ROWS_PER_STATEMENT: usize = 1_000;

/// Now, at the precision the store keeps, so values read back compare equal to values written.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn ts(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(column: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("{column} {text:?}: {e}")))
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

/// A nullable JSON column.
pub(crate) fn opt_json<T: Serialize>(value: Option<&T>) -> Result<Option<String>, StoreError> {
    value.map(to_json).transpose()
}

/// The column types the store reads, on a row of either backend: TEXT (ids, states, timestamps,
/// JSON) and integers.
pub(crate) trait Columns {
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    /// A BIGINT (PostgreSQL) or INTEGER (SQLite) column, or a count.
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    /// An INTEGER column (32 bits on PostgreSQL).
    fn int32(&self, column: &str) -> Result<i32, StoreError>;
}

macro_rules! columns_of {
    ($row:ty) => {
        impl Columns for $row {
            fn text(&self, column: &str) -> Result<String, StoreError> {
                Ok(self.try_get(column)?)
            }

            fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
                Ok(self.try_get(column)?)
            }

            fn int(&self, column: &str) -> Result<i64, StoreError> {
                Ok(self.try_get(column)?)
            }

            fn int32(&self, column: &str) -> Result<i32, StoreError> {
                Ok(self.try_get(column)?)
            }
        }
    };
}

columns_of!(SqliteRow);
columns_of!(PgRow);

pub(crate) fn text(row: &impl Columns, column: &str) -> Result<String, StoreError> {
    row.text(column)
}

pub(crate) fn opt_text(row: &impl Columns, column: &str) -> Result<Option<String>, StoreError> {
    row.opt_text(column)
}

pub(crate) fn time(row: &impl Columns, column: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_ts(column, &text(row, column)?)
}

pub(crate) fn opt_time(
    row: &impl Columns,
    column: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    opt_text(row, column)?
        .map(|t| parse_ts(column, &t))
        .transpose()
}

pub(crate) fn json<T: DeserializeOwned>(row: &impl Columns, column: &str) -> Result<T, StoreError> {
    from_json(column, &text(row, column)?)
}

pub(crate) fn opt_json_col<T: DeserializeOwned>(
    row: &impl Columns,
    column: &str,
) -> Result<Option<T>, StoreError> {
    opt_text(row, column)?
        .map(|t| from_json(column, &t))
        .transpose()
}

/// The n-th bound parameter. SQLite gets anonymous `?`: its `$n` parameters are named, and
/// SQLite looks names up by a linear scan, which made a 15,000-parameter insert take most of a
/// second. PostgreSQL only understands `$n`.
fn placeholder(sql: &mut String, backend: Backend, n: usize) {
    match backend {
        Backend::Sqlite => sql.push('?'),
        Backend::Postgres => {
            sql.push('$');
            sql.push_str(&n.to_string());
        }
    }
}

/// `(p1,p2,…),(pn,…)…` for `rows` rows of `columns` values, numbered from 1: the statement must
/// bind nothing before them.
pub(crate) fn values_list(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push(',');
            }
            n += 1;
            placeholder(&mut sql, backend, n);
        }
        sql.push(')');
    }
    sql
}

/// `p1,p2,…` for an `IN (…)` list of `count` values, numbered from 1: the statement must bind
/// nothing before them.
pub(crate) fn in_list(backend: Backend, count: usize) -> String {
    let mut sql = String::with_capacity(count * 6);
    for n in 1..=count {
        if n > 1 {
            sql.push(',');
        }
        placeholder(&mut sql, backend, n);
    }
    sql
}

/// The `state`, `request` and `outcome` of the row `id` of `table` (`orders` or `updates`: work
/// done now or later), read back as `what`; `for_update` locks the row (PostgreSQL).
pub(crate) async fn work_row<R: DeserializeOwned, O: DeserializeOwned>(
    conn: Conn<'_>,
    table: &'static str,
    what: &'static str,
    id: &str,
    for_update: bool,
) -> Result<(String, R, O), StoreError> {
    let lock = if for_update {
        conn.backend().for_update(table)
    } else {
        String::new()
    };
    let statement = format!("SELECT state, request, outcome FROM {table} WHERE id = $1{lock}");
    let not_found = || StoreError::NotFound {
        what,
        id: id.to_owned(),
    };
    typed!(conn, |conn| {
        let row = sqlx::query(AssertSqlSafe(statement))
            .bind(id.to_owned())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(not_found)?;
        Ok((
            text(&row, "state")?,
            json(&row, "request")?,
            json(&row, "outcome")?,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_lists_number_every_value() {
        assert_eq!(values_list(Backend::Postgres, 2, 2), "($1,$2),($3,$4)");
        assert_eq!(values_list(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
        assert_eq!(in_list(Backend::Postgres, 3), "$1,$2,$3");
    }

    #[test]
    fn timestamps_round_trip_and_sort_as_text() {
        let earlier = now();
        let later = earlier + chrono::Duration::microseconds(1);
        assert_eq!(parse_ts("t", &ts(earlier)).ok(), Some(earlier));
        assert!(ts(earlier) < ts(later));
    }
}
