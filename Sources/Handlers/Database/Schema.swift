/// The SQL statements of each schema version, run in order in one transaction.
enum Schema {
    static let v1: [String] = [
        """
        CREATE TABLE users (
            id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
            first_name text NOT NULL,
            last_name text NOT NULL,
            avatar text,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE contracts (
            id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
            client_id text NOT NULL REFERENCES users (id),
            freelancer_id text NOT NULL REFERENCES users (id),
            title text,
            status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed', 'cancelled')),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CHECK (client_id <> freelancer_id)
        )
        """,
        """
        CREATE TABLE milestones (
            contract_id text NOT NULL REFERENCES contracts (id),
            id text NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
            title text,
            PRIMARY KEY (contract_id, id)
        )
        """,
        """
        CREATE TABLE conversations (
            id uuid PRIMARY KEY,
            contract_id text NOT NULL REFERENCES contracts (id),
            milestone_id text,
            created_at timestamptz NOT NULL DEFAULT now(),
            last_message_id uuid,
            last_message_at timestamptz,
            last_message_content text,
            last_message_sender text,
            message_count bigint NOT NULL DEFAULT 0,
            FOREIGN KEY (contract_id, milestone_id) REFERENCES milestones (contract_id, id),
            UNIQUE NULLS NOT DISTINCT (contract_id, milestone_id)
        )
        """,
        """
        CREATE TABLE conversation_participants (
            conversation_id uuid NOT NULL REFERENCES conversations (id),
            user_id text NOT NULL REFERENCES users (id),
            role text NOT NULL CHECK (role IN ('client', 'freelancer')),
            unread_count integer NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
            last_read_message_id uuid,
            last_read_at timestamptz,
            archived boolean NOT NULL DEFAULT false,
            last_activity_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (conversation_id, user_id)
        )
        """,
        """
        CREATE INDEX participants_by_user ON conversation_participants (user_id, archived, last_activity_at DESC)
        """,
        """
        CREATE TABLE messages (
            id uuid PRIMARY KEY,
            conversation_id uuid NOT NULL REFERENCES conversations (id),
            sender_id text NOT NULL REFERENCES users (id),
            content text NOT NULL,
            message_type text NOT NULL CHECK (message_type IN ('text', 'file', 'system')),
            attachments jsonb NOT NULL DEFAULT '[]',
            client_message_id text,
            sent_at timestamptz NOT NULL
        )
        """,
        """
        CREATE INDEX messages_by_conversation ON messages (conversation_id, id)
        """,
        """
        CREATE UNIQUE INDEX messages_idempotency ON messages (conversation_id, sender_id, client_message_id)
            WHERE client_message_id IS NOT NULL
        """,
        """
        CREATE INDEX contracts_by_client ON contracts (client_id)
        """,
        """
        CREATE INDEX contracts_by_freelancer ON contracts (freelancer_id)
        """,
    ]

    /// Broadcast envelopes too large for a NOTIFY payload, fetched by id by the other nodes and deleted after a
    /// few minutes.
    static let v2: [String] = [
        """
        CREATE TABLE broadcast_payloads (
            id bigserial PRIMARY KEY,
            payload text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE INDEX broadcast_payloads_created_at ON broadcast_payloads (created_at)
        """,
    ]

    /// Every send updates its conversation's row and both participants' rows. Indexing `last_activity_at` made
    /// each participant update write new index entries and leave a dead row behind (no heap-only update was
    /// possible), so the table and its indexes grew with every message until vacuum ran. The list orders a
    /// viewer's rows itself (they are few), and free space left in each page keeps the new row versions on the page
    /// of the old ones.
    static let v3: [String] = [
        """
        DROP INDEX participants_by_user
        """,
        """
        CREATE INDEX participants_by_user ON conversation_participants (user_id, archived)
        """,
        """
        ALTER TABLE conversation_participants SET (fillfactor = 70)
        """,
        """
        ALTER TABLE conversations SET (fillfactor = 70)
        """,
    ]

    /// System messages (written by the service when a contract changes) have no sender; every other message has
    /// one.
    static let v4: [String] = [
        """
        ALTER TABLE messages ALTER COLUMN sender_id DROP NOT NULL
        """,
        """
        ALTER TABLE messages ADD CONSTRAINT messages_sender_unless_system
            CHECK ((sender_id IS NULL) = (message_type = 'system'))
        """,
    ]

    /// Connection state recovery: recoverable sockets, the nodes that hold them (with a heartbeat, so that the
    /// sockets of a node that died count as disconnected since its last beat), and the broadcasts a returning
    /// client may have missed, by offset.
    static let v5: [String] = [
        """
        CREATE TABLE socket_sessions (
            pid text PRIMARY KEY,
            socket_id text NOT NULL,
            namespace text NOT NULL,
            owner text,
            rooms text[] NOT NULL,
            start_offset text NOT NULL,
            node text NOT NULL,
            disconnected_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE socket_nodes (
            node text PRIMARY KEY,
            seen_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE socket_events (
            event_offset text PRIMARY KEY,
            namespace text NOT NULL,
            rooms text[] NOT NULL,
            except_rooms text[] NOT NULL,
            packet text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE INDEX socket_events_rooms ON socket_events USING gin (rooms)
        """,
        """
        CREATE INDEX socket_events_created_at ON socket_events (created_at)
        """,
    ]

    /// Message ids grow in commit order within a conversation, so that a client catching up with `after=<id>`
    /// never misses a message: ids are minted by the nodes (UUIDv7, from their clocks), and a message whose id is
    /// not above its conversation's last one, read under the conversation's row lock, gets the last one's
    /// successor instead (the `step`th for the `step`th such message of one statement).
    static let v6: [String] = [
        """
        CREATE FUNCTION message_id_after(minted uuid, latest uuid, step bigint) RETURNS uuid
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN CASE WHEN latest IS NULL OR minted > latest THEN minted ELSE encode(
                substring(uuid_send(latest) FROM 1 FOR 8)
                || int8send(('x' || encode(substring(uuid_send(latest) FROM 9 FOR 8), 'hex'))::bit(64)::bigint + step),
                'hex')::uuid END
        """
    ]
}
