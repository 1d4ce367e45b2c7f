-- obakit store, PostgreSQL: the same shape as the SQLite schema, so one code path (sqlx Any)
-- serves both. Timestamps are TEXT, RFC 3339 UTC with six fractional digits (they sort as text;
-- the outbox's compared times use the "C" collation so no locale reorders them);
-- ids are TEXT (partner ids are UUID v7); JSON columns are TEXT holding JSON.

CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    external_id  TEXT NOT NULL UNIQUE,   -- Orange's customer id: UC1 replays update this row
    trading_name TEXT NOT NULL,
    data         TEXT NOT NULL,          -- the Organization as last described (JSON)
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    external_id TEXT,                    -- Orange's contact id, when sent
    data        TEXT NOT NULL,           -- the Contact as last described (JSON)
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX contacts_by_customer ON contacts (customer_id);
CREATE UNIQUE INDEX contacts_by_external_id ON contacts (customer_id, external_id)
    WHERE external_id IS NOT NULL;

CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    external_id TEXT UNIQUE,             -- Orange's order id: the idempotency key
    fingerprint TEXT NOT NULL,           -- of the request content: replay or conflict
    state       TEXT NOT NULL,           -- acknowledged | completed | failed
    request     TEXT NOT NULL,           -- the order command (JSON), for asynchronous completion
    answer      TEXT NOT NULL,           -- the first answer given (JSON): what replays get
    outcome     TEXT NOT NULL,           -- the current outcome (JSON)
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX orders_by_state ON orders (state);

CREATE TABLE fleets (
    id              TEXT PRIMARY KEY,    -- Orange's productRefId
    customer_id     TEXT REFERENCES customers (id),
    order_id        TEXT NOT NULL REFERENCES orders (id),
    characteristics TEXT NOT NULL,       -- JSON array
    created_at      TEXT NOT NULL
);

CREATE TABLE licenses (
    id                 TEXT PRIMARY KEY,
    fleet_id           TEXT NOT NULL REFERENCES fleets (id),
    order_id           TEXT NOT NULL REFERENCES orders (id),  -- visible once this order is completed
    state              TEXT NOT NULL,    -- active | inactive
    external_state     TEXT,             -- as Orange last asked (open enumeration)
    terminated_at      TEXT,             -- set when Orange deletes: hidden from reads, kept for audit
    offer_code         TEXT NOT NULL,
    offer_name         TEXT,
    end_user           TEXT,             -- JSON
    realizing_resource TEXT,             -- JSON
    login_key          TEXT,
    login_value        TEXT,
    characteristics    TEXT NOT NULL,    -- JSON array
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX licenses_by_fleet ON licenses (fleet_id, id);
CREATE INDEX licenses_by_order ON licenses (order_id);

CREATE TABLE updates (
    id         TEXT PRIMARY KEY,
    state      TEXT NOT NULL,            -- acknowledged | completed | failed
    request    TEXT NOT NULL,            -- JSON
    outcome    TEXT NOT NULL,            -- JSON
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX updates_by_state ON updates (state);

-- Events to send, written in the same transaction as the change that causes them.
CREATE TABLE outbox (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- delivery order
    id              TEXT NOT NULL UNIQUE,               -- the event id, stable across retries
    kind            TEXT NOT NULL,
    aggregate_key   TEXT NOT NULL,       -- what the event is about (an order, a fleet…)
    payload         TEXT NOT NULL,       -- JSON, opaque to the store
    state           TEXT NOT NULL,       -- pending | delivered | dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT COLLATE "C" NOT NULL,
    locked_until    TEXT COLLATE "C",    -- a dispatcher's claim; expires if it dies
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT COLLATE "C"
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
