-- Nothing changes on PostgreSQL: this version exists so that both backends count their
-- migrations alike (../sqlite/0017_audit_fewer_indexes.sql drops SQLite's index on `at` and
-- leaves game credentials' events out of its actor index). PostgreSQL writes an event in
-- the statement of the change it records, and its four indexes cost less than the issue's
-- 10% there (bench/results/house-final-20261203/no-audit-postgres/). It keeps its index on
-- `at`: the ids of several nodes need not follow their clocks.
SELECT 1;
