-- Per-game token lifetimes (NULL: the server's default), the enabled flag of accounts (a
-- disabled account cannot log in), and the per-minute counters of the admin API's stats:
-- each node adds its counts of a minute into the row of (minute, series), so that the
-- rows hold the sum over nodes; minutes older than about a day are deleted.
-- Keep in step with ../sqlite/0012_games_accounts_stats.sql.

ALTER TABLE games ADD COLUMN access_token_ttl_secs BIGINT;
ALTER TABLE games ADD COLUMN refresh_token_ttl_secs BIGINT;

ALTER TABLE accounts ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE stats_minutes (
    minute BIGINT NOT NULL,
    series TEXT   NOT NULL,
    count  BIGINT NOT NULL,
    CONSTRAINT stats_minutes_pkey PRIMARY KEY (minute, series)
);
