-- Orange's page does not require a customer's trading name: the column becomes nullable.
ALTER TABLE customers ALTER COLUMN trading_name DROP NOT NULL;
