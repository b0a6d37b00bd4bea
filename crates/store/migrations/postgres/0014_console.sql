-- The web console's sign-in: an operator's console password (argon2id PHC string), its
-- TOTP secret (sealed under the master key) and the last step used, recovery codes
-- (SHA-256, one use each), and console sessions (the SHA-256 of the cookie's token; an idle
-- expiry from last_seen_at, an absolute one in expires_at; unverified while the TOTP code
-- is awaited). Keep in step with ../sqlite/0014_console.sql.

ALTER TABLE operators ADD COLUMN console_password TEXT;
ALTER TABLE operators ADD COLUMN console_totp_secret BYTEA;
ALTER TABLE operators ADD COLUMN console_totp_pending BYTEA;
ALTER TABLE operators ADD COLUMN console_totp_last_step BIGINT;

CREATE TABLE operator_recovery_codes (
    operator_id BIGINT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    code_hash   TEXT   NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (operator_id, code_hash)
);

CREATE TABLE console_sessions (
    token_hash   TEXT    NOT NULL PRIMARY KEY,
    operator_id  BIGINT  NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    verified     BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX console_sessions_operator ON console_sessions (operator_id);
