-- Playgate schema, SQLite. Keep in step with ../postgres/0001_init.sql (same versions).
-- Times are BIGINT nanoseconds since the Unix epoch, UTC.

CREATE TABLE games (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    client_id    TEXT    NOT NULL UNIQUE,
    client_name  TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL,
    enabled      BOOLEAN NOT NULL DEFAULT 1,
    created_at   BIGINT  NOT NULL
);

CREATE TABLE signing_keys (
    kid           TEXT   PRIMARY KEY,
    sealed_secret BLOB   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE players (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id        BIGINT  NOT NULL REFERENCES games (id),
    user_id        TEXT    NOT NULL,
    name           TEXT    NOT NULL DEFAULT '',
    username       TEXT    NOT NULL DEFAULT '',
    email          TEXT    NOT NULL DEFAULT '',
    device_id      TEXT    NOT NULL DEFAULT '',
    phonenumber    TEXT    NOT NULL DEFAULT '',
    level          BIGINT  NOT NULL DEFAULT 0,
    rank           BIGINT  NOT NULL DEFAULT 0,
    date_joined    TEXT    NOT NULL DEFAULT '',
    playertag      TEXT    NOT NULL DEFAULT '',
    location       TEXT    NOT NULL DEFAULT '',
    location_name  TEXT    NOT NULL DEFAULT '',
    device_model   TEXT    NOT NULL DEFAULT '',
    screen_height  TEXT    NOT NULL DEFAULT '',
    screen_width   TEXT    NOT NULL DEFAULT '',
    os_name        TEXT    NOT NULL DEFAULT '',
    os_version     TEXT    NOT NULL DEFAULT '',
    browser_name   TEXT    NOT NULL DEFAULT '',
    fb_login       TEXT    NOT NULL DEFAULT '',
    google_login   TEXT    NOT NULL DEFAULT '',
    app_version    TEXT    NOT NULL DEFAULT '',
    wallet_address TEXT    NOT NULL,
    wallet_key     BLOB    NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    UNIQUE (game_id, user_id)
);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    game_id      BIGINT  NOT NULL REFERENCES games (id),
    player_id    BIGINT  NOT NULL REFERENCES players (id),
    state        TEXT    NOT NULL,
    started_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    ended_at     BIGINT,
    ip           TEXT,
    refresh_hash TEXT    NOT NULL
);
-- At most one active session per player: concurrent create-or-retrieve calls cannot
-- both start one.
CREATE UNIQUE INDEX sessions_one_active ON sessions (player_id) WHERE state = 'active';

CREATE TABLE failure_counts (
    bucket       TEXT   NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
