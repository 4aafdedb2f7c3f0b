extension Schema {
    /// A message's later life: edits (each earlier text kept in `message_revisions`), deletion (a tombstone whose
    /// row keeps its text for the record), reactions, the change cursor and full-text search.
    ///
    /// - `change_seq` numbers every change of a message (its sending included) from one sequence. Every change takes
    ///   its conversation's row lock before it draws the number, as sends do, so within a conversation the numbers
    ///   grow in commit order and a catch-up from a cursor misses nothing. Existing messages are numbered in id
    ///   order.
    /// - `search_vector` is filled by a trigger (`messaging_search_document`) from the text in the configuration
    ///   `messaging_search_config()` returns (replaced at start-up by `SearchLanguage`), and emptied when the message
    ///   is deleted. A `<` counts as a space: the parser would otherwise take `<word>` for markup and skip it.
    /// - `reaction_count` lets a history read skip the reactions lookup for the messages that have none.
    static let v7: [String] = [
        """
        CREATE SEQUENCE message_changes AS bigint
        """,
        """
        ALTER TABLE messages
            ADD COLUMN edited_at timestamptz,
            ADD COLUMN deleted_at timestamptz,
            ADD COLUMN reaction_count integer NOT NULL DEFAULT 0 CHECK (reaction_count >= 0),
            ADD COLUMN search_vector tsvector,
            ADD COLUMN change_seq bigint
        """,
        """
        UPDATE messages m SET change_seq = o.seq
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM messages) o
        WHERE m.id = o.id
        """,
        """
        SELECT setval('message_changes', coalesce((SELECT max(change_seq) FROM messages), 0) + 1, false)
        """,
        """
        ALTER SEQUENCE message_changes OWNED BY messages.change_seq
        """,
        """
        ALTER TABLE messages
            ALTER COLUMN change_seq SET DEFAULT nextval('message_changes'),
            ALTER COLUMN change_seq SET NOT NULL
        """,
        """
        CREATE INDEX messages_changes ON messages (conversation_id, change_seq)
        """,
        """
        CREATE INDEX messages_search ON messages USING gin (search_vector)
        """,
        """
        CREATE TABLE message_revisions (
            message_id uuid NOT NULL REFERENCES messages (id),
            revision integer NOT NULL CHECK (revision >= 1),
            content text NOT NULL,
            attachments jsonb NOT NULL DEFAULT '[]',
            written_at timestamptz NOT NULL,
            PRIMARY KEY (message_id, revision)
        )
        """,
        """
        CREATE TABLE message_reactions (
            message_id uuid NOT NULL REFERENCES messages (id),
            emoji text NOT NULL CHECK (length(emoji) BETWEEN 1 AND 16),
            user_id text NOT NULL REFERENCES users (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (message_id, emoji, user_id)
        )
        """,
        """
        CREATE TABLE search_configuration (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            config text
        )
        """,
        """
        INSERT INTO search_configuration (config) VALUES (NULL)
        """,
        """
        CREATE FUNCTION messaging_search_config() RETURNS regconfig
            LANGUAGE sql STABLE PARALLEL SAFE RETURN 'simple'::regconfig
        """,
        """
        CREATE FUNCTION messaging_search_document(content text) RETURNS tsvector
            LANGUAGE sql STABLE PARALLEL SAFE
            RETURN to_tsvector(messaging_search_config(), translate(content, '<', ' '))
        """,
        """
        CREATE FUNCTION messages_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector := CASE WHEN NEW.deleted_at IS NULL THEN messaging_search_document(NEW.content) END;
            RETURN NEW;
        END
        $$
        """,
        """
        CREATE TRIGGER messages_search_vector BEFORE INSERT OR UPDATE OF content, deleted_at ON messages
            FOR EACH ROW EXECUTE FUNCTION messages_search_vector()
        """,
    ]
}
