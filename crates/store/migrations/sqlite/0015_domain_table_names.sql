-- The social and round tables are the game features' own, not one vendor's: they lose the
-- `gf_` prefix they were created with. SQLite rewrites the references of other tables'
-- foreign keys on a rename (sqlite.org/lang_altertable.html); indexes cannot be renamed,
-- so they are dropped and made again under the new names. Data, keys and references stay
-- as they are. Keep in step with ../postgres/0015_domain_table_names.sql.

ALTER TABLE gf_friendships        RENAME TO friendships;
ALTER TABLE gf_groups             RENAME TO groups;
ALTER TABLE gf_group_connections  RENAME TO group_connections;
ALTER TABLE gf_group_attributes   RENAME TO group_attributes;
ALTER TABLE gf_chats              RENAME TO chats;
ALTER TABLE gf_chat_participants  RENAME TO chat_participants;
ALTER TABLE gf_messages           RENAME TO chat_messages;
ALTER TABLE gf_message_reads      RENAME TO message_reads;
ALTER TABLE gf_multiplayer_rounds RENAME TO multiplayer_rounds;
ALTER TABLE gf_game_rounds        RENAME TO game_rounds;

DROP INDEX IF EXISTS gf_friendships_requester;
DROP INDEX IF EXISTS gf_friendships_addressee;
DROP INDEX IF EXISTS gf_groups_game;
DROP INDEX IF EXISTS gf_group_connections_player;
DROP INDEX IF EXISTS gf_chat_participants_player;
DROP INDEX IF EXISTS gf_messages_chat;
DROP INDEX IF EXISTS gf_game_rounds_player;
DROP INDEX IF EXISTS gf_game_rounds_multiplayer;
DROP INDEX IF EXISTS gf_messages_player;
CREATE INDEX friendships_requester ON friendships (requester_id);
CREATE INDEX friendships_addressee ON friendships (addressee_id);
CREATE INDEX groups_game ON groups (game_id);
CREATE INDEX group_connections_player ON group_connections (player_id);
CREATE INDEX chat_participants_player ON chat_participants (player_id);
CREATE INDEX chat_messages_chat ON chat_messages (chat_id, id);
CREATE INDEX game_rounds_player ON game_rounds (player_id);
CREATE INDEX game_rounds_multiplayer ON game_rounds (multiplayer_id);
CREATE INDEX IF NOT EXISTS chat_messages_player ON chat_messages (player_id);
