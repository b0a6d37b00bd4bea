-- The columns of ../sqlite/0018_audit_session_chains.sql, which finds a session's own events
-- through the session instead of SQLite's subject index. PostgreSQL writes an event in the
-- statement of its change, and its full subject index costs less than the issue's 10%
-- there, so it never fills them: they exist so that both backends run the same queries
-- (`chain IS NULL` is always true here) and export the same columns.
ALTER TABLE audit_events ADD COLUMN chain TEXT;
ALTER TABLE audit_events ADD COLUMN prev_event BIGINT;
ALTER TABLE sessions ADD COLUMN last_event BIGINT;
