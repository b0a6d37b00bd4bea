-- A session's own audit events (its refreshes and its end, acted by its game) are found
-- through the session instead of the subject index. Each such event names its session
-- (`chain`) and that session's previous event (`prev_event`); the session keeps its
-- newest (`last_event`). Its change rewrites the session's row anyway, so the event costs
-- no page of its own: a `(subject, id)` entry went to a random leaf of the index, and that
-- page was most of what the event cost the writer (a third of s2s-refresh's writer time,
-- bench/results/audit-sqlite-mechanism-20261204/). The events about a player are those
-- the subject index finds plus those on the chains of its sessions (crates/store/src/audit.rs).
-- Erasing a player or deleting a game takes its events off the chains first.
-- PostgreSQL gets the columns, never filled, and keeps its index
-- (../postgres/0018_audit_session_chains.sql).

ALTER TABLE audit_events ADD COLUMN chain TEXT;
ALTER TABLE audit_events ADD COLUMN prev_event INTEGER;
ALTER TABLE sessions ADD COLUMN last_event INTEGER;
DROP INDEX audit_events_subject;
CREATE INDEX audit_events_subject ON audit_events (subject, id) WHERE chain IS NULL;
