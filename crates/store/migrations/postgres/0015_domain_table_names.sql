-- The social and round tables are the game features' own, not one vendor's: they lose the
-- `gf_` prefix they were created with. Their constraints, indexes and identity sequences,
-- which PostgreSQL named after the tables, are renamed to match, so that a violation
-- names the constraint the same way on both backends. Data, keys and references stay as
-- they are. Keep in step with ../sqlite/0015_domain_table_names.sql.

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

DO $$
DECLARE
    r record;
BEGIN
    -- Constraints first: renaming a primary-key or unique constraint renames its index.
    FOR r IN
        SELECT c.conname, t.relname
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relnamespace = current_schema()::regnamespace AND c.conname LIKE 'gf\_%'
    LOOP
        EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', r.relname, r.conname,
            regexp_replace(regexp_replace(r.conname, '^gf_messages', 'chat_messages'), '^gf_', ''));
    END LOOP;
    -- Then the other indexes and the identity sequences.
    FOR r IN
        SELECT relname, relkind
        FROM pg_class
        WHERE relnamespace = current_schema()::regnamespace AND relname LIKE 'gf\_%'
            AND relkind IN ('i', 'S')
    LOOP
        EXECUTE format('ALTER %s %I RENAME TO %I',
            CASE r.relkind WHEN 'i' THEN 'INDEX' ELSE 'SEQUENCE' END, r.relname,
            regexp_replace(regexp_replace(r.relname, '^gf_messages', 'chat_messages'), '^gf_', ''));
    END LOOP;
END
$$;
