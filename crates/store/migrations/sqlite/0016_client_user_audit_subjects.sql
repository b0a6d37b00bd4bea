-- A GameFuse user's sign-in events (login.succeeded, login.failed, session.opened) were
-- recorded as acted by and about `player:<row id>`, while every other event of a player,
-- and the admin API's, the console's and the export's lookups, name it `player:<user id>`
-- (for a client user, its e-mail address). This names those events like the others: an
-- event whose actor and subject are both `player:<digits>`, a client user of the event's
-- game. Events of erased players stay as they are (their rows are gone, and with them
-- what the number named). Only events acted by a player are read (the actor index).
-- Keep in step with ../postgres/0016_client_user_audit_subjects.sql.

UPDATE audit_events
SET actor = (SELECT 'player:' || p.user_id FROM players p
             WHERE p.id = CAST(substr(audit_events.actor, 8) AS INTEGER)),
    subject = (SELECT 'player:' || p.user_id FROM players p
               WHERE p.id = CAST(substr(audit_events.actor, 8) AS INTEGER))
WHERE actor >= 'player:0' AND actor < 'player::'
  AND subject = actor
  AND substr(actor, 8) NOT GLOB '*[^0-9]*'
  AND EXISTS (SELECT 1 FROM gamefuse_users g
              WHERE g.player_id = CAST(substr(audit_events.actor, 8) AS INTEGER)
                AND g.game_id = audit_events.game_id);

-- `password.reset` was recorded about `player:<row id>` without a game (its actor is
-- `unknown`: the holder of the link); only the reset path wrote it, so the number is
-- always the client user's row id. It gets the user id and the game.
UPDATE audit_events
SET game_id = (SELECT g.game_id FROM gamefuse_users g
               WHERE g.player_id = CAST(substr(audit_events.subject, 8) AS INTEGER)),
    subject = (SELECT 'player:' || p.user_id FROM players p
               WHERE p.id = CAST(substr(audit_events.subject, 8) AS INTEGER))
WHERE action = 'password.reset'
  AND subject GLOB 'player:[0-9]*'
  AND substr(subject, 8) NOT GLOB '*[^0-9]*'
  AND EXISTS (SELECT 1 FROM gamefuse_users g
              WHERE g.player_id = CAST(substr(audit_events.subject, 8) AS INTEGER));
