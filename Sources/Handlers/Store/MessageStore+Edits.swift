import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// A message after a change, as its author sees it, and whether anything changed (a repeated edit or delete
    /// changes nothing and announces nothing).
    struct Changed: Sendable {
        var message: Message
        var reactions: [ReactionGroup]
        var changed: Bool
    }

    /// The row of a message under change, read under the locks of `lockForChange`.
    struct ChangeTarget: Sendable {
        var senderId: String?
        var type: MessageType
        var content: String
        var attachmentsJSON: String
        var sentAt: Date
        var editedAt: Date?
        var deletedAt: Date?
        var write: WriteState
    }

    /// Locks the conversation's row, then the message's, and reads what the rules of a change need. Every change of
    /// a conversation's messages takes the conversation's lock first, as sends do, so that changes number
    /// (`change_seq`) in commit order. Nil when the message is not in the conversation.
    func lockForChange(
        message id: UUID,
        conversation: UUID,
        on connection: PostgresConnection
    ) async throws -> ChangeTarget? {
        let rows = try await connection.query(
            """
            SELECT m.sender_id, m.message_type, m.content, m.attachments::text, m.sent_at, m.edited_at, m.deleted_at,
                   \(unescaped: WriteState.columns)
            FROM conversations c
            JOIN contracts k ON k.id = c.contract_id
            JOIN messages m ON m.conversation_id = c.id AND m.id = \(id)
            WHERE c.id = \(conversation)
            FOR UPDATE OF c, m
            """,
            logger: logger
        )
        for try await (sender, type, content, attachments, sentAt, editedAt, deletedAt, writable, isDispute)
            in rows.decode((String?, String, String, String, Date, Date?, Date?, Bool, Bool).self)
        {
            return ChangeTarget(
                senderId: sender,
                type: MessageType(rawValue: type) ?? .text,
                content: content,
                attachmentsJSON: attachments,
                sentAt: sentAt,
                editedAt: editedAt,
                deletedAt: deletedAt,
                write: WriteState(writable: writable, isDispute: isDispute)
            )
        }
        return nil
    }

    /// Replaces the text of a message by its sender, keeping the earlier text as a revision, within `window` of its
    /// sending. Nil when the message is not in the conversation.
    func edit(
        message id: UUID,
        conversation: UUID,
        by user: String,
        content: String,
        window: Duration
    ) async throws -> Changed? {
        let logger = logger
        return try await writeTransaction { connection in
            guard let target = try await lockForChange(message: id, conversation: conversation, on: connection) else {
                return nil
            }
            try Self.checkEdit(target, by: user, window: window)
            if target.content != content {
                _ = try await connection.query(
                    """
                    INSERT INTO message_revisions (message_id, revision, content, attachments, written_at)
                    SELECT \(id), count(*) + 1, \(target.content), \(target.attachmentsJSON)::jsonb,
                           \(target.editedAt ?? target.sentAt)
                    FROM message_revisions WHERE message_id = \(id)
                    """,
                    logger: logger
                )
                _ = try await connection.query(
                    """
                    UPDATE messages SET content = \(content), edited_at = \(Date()), change_seq = nextval('message_changes')
                    WHERE id = \(id)
                    """,
                    logger: logger
                )
                try await refreshLastMessage(conversation: conversation, on: connection)
            }
            return try await changedMessage(
                id,
                conversation: conversation,
                viewer: user,
                changed: target.content != content,
                on: connection
            )
        }
    }

    /// The rules of an edit: the sender's own text message, not deleted, in an active contract, within the window.
    static func checkEdit(_ target: ChangeTarget, by user: String, window: Duration) throws {
        guard target.senderId == user else { throw APIError.forbidden("Only the sender can edit a message") }
        try target.write.require()
        guard target.deletedAt == nil else { throw APIError.conflict("The message was deleted") }
        guard target.type == .text else { throw APIError.conflict("Only text messages can be edited") }
        guard Date().timeIntervalSince(target.sentAt) <= Double(window.components.seconds) else {
            throw APIError.conflict("The message can no longer be edited (the edit window has closed)")
        }
    }

    /// Makes a message of its sender a tombstone: it keeps its place in the history, its text stays on record for
    /// the revisions, and it no longer counts as unread. Nil when the message is not in the conversation.
    func delete(message id: UUID, conversation: UUID, by user: String) async throws -> Changed? {
        let logger = logger
        return try await writeTransaction { connection in
            guard let target = try await lockForChange(message: id, conversation: conversation, on: connection) else {
                return nil
            }
            guard target.senderId == user else { throw APIError.forbidden("Only the sender can delete a message") }
            try target.write.require()
            let deleting = target.deletedAt == nil
            if deleting {
                _ = try await connection.query(
                    """
                    UPDATE messages SET deleted_at = \(Date()), change_seq = nextval('message_changes') WHERE id = \(id)
                    """,
                    logger: logger
                )
                // Whoever had not read it yet has one unread message fewer.
                _ = try await connection.query(
                    """
                    UPDATE conversation_participants SET unread_count = greatest(unread_count - 1, 0)
                    WHERE conversation_id = \(conversation) AND user_id <> \(user)
                      AND (last_read_message_id IS NULL OR last_read_message_id < \(id))
                    """,
                    logger: logger
                )
                try await refreshLastMessage(conversation: conversation, on: connection)
            }
            return try await changedMessage(
                id,
                conversation: conversation,
                viewer: user,
                changed: deleting,
                on: connection
            )
        }
    }

    /// The conversation's `lastMessage` after an edit or a delete: its newest message that is not deleted (none
    /// when every message is). `last_message_id` stays: it is the newest id, which new ids must pass.
    func refreshLastMessage(conversation: UUID, on connection: PostgresConnection) async throws {
        _ = try await connection.query(
            """
            UPDATE conversations c
            SET (last_message_at, last_message_content, last_message_sender) = (
                SELECT m.sent_at, m.content, m.sender_id FROM messages m
                WHERE m.conversation_id = c.id AND m.deleted_at IS NULL
                ORDER BY m.id DESC LIMIT 1)
            WHERE c.id = \(conversation)
            """,
            logger: logger
        )
    }

    private func changedMessage(
        _ id: UUID,
        conversation: UUID,
        viewer: String,
        changed: Bool,
        on connection: PostgresConnection
    ) async throws -> Changed {
        let rows = try await connection.query(
            Self.singleMessageQuery(id, conversation: conversation, viewer: viewer),
            logger: logger
        )
        for try await row in rows {
            let (message, reactions) = try message(
                in: row.makeRandomAccess(),
                conversation: conversation,
                viewer: viewer
            )
            return Changed(message: message, reactions: reactions, changed: changed)
        }
        throw StoreError.rowMissing
    }

    /// Every version of a message, oldest first, its current one last; nil when it is not in the conversation.
    func revisions(message id: UUID, conversation: UUID) async throws -> MessageRevisions? {
        let rows = try await client.query(
            """
            SELECT m.sender_id, m.message_type, m.deleted_at, v.revision, v.content, v.attachments, v.written_at
            FROM messages m
            CROSS JOIN LATERAL (
                SELECT r.revision, r.content, r.attachments::text AS attachments, r.written_at
                FROM message_revisions r WHERE r.message_id = m.id
                UNION ALL
                SELECT (SELECT count(*) + 1 FROM message_revisions r WHERE r.message_id = m.id)::integer, m.content,
                       m.attachments::text, coalesce(m.edited_at, m.sent_at)
            ) v
            WHERE m.id = \(id) AND m.conversation_id = \(conversation)
            ORDER BY v.revision
            """,
            logger: logger
        )
        var result: MessageRevisions?
        for try await (sender, type, deletedAt, revision, content, attachments, writtenAt) in rows.decode(
            (String?, String, Date?, Int, String, String, Date).self
        ) {
            if result == nil {
                result = MessageRevisions(
                    conversationId: conversation.lowercased,
                    messageId: id.lowercased,
                    senderId: sender ?? Self.systemSender.id,
                    messageType: MessageType(rawValue: type) ?? .text,
                    deletedAt: deletedAt,
                    revisions: []
                )
            }
            result?.revisions.append(
                MessageRevision(
                    revision: revision,
                    content: content,
                    attachments: Self.decodeAttachments(attachments),
                    writtenAt: writtenAt
                )
            )
        }
        return result
    }
}
