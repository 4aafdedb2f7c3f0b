extension Schema {
    /// Search vectors in a table of their own, `message_search`, written after a send's commit instead of inside it.
    ///
    /// Parsing a message's text into a vector and inserting its GIN entries cost PostgreSQL more than the rest of the
    /// insert together, and a send did both while it held its conversation's row lock. Now an insert only queues
    /// the new ids in `search_pending` (a statement trigger, one row per message, no index), and
    /// `messaging_search_index_pending` takes queued ids in batches (`SKIP LOCKED`, so the indexers of several
    /// nodes share the queue and none waits for another) and writes their vectors, each conversation's participant
    /// lexemes computed once per batch. `SearchIndexer` runs it on every node shortly after sends.
    ///
    /// Edits and deletions write their vector in their own transaction (a row trigger), so a search never finds a
    /// message by a word it no longer holds. Every write carries the message's `change_seq` and only replaces an
    /// older one, so an indexer that read a message before an edit cannot undo the edit's vector. A deleted
    /// message's vector is NULL; the search also checks `deleted_at`.
    static let v10: [String] = [
        """
        CREATE TABLE message_search (
            message_id uuid PRIMARY KEY,
            change_seq bigint NOT NULL,
            search_vector tsvector
        )
        """,
        """
        INSERT INTO message_search (message_id, change_seq, search_vector)
        SELECT id, change_seq, search_vector FROM messages
        """,
        """
        CREATE INDEX message_search_words ON message_search USING gin (search_vector)
        """,
        """
        CREATE TABLE search_pending (message_id uuid NOT NULL)
        """,
        """
        DROP TRIGGER messages_search_vector ON messages
        """,
        """
        DROP FUNCTION messages_search_vector()
        """,
        """
        ALTER TABLE messages DROP COLUMN search_vector
        """,
        """
        CREATE FUNCTION messages_search_queue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO search_pending (message_id) SELECT id FROM added;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER messages_search_queue AFTER INSERT ON messages
            REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION messages_search_queue()
        """,
        """
        CREATE FUNCTION messages_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO message_search (message_id, change_seq, search_vector)
            VALUES (NEW.id, NEW.change_seq, CASE
                WHEN NEW.deleted_at IS NULL THEN messaging_search_row(NEW.content, NEW.conversation_id)
            END)
            ON CONFLICT (message_id) DO UPDATE
                SET change_seq = EXCLUDED.change_seq, search_vector = EXCLUDED.search_vector
                WHERE message_search.change_seq < EXCLUDED.change_seq;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER messages_search_changed AFTER UPDATE OF content, deleted_at ON messages
            FOR EACH ROW EXECUTE FUNCTION messages_search_changed()
        """,
        // Up to `batch` queued messages, returning how many queue rows it took. The queue rows' deletion and the read
        // of the messages share one snapshot, which sees every change that queued them.
        """
        CREATE FUNCTION messaging_search_index_pending(batch integer) RETURNS integer LANGUAGE sql AS $$
            WITH taken AS (
                DELETE FROM search_pending WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM search_pending LIMIT batch FOR UPDATE SKIP LOCKED))
                RETURNING message_id
            ), targets AS MATERIALIZED (
                SELECT m.id, m.conversation_id, m.change_seq, m.content, m.deleted_at
                FROM messages m WHERE m.id IN (SELECT message_id FROM taken)
            ), members AS MATERIALIZED (
                SELECT c.conversation_id, messaging_search_members(c.conversation_id) AS lexemes
                FROM (SELECT DISTINCT conversation_id FROM targets) c
            ), written AS (
                INSERT INTO message_search (message_id, change_seq, search_vector)
                SELECT t.id, t.change_seq,
                       CASE WHEN t.deleted_at IS NULL THEN messaging_search_document(t.content) || members.lexemes END
                FROM targets t JOIN members ON members.conversation_id = t.conversation_id
                ORDER BY t.id
                ON CONFLICT (message_id) DO UPDATE
                    SET change_seq = EXCLUDED.change_seq, search_vector = EXCLUDED.search_vector
                    WHERE message_search.change_seq < EXCLUDED.change_seq
                RETURNING 1
            )
            SELECT count(*)::integer FROM taken
        $$
        """,
    ]
}
