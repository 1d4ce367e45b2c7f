-- Orders without Orange's order id are replayed by their content (fingerprint) within a window:
-- the lookup reads only such orders, newest first.
CREATE INDEX orders_unreferenced_by_fingerprint ON orders (fingerprint, created_at)
    WHERE external_id IS NULL;

-- Events of one key are delivered in the order they were stored: a claim looks for an earlier
-- pending event of the same key.
CREATE INDEX outbox_pending_by_key ON outbox (aggregate_key, seq) WHERE state = 'pending';

-- The Orange offer (`mba2`, `mba2-beta`) an event was queued for; a replay sends it there unless
-- the operator names another. NULL for events queued before: the configured offer.
ALTER TABLE outbox ADD COLUMN offer TEXT;
