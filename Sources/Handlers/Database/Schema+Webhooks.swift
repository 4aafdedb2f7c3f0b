extension Schema {
    /// Webhooks to the marketplace backend: a transactional outbox.
    ///
    /// - `webhook_configuration`: one row, whether events are written at all (a node with `WEBHOOK_URL` turns it
    ///   on at start, one without turns it off), so that a deployment without webhooks keeps no outbox.
    /// - `webhook_outbox`: one row per event, written by the statement that makes the change (triggers on
    ///   `messages` and `conversations`; the mark-read statement; the reminder sweep), so an event exists exactly
    ///   when its change committed. Events of one conversation are delivered in `id` order: every writer holds the
    ///   conversation's row lock when it takes an id, so ids follow commit order within a conversation. A worker
    ///   leases a conversation's oldest pending event (`leased_until`, `lease`), and a lease that ran out (its node
    ///   died) is taken again by any node. `payload` is the body as first sent, so every attempt sends the same
    ///   bytes.
    /// - `conversation_participants.reminded_through_message_id`: the newest message an unread reminder covered.
    static let v11: [String] = [
        """
        CREATE TABLE webhook_configuration (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            enabled boolean NOT NULL
        )
        """,
        """
        INSERT INTO webhook_configuration (enabled) VALUES (false)
        """,
        """
        CREATE TABLE webhook_outbox (
            id bigserial PRIMARY KEY,
            event_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
            event_type text NOT NULL CHECK (event_type IN
                ('message.created', 'message.unread_reminder', 'message.read', 'conversation.created')),
            conversation_id uuid NOT NULL,
            message_id uuid,
            user_id text,
            details jsonb NOT NULL DEFAULT '{}',
            payload text,
            state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            leased_until timestamptz,
            lease uuid,
            last_error text,
            delivered_at timestamptz,
            finished_at timestamptz
        )
        """,
        """
        CREATE INDEX webhook_outbox_pending ON webhook_outbox (conversation_id, id) WHERE state = 'pending'
        """,
        """
        CREATE INDEX webhook_outbox_finished ON webhook_outbox (state, id) WHERE state <> 'pending'
        """,
        """
        ALTER TABLE conversation_participants ADD COLUMN reminded_through_message_id uuid
        """,
        """
        CREATE FUNCTION messages_webhook_queue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT enabled FROM webhook_configuration) THEN
                INSERT INTO webhook_outbox (event_type, conversation_id, message_id, user_id)
                SELECT 'message.created', a.conversation_id, a.id, p.user_id
                FROM added a JOIN conversation_participants p ON p.conversation_id = a.conversation_id
                WHERE p.user_id IS DISTINCT FROM a.sender_id
                  AND NOT EXISTS (SELECT 1 FROM presence_sessions s WHERE s.user_id = p.user_id)
                ORDER BY a.conversation_id, a.id, p.user_id;
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER messages_webhook_queue AFTER INSERT ON messages
            REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION messages_webhook_queue()
        """,
        """
        CREATE FUNCTION conversations_webhook_queue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT enabled FROM webhook_configuration) THEN
                INSERT INTO webhook_outbox (event_type, conversation_id) VALUES ('conversation.created', NEW.id);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER conversations_webhook_queue AFTER INSERT ON conversations
            FOR EACH ROW EXECUTE FUNCTION conversations_webhook_queue()
        """,
    ]
}
