-- Accounts, API keys, account logins, TOTP recovery codes and player links (i3D dialect).
-- SQLite. Keep in step with ../postgres/0002_i3d.sql. Times: BIGINT ns since the epoch.

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id         TEXT    NOT NULL UNIQUE,
    user_name         TEXT    NOT NULL,
    name_key          TEXT    NOT NULL UNIQUE,
    email             TEXT    NOT NULL,
    first_name        TEXT    NOT NULL DEFAULT '',
    last_name         TEXT    NOT NULL DEFAULT '',
    gender            TEXT    NOT NULL DEFAULT '',
    phone             TEXT    NOT NULL DEFAULT '',
    company_name      TEXT    NOT NULL DEFAULT '',
    language          TEXT    NOT NULL DEFAULT '',
    access_level      BIGINT  NOT NULL,
    email_validated   BOOLEAN NOT NULL,
    trial_expires_at  BIGINT,
    password_hash     TEXT    NOT NULL,
    totp_enabled      BOOLEAN NOT NULL DEFAULT 0,
    totp_secret       BLOB,
    totp_pending      BLOB,
    totp_last_step    BIGINT,
    wallet_address    TEXT    NOT NULL,
    wallet_key        BLOB    NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);

CREATE TABLE recovery_codes (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    code_hash  TEXT   NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key_hash    TEXT    NOT NULL UNIQUE,
    label       TEXT    NOT NULL DEFAULT '',
    allowed_ips TEXT    NOT NULL DEFAULT '',
    expires_at  BIGINT,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE account_logins (
    id           TEXT    PRIMARY KEY,
    api_key_id   BIGINT  NOT NULL REFERENCES api_keys (id),
    account_id   BIGINT  NOT NULL REFERENCES accounts (id),
    state        TEXT    NOT NULL,
    started_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    remember_me  BOOLEAN NOT NULL,
    otp_failures BIGINT  NOT NULL DEFAULT 0,
    ended_at     BIGINT,
    ip           TEXT,
    country      TEXT    NOT NULL DEFAULT ''
);
-- A key holds at most one login that has not ended.
CREATE UNIQUE INDEX account_logins_one_per_key ON account_logins (api_key_id) WHERE state <> 'ended';

CREATE TABLE link_codes (
    code_hash  TEXT   PRIMARY KEY,
    player_id  BIGINT NOT NULL REFERENCES players (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE player_links (
    player_id  BIGINT PRIMARY KEY REFERENCES players (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    linked_at  BIGINT NOT NULL
);
