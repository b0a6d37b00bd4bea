-- no-transaction
-- Player administration. A banned player (banned_at set, with the operator's reason)
-- cannot open sessions. A deleted player's rows are erased; what other players still need
-- is kept without its author: a chat's creator, a group attribute's creator, a message's
-- sender and a multiplayer container's master may be NULL ("a deleted user"). Indexes for
-- a player's sessions (newest first) and messages (erasure).
-- SQLite cannot drop a NOT NULL, so those four tables are rebuilt with their rows, ids and
-- AUTOINCREMENT counters (sqlite.org/lang_altertable.html, "other kinds of table schema
-- changes"), foreign keys off meanwhile so that dropping the old tables neither fails nor
-- cascades; the tables referring to them refer to the new ones by name.
-- Keep in step with ../postgres/0011_player_admin.sql.

PRAGMA foreign_keys = OFF;
BEGIN;

ALTER TABLE players ADD COLUMN banned_at BIGINT;
ALTER TABLE players ADD COLUMN ban_reason TEXT;

CREATE TABLE gf_chats_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id         BIGINT  NOT NULL REFERENCES games (id),
    group_id        BIGINT  UNIQUE REFERENCES gf_groups (id),
    creator_id      BIGINT  REFERENCES players (id),
    participant_key TEXT,
    last_activity   BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (game_id, participant_key)
);
INSERT INTO gf_chats_new (id, game_id, group_id, creator_id, participant_key, last_activity, created_at)
    SELECT id, game_id, group_id, creator_id, participant_key, last_activity, created_at FROM gf_chats;
DELETE FROM sqlite_sequence WHERE name = 'gf_chats_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'gf_chats_new', seq FROM sqlite_sequence WHERE name = 'gf_chats';
DROP TABLE gf_chats;
ALTER TABLE gf_chats_new RENAME TO gf_chats;

CREATE TABLE gf_group_attributes_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id        BIGINT  NOT NULL REFERENCES gf_groups (id),
    key             TEXT    NOT NULL,
    value           TEXT    NOT NULL,
    creator_id      BIGINT  REFERENCES players (id),
    others_can_edit BIGINT  NOT NULL,
    UNIQUE (group_id, key)
);
INSERT INTO gf_group_attributes_new (id, group_id, key, value, creator_id, others_can_edit)
    SELECT id, group_id, key, value, creator_id, others_can_edit FROM gf_group_attributes;
DELETE FROM sqlite_sequence WHERE name = 'gf_group_attributes_new';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'gf_group_attributes_new', seq FROM sqlite_sequence WHERE name = 'gf_group_attributes';
DROP TABLE gf_group_attributes;
ALTER TABLE gf_group_attributes_new RENAME TO gf_group_attributes;

CREATE TABLE gf_messages_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    BIGINT  NOT NULL REFERENCES gf_chats (id),
    player_id  BIGINT  REFERENCES players (id),
    text       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
INSERT INTO gf_messages_new (id, chat_id, player_id, text, created_at)
    SELECT id, chat_id, player_id, text, created_at FROM gf_messages;
DELETE FROM sqlite_sequence WHERE name = 'gf_messages_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'gf_messages_new', seq FROM sqlite_sequence WHERE name = 'gf_messages';
DROP TABLE gf_messages;
ALTER TABLE gf_messages_new RENAME TO gf_messages;
CREATE INDEX gf_messages_chat ON gf_messages (chat_id, id);

CREATE TABLE gf_multiplayer_rounds_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id    BIGINT  NOT NULL REFERENCES games (id),
    master_id  BIGINT  REFERENCES players (id),
    created_at BIGINT  NOT NULL
);
INSERT INTO gf_multiplayer_rounds_new (id, game_id, master_id, created_at)
    SELECT id, game_id, master_id, created_at FROM gf_multiplayer_rounds;
DELETE FROM sqlite_sequence WHERE name = 'gf_multiplayer_rounds_new';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'gf_multiplayer_rounds_new', seq FROM sqlite_sequence WHERE name = 'gf_multiplayer_rounds';
DROP TABLE gf_multiplayer_rounds;
ALTER TABLE gf_multiplayer_rounds_new RENAME TO gf_multiplayer_rounds;

CREATE INDEX sessions_player ON sessions (player_id, started_at);
CREATE INDEX gf_messages_player ON gf_messages (player_id);

DELETE FROM sqlite_sequence WHERE name IN
    ('gf_chats_new', 'gf_group_attributes_new', 'gf_messages_new', 'gf_multiplayer_rounds_new');

COMMIT;
PRAGMA foreign_keys = ON;
