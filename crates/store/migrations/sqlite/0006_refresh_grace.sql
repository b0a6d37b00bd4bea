-- A refresh token replaced by a refresh stays acceptable for a short grace period (a lost
-- refresh response must not end the session): the replaced token's hash and when it was
-- replaced. Keep in step with ../postgres/0006_refresh_grace.sql.

ALTER TABLE sessions ADD COLUMN prev_refresh_hash TEXT;
ALTER TABLE sessions ADD COLUMN rotated_at BIGINT;
