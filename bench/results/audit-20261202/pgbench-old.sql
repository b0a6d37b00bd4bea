\set n random(1, 2000)
UPDATE sessions SET refresh_hash = md5(random()::text), prev_refresh_hash = NULL, last_seen_at = 5, expires_at = 9000000000000000000 WHERE id = 's' || CAST(:n AS text) AND state = 'active' AND expires_at > 5;
