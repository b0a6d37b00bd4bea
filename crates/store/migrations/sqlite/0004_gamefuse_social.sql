-- GameFuse V3 dialect, part 2 (issue 6): friends, groups, group attributes, chats and
-- messages, game rounds. Keep in step with ../postgres/0004_gamefuse_social.sql.
-- Times are BIGINT nanoseconds since the Unix epoch, UTC; booleans are BIGINT 0/1 (the
-- same decoding on both backends).

-- One row per pair of users (lo < hi) with a pending or accepted friendship; a declined
-- or cancelled request, or an ended friendship, is deleted (reference 10: listed nowhere).
CREATE TABLE gf_friendships (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id      BIGINT  NOT NULL REFERENCES games (id),
    requester_id BIGINT  NOT NULL REFERENCES players (id),
    addressee_id BIGINT  NOT NULL REFERENCES players (id),
    pair_lo      BIGINT  NOT NULL,
    pair_hi      BIGINT  NOT NULL,
    status       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    UNIQUE (pair_lo, pair_hi)
);
CREATE INDEX gf_friendships_requester ON gf_friendships (requester_id);
CREATE INDEX gf_friendships_addressee ON gf_friendships (addressee_id);

CREATE TABLE gf_groups (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id            BIGINT  NOT NULL REFERENCES games (id),
    name               TEXT    NOT NULL,
    group_type         TEXT    NOT NULL,
    can_auto_join      BIGINT  NOT NULL,
    is_invite_only     BIGINT  NOT NULL,
    max_group_size     BIGINT,
    searchable         BIGINT  NOT NULL,
    admins_only_attrs  BIGINT  NOT NULL,
    created_at         BIGINT  NOT NULL
);
CREATE INDEX gf_groups_game ON gf_groups (game_id);

-- A user's one connection to a group: a pending invite or join request, a membership
-- (status accepted, maybe admin), or a removal (status removed: refused on later joins).
CREATE TABLE gf_group_connections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   BIGINT  NOT NULL REFERENCES gf_groups (id),
    player_id  BIGINT  NOT NULL REFERENCES players (id),
    inviter_id BIGINT  REFERENCES players (id),
    kind       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    is_admin   BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    UNIQUE (group_id, player_id)
);
CREATE INDEX gf_group_connections_player ON gf_group_connections (player_id);

CREATE TABLE gf_group_attributes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id        BIGINT  NOT NULL REFERENCES gf_groups (id),
    key             TEXT    NOT NULL,
    value           TEXT    NOT NULL,
    creator_id      BIGINT  NOT NULL REFERENCES players (id),
    others_can_edit BIGINT  NOT NULL,
    UNIQUE (group_id, key)
);

-- A direct chat (fixed participants; `participant_key` is their sorted ids) or the one
-- chat of a group (`group_id`).
CREATE TABLE gf_chats (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id         BIGINT  NOT NULL REFERENCES games (id),
    group_id        BIGINT  UNIQUE REFERENCES gf_groups (id),
    creator_id      BIGINT  NOT NULL REFERENCES players (id),
    participant_key TEXT,
    last_activity   BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (game_id, participant_key)
);

CREATE TABLE gf_chat_participants (
    chat_id   BIGINT NOT NULL REFERENCES gf_chats (id),
    player_id BIGINT NOT NULL REFERENCES players (id),
    PRIMARY KEY (chat_id, player_id)
);
CREATE INDEX gf_chat_participants_player ON gf_chat_participants (player_id);

CREATE TABLE gf_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    BIGINT  NOT NULL REFERENCES gf_chats (id),
    player_id  BIGINT  NOT NULL REFERENCES players (id),
    text       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX gf_messages_chat ON gf_messages (chat_id, id);

CREATE TABLE gf_message_reads (
    message_id BIGINT NOT NULL REFERENCES gf_messages (id),
    player_id  BIGINT NOT NULL REFERENCES players (id),
    PRIMARY KEY (message_id, player_id)
);

-- A multiplayer container: its master is the user whose round created it.
CREATE TABLE gf_multiplayer_rounds (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id    BIGINT  NOT NULL REFERENCES games (id),
    master_id  BIGINT  NOT NULL REFERENCES players (id),
    created_at BIGINT  NOT NULL
);

CREATE TABLE gf_game_rounds (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id        BIGINT  NOT NULL REFERENCES games (id),
    player_id      BIGINT  NOT NULL REFERENCES players (id),
    game_type      TEXT    NOT NULL,
    start_time     BIGINT  NOT NULL,
    end_time       BIGINT,
    score          REAL,
    place          BIGINT,
    metadata       TEXT,
    multiplayer_id BIGINT  REFERENCES gf_multiplayer_rounds (id),
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX gf_game_rounds_player ON gf_game_rounds (player_id);
CREATE INDEX gf_game_rounds_multiplayer ON gf_game_rounds (multiplayer_id);
