-- Orange's page does not require a customer's trading name: the column becomes nullable. SQLite
-- cannot drop NOT NULL in place, so the column is dropped and added again, refilled from the
-- stored description (which always held it).
ALTER TABLE customers DROP COLUMN trading_name;
ALTER TABLE customers ADD COLUMN trading_name TEXT;
UPDATE customers SET trading_name = json_extract(data, '$.tradingName');
