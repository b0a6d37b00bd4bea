-- Vendor credentials of a game, one row per credential, in one table: `kgen` (public_id the
-- client id, secret_hash the SHA-256 of the client secret) and `gamefuse` (public_id the
-- game token, kept in clear as it is compiled into every client build; no secret). A new
-- vendor adds rows of a new kind, not columns. Existing credentials move out of `games`
-- (dated with the game's creation); `games` loses client_id, secret_hash and gamefuse_token.
-- Keyed by what the client-id check looks up (kind, public_id); one row per game and kind.
-- Keep in step with ../sqlite/0008_credentials.sql.

CREATE TABLE credentials (
    kind        TEXT   NOT NULL,
    public_id   TEXT   NOT NULL,
    game_id     BIGINT NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    secret_hash TEXT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT credentials_pkey PRIMARY KEY (kind, public_id),
    CONSTRAINT credentials_game_id_kind_key UNIQUE (game_id, kind)
);

INSERT INTO credentials (game_id, kind, public_id, secret_hash, created_at)
    SELECT id, 'kgen', client_id, secret_hash, created_at FROM games;
INSERT INTO credentials (game_id, kind, public_id, secret_hash, created_at)
    SELECT id, 'gamefuse', gamefuse_token, NULL, created_at FROM games WHERE gamefuse_token <> '';

ALTER TABLE games
    DROP COLUMN client_id,
    DROP COLUMN secret_hash,
    DROP COLUMN gamefuse_token;
