-- Operators of the admin API: a name, a role ('admin' or 'viewer'), an enabled flag, and
-- the SHA-256 of a personal API token (the token itself is shown once and never stored).
-- Keep in step with ../postgres/0009_operators.sql.

CREATE TABLE operators (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    token_hash   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT,
    CONSTRAINT operators_name_key UNIQUE (name),
    CONSTRAINT operators_token_hash_key UNIQUE (token_hash)
);
