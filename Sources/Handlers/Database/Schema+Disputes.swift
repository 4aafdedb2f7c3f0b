extension Schema {
    /// Disputes and mediation.
    ///
    /// - `conversations.kind`: `direct` (a contract's or milestone's conversation between its two parties) or
    ///   `dispute` (the contract's group conversation with a mediator); one conversation of each kind per contract
    ///   and milestone, and a dispute belongs to the contract, not a milestone.
    /// - `conversations.closed_at`: when a dispute conversation was closed; it takes no writes from then on (a
    ///   direct conversation is read-only while its contract is not active instead).
    /// - `conversation_participants.role` gains `mediator`.
    /// - `disputes`: one per contract, with its conversation, mediator, reason and resolution. While the dispute
    ///   conversation is open, the mediator reads the history of the contract's other conversations.
    /// - Outbox: `dispute.message` for a dispute's mediator, for every message of someone else (in place of
    ///   `message.created`, whether the mediator is online or not).
    static let v12: [String] = [
        """
        ALTER TABLE conversations ADD COLUMN kind text NOT NULL DEFAULT 'direct' CHECK (kind IN ('direct', 'dispute'))
        """,
        """
        ALTER TABLE conversations ADD COLUMN closed_at timestamptz
        """,
        """
        ALTER TABLE conversations ADD CONSTRAINT conversations_dispute_shape
            CHECK (kind = 'dispute' OR closed_at IS NULL)
        """,
        """
        ALTER TABLE conversations ADD CONSTRAINT conversations_dispute_of_contract
            CHECK (kind = 'direct' OR milestone_id IS NULL)
        """,
        """
        ALTER TABLE conversations DROP CONSTRAINT conversations_contract_id_milestone_id_key
        """,
        """
        ALTER TABLE conversations ADD CONSTRAINT conversations_one_per_kind
            UNIQUE NULLS NOT DISTINCT (contract_id, milestone_id, kind)
        """,
        """
        ALTER TABLE conversation_participants DROP CONSTRAINT conversation_participants_role_check
        """,
        """
        ALTER TABLE conversation_participants ADD CONSTRAINT conversation_participants_role_check
            CHECK (role IN ('client', 'freelancer', 'mediator'))
        """,
        """
        CREATE TABLE disputes (
            contract_id text PRIMARY KEY REFERENCES contracts (id),
            conversation_id uuid NOT NULL UNIQUE REFERENCES conversations (id),
            mediator_id text NOT NULL REFERENCES users (id),
            reason text NOT NULL,
            opened_at timestamptz NOT NULL DEFAULT now(),
            resolution text
        )
        """,
        """
        CREATE INDEX disputes_by_mediator ON disputes (mediator_id)
        """,
        """
        ALTER TABLE webhook_outbox DROP CONSTRAINT webhook_outbox_event_type_check
        """,
        """
        ALTER TABLE webhook_outbox ADD CONSTRAINT webhook_outbox_event_type_check CHECK (event_type IN
            ('message.created', 'message.unread_reminder', 'message.read', 'conversation.created', 'dispute.message'))
        """,
        """
        CREATE OR REPLACE FUNCTION messages_webhook_queue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT enabled FROM webhook_configuration) THEN
                INSERT INTO webhook_outbox (event_type, conversation_id, message_id, user_id)
                SELECT CASE WHEN p.role = 'mediator' THEN 'dispute.message' ELSE 'message.created' END,
                       a.conversation_id, a.id, p.user_id
                FROM added a JOIN conversation_participants p ON p.conversation_id = a.conversation_id
                WHERE p.user_id IS DISTINCT FROM a.sender_id
                  AND (p.role = 'mediator'
                       OR NOT EXISTS (SELECT 1 FROM presence_sessions s WHERE s.user_id = p.user_id))
                ORDER BY a.conversation_id, a.id, p.user_id;
            END IF;
            RETURN NULL;
        END
        $$
        """,
    ]
}
