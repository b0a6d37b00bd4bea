-- Fewer indexes for the audit log on SQLite, where the single writer pays for every page an
-- event dirties: with the event's row and four indexes, a renewal wrote three times the
-- bytes it writes without its event, and s2s-refresh lost 14% of its throughput
-- (bench/results/audit-sqlite-lean-20261203/).
--
-- * No index on `at`. The single writer numbers events in the order it appends them, and
--   an event's `at` is the time its request was handled, so `at` grows with the id but for
--   the moments a request waits for the writer. A time bound is turned into an id bound by
--   a binary search over the rowid, with a minute of slack, and the exact `at` condition
--   is kept (crates/store/src/audit.rs).
-- * The actor index leaves out the game credentials' events (`game:<id>`: a session's
--   start, renewal, refresh and end, the bulk of the log). A game acts only on its own
--   game, so those are found through `audit_events_game`.
-- PostgreSQL keeps all four (../postgres/0010_audit.sql): it writes the event in the
-- statement of its change, and its cost there is within the issue's 10%.

DROP INDEX audit_events_at;
DROP INDEX audit_events_actor;
CREATE INDEX audit_events_actor ON audit_events (actor, id) WHERE actor NOT LIKE 'game:%';
