-- A GameFuse user's sign-in events (login.succeeded, login.failed, session.opened) were
-- recorded as acted by and about `player:<row id>`, while every other event of a player,
-- and the admin API's, the console's and the export's lookups, name it `player:<user id>`
-- (for a client user, its e-mail address). This names those events like the others: an
-- event whose actor and subject are both `player:<digits>`, a client user of the event's
-- game. Events of erased players stay as they are (their rows are gone, and with them
-- what the number named). The pattern is checked before the cast (CASE), whatever order
-- the planner picks. This reads the whole audit log once (the actor index is not usable
-- for a pattern under every collation).
-- Keep in step with ../sqlite/0016_client_user_audit_subjects.sql.

UPDATE audit_events e
SET actor = 'player:' || p.user_id,
    subject = 'player:' || p.user_id
FROM players p
JOIN gamefuse_users g ON g.player_id = p.id
WHERE e.subject = e.actor
  AND p.id = CASE WHEN e.actor ~ '^player:[0-9]{1,18}$' THEN substr(e.actor, 8)::bigint END
  AND g.game_id = e.game_id;

-- `password.reset` was recorded about `player:<row id>` without a game (its actor is
-- `unknown`: the holder of the link); only the reset path wrote it, so the number is
-- always the client user's row id. It gets the user id and the game.
UPDATE audit_events e
SET subject = 'player:' || p.user_id,
    game_id = g.game_id
FROM players p
JOIN gamefuse_users g ON g.player_id = p.id
WHERE e.action = 'password.reset'
  AND p.id = CASE WHEN e.subject ~ '^player:[0-9]{1,18}$' THEN substr(e.subject, 8)::bigint END;
