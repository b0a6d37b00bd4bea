-- Player administration. A banned player (banned_at set, with the operator's reason)
-- cannot open sessions. A deleted player's rows are erased; what other players still need
-- is kept without its author: a chat's creator, a group attribute's creator, a message's
-- sender and a multiplayer container's master may be NULL ("a deleted user"). Indexes for
-- a player's sessions (newest first) and messages (erasure).
-- Keep in step with ../sqlite/0011_player_admin.sql.

ALTER TABLE players ADD COLUMN banned_at BIGINT;
ALTER TABLE players ADD COLUMN ban_reason TEXT;

ALTER TABLE gf_chats ALTER COLUMN creator_id DROP NOT NULL;
ALTER TABLE gf_group_attributes ALTER COLUMN creator_id DROP NOT NULL;
ALTER TABLE gf_messages ALTER COLUMN player_id DROP NOT NULL;
ALTER TABLE gf_multiplayer_rounds ALTER COLUMN master_id DROP NOT NULL;

CREATE INDEX sessions_player ON sessions (player_id, started_at);
CREATE INDEX gf_messages_player ON gf_messages (player_id);
