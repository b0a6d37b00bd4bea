-- The audit log: append-only events (who, what, when, from where, to which game and
-- subject), listed newest first (by id) and deleted past the retention (by time). The game
-- is not a foreign key: the record of what happened to a game outlives the game.
-- Keep in step with ../postgres/0010_audit.sql.

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         BIGINT NOT NULL,
    action     TEXT   NOT NULL,
    actor      TEXT   NOT NULL,
    game_id    BIGINT,
    subject    TEXT,
    ip         TEXT,
    user_agent TEXT,
    detail     TEXT   NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_game ON audit_events (game_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor, id);
CREATE INDEX audit_events_subject ON audit_events (subject, id);
