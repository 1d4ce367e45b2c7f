-- Orders without Orange's order id are replayed by their content (fingerprint) within a window:
-- the lookup reads only such orders, newest first.
CREATE INDEX orders_unreferenced_by_fingerprint ON orders (fingerprint, created_at)
    WHERE external_id IS NULL;
