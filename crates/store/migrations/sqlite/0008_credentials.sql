-- no-transaction
-- Vendor credentials of a game, one row per credential, in one table: `kgen` (public_id the
-- client id, secret_hash the SHA-256 of the client secret) and `gamefuse` (public_id the
-- game token, kept in clear as it is compiled into every client build; no secret). A new
-- vendor adds rows of a new kind, not columns. Existing credentials move out of `games`
-- (dated with the game's creation); `games` loses client_id, secret_hash and gamefuse_token.
-- SQLite cannot drop a UNIQUE column, so `games` is rebuilt (sqlite.org/lang_altertable.html,
-- "other kinds of table schema changes"): foreign keys off, so that dropping the old table
-- neither fails nor cascades, and the AUTOINCREMENT counter carried over, so that ids of
-- deleted games are not handed out again. WITHOUT ROWID, keyed by what the client-id check
-- looks up (kind, public_id): that check reads one B-tree for the credential, and the
-- (game_id, kind) index holds the key, so a game's other credentials need no second hop.
-- Keep in step with ../postgres/0008_credentials.sql.

PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE credentials (
    kind        TEXT   NOT NULL,
    public_id   TEXT   NOT NULL,
    game_id     BIGINT NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    secret_hash TEXT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT credentials_pkey PRIMARY KEY (kind, public_id),
    CONSTRAINT credentials_game_id_kind_key UNIQUE (game_id, kind)
) WITHOUT ROWID;

INSERT INTO credentials (game_id, kind, public_id, secret_hash, created_at)
    SELECT id, 'kgen', client_id, secret_hash, created_at FROM games;
INSERT INTO credentials (game_id, kind, public_id, secret_hash, created_at)
    SELECT id, 'gamefuse', gamefuse_token, NULL, created_at FROM games WHERE gamefuse_token <> '';

CREATE TABLE games_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    client_name  TEXT    NOT NULL,
    enabled      BOOLEAN NOT NULL DEFAULT 1,
    created_at   BIGINT  NOT NULL
);
INSERT INTO games_new (id, name, description, client_name, enabled, created_at)
    SELECT id, name, description, client_name, enabled, created_at FROM games;
DELETE FROM sqlite_sequence WHERE name = 'games_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'games_new', seq FROM sqlite_sequence WHERE name = 'games';
DROP TABLE games;
ALTER TABLE games_new RENAME TO games;

COMMIT;
PRAGMA foreign_keys = ON;
