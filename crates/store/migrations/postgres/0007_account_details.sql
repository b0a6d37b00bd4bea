-- Account details and billing details (what the i3D dialect shows as `details` and
-- `billingDetails`). PostgreSQL. Keep in step with ../sqlite/0005_account_details.sql.
-- Existing accounts upgrade in place: empty strings and NULLs are "unknown"; an account
-- with a company name becomes a business account (2), the rest consumers (1); the free-text
-- language becomes 0 (English) or 1 (Dutch).

ALTER TABLE accounts ADD COLUMN account_type BIGINT NOT NULL DEFAULT 1;
UPDATE accounts SET account_type = 2 WHERE company_name <> '';
ALTER TABLE accounts ADD COLUMN vat_number TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN coc_number TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN street TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN street_number TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN zip_code TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN country_code TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN phone_mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN abuse_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN newsletter BOOLEAN;
ALTER TABLE accounts ADD COLUMN agreed_terms BOOLEAN;
ALTER TABLE accounts ADD COLUMN agreed_aup BOOLEAN;
ALTER TABLE accounts ADD COLUMN agreed_dpa BOOLEAN;

ALTER TABLE accounts ADD COLUMN language_id BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET language_id = 1
    WHERE lower(trim(language)) IN ('1', 'nl', 'nld', 'dut', 'dutch', 'nederlands');
ALTER TABLE accounts DROP COLUMN language;
ALTER TABLE accounts RENAME COLUMN language_id TO language;

ALTER TABLE accounts ADD COLUMN billing_first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_street TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_street_number TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_zip_code TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_city TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_country_code TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_phone_mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN billing_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN bundle_invoices BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN payment_confirmations_by_email BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN preferred_payment_method BIGINT NOT NULL DEFAULT 0;
