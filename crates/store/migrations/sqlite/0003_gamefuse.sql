-- GameFuse V3 dialect, part 1 (issue 5). Keep in step with ../postgres/0003_gamefuse.sql.
-- Times are BIGINT nanoseconds since the Unix epoch, UTC.

-- The game's GameFuse token. Kept in clear (see core::gamefuse::new_game_token): it is
-- compiled into every client build and echoed by GET /games/verify. Existing games get one.
ALTER TABLE games ADD COLUMN gamefuse_token TEXT NOT NULL DEFAULT '';
UPDATE games SET gamefuse_token = 'gft_' || lower(hex(randomblob(24)));

-- A GameFuse authentication token is the credential of one session (stored only as its
-- SHA-256); NULL for sessions of other dialects.
ALTER TABLE sessions ADD COLUMN token_hash TEXT;
CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash);

CREATE TABLE game_variables (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id BIGINT  NOT NULL REFERENCES games (id),
    key     TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    UNIQUE (game_id, key)
);

-- What a player who signed up in the client (by e-mail) has beyond the core player row:
-- one row per such player, 1:1 with `players` (whose user_id is the e-mail address).
CREATE TABLE gamefuse_users (
    player_id           BIGINT  PRIMARY KEY REFERENCES players (id),
    game_id             BIGINT  NOT NULL REFERENCES games (id),
    email               TEXT    NOT NULL,
    display_email       TEXT    NOT NULL,
    username            TEXT    NOT NULL,
    username_key        TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    credits             BIGINT  NOT NULL DEFAULT 0,
    score               BIGINT  NOT NULL DEFAULT 0,
    number_of_logins    BIGINT  NOT NULL DEFAULT 0,
    last_login          BIGINT,
    events_total        BIGINT  NOT NULL DEFAULT 0,
    events_month        BIGINT  NOT NULL DEFAULT 0,
    game_sessions_total BIGINT  NOT NULL DEFAULT 0,
    game_sessions_month BIGINT  NOT NULL DEFAULT 0,
    month               TEXT    NOT NULL DEFAULT '',
    created_at          BIGINT  NOT NULL,
    UNIQUE (game_id, email),
    UNIQUE (game_id, username_key)
);

CREATE TABLE user_attributes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    player_id BIGINT  NOT NULL REFERENCES players (id),
    key       TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    UNIQUE (player_id, key)
);

CREATE TABLE store_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id     BIGINT  NOT NULL REFERENCES games (id),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    category    TEXT    NOT NULL DEFAULT '',
    cost        BIGINT  NOT NULL,
    icon_url    TEXT,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE store_purchases (
    player_id     BIGINT NOT NULL REFERENCES players (id),
    store_item_id BIGINT NOT NULL REFERENCES store_items (id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (player_id, store_item_id)
);

CREATE TABLE leaderboard_entries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id          BIGINT  NOT NULL REFERENCES games (id),
    player_id        BIGINT  NOT NULL REFERENCES players (id),
    leaderboard_name TEXT    NOT NULL,
    score            BIGINT  NOT NULL,
    extra_attributes TEXT,
    metadata         TEXT,
    created_at       BIGINT  NOT NULL
);
CREATE INDEX leaderboard_entries_board ON leaderboard_entries (game_id, leaderboard_name, score);
CREATE INDEX leaderboard_entries_player ON leaderboard_entries (player_id);

CREATE TABLE service_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id    BIGINT  NOT NULL REFERENCES games (id),
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL,
    UNIQUE (game_id, name)
);

-- Per-game, per-route switches (15.1); a missing row means both kinds of caller may.
CREATE TABLE route_access (
    game_id      BIGINT  NOT NULL REFERENCES games (id),
    route        TEXT    NOT NULL,
    user_allowed BOOLEAN NOT NULL,
    key_allowed  BOOLEAN NOT NULL,
    PRIMARY KEY (game_id, route)
);

-- Games created through test_suite/create_game: the only ones clean_up_test may delete.
CREATE TABLE test_suite_games (
    game_id BIGINT PRIMARY KEY REFERENCES games (id)
);

CREATE TABLE password_resets (
    token_hash TEXT   PRIMARY KEY,
    player_id  BIGINT NOT NULL REFERENCES players (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Every e-mail Playgate sends (or would send without SMTP). The body carries a live reset
-- link, so it is sealed under the master key.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id     BIGINT,
    recipient   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    sealed_body BLOB    NOT NULL,
    created_at  BIGINT  NOT NULL,
    sent_at     BIGINT,
    error       TEXT
);
