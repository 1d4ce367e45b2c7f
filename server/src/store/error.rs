//! `StoreError`: what a store call can fail with, classified (conflict, not found, corrupt)
//! rather than left as raw database errors. Business refusals are the use cases' own
//! (`crate::usecase::UseCaseError`).

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database url {0:?} (expected sqlite:…, postgres://… or postgresql://…)")]
    UnsupportedUrl(String),
    /// A unique constraint refused the write (HTTP 409).
    #[error("conflict with stored data: {0}")]
    Conflict(String),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("database migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// An event's payload does not match the receiver's spec; the transaction that caused it
    /// is rolled back.
    #[error("event {kind} for {key} does not match the spec: {reason}")]
    InvalidEvent {
        kind: String,
        key: String,
        reason: String,
    },
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(db.message().to_owned())
            }
            _ => Self::Database(error),
        }
    }
}
