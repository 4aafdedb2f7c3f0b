import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// The sender shown for messages the service writes itself (they have no sender row).
    static let systemSender = UserSummary(id: "system", firstName: "System", lastName: "", avatar: nil)

    /// A system message just stored, and who takes part in its conversation (for the events).
    struct SystemNotice: Sendable {
        var message: Message
        var participants: [String]
    }

    /// The texts of the system messages a contract update writes: a status change into each of the contract's
    /// conversations, each new milestone into the contract's main conversation.
    static func contractNotices(
        previousStatus: String?,
        status: String,
        newMilestones: [(id: String, title: String?)]
    ) -> (statusText: String?, milestoneTexts: [String]) {
        var statusText: String?
        if let previousStatus, previousStatus != status {
            statusText =
                switch status {
                case "completed": "The contract was marked as completed."
                case "cancelled": "The contract was cancelled."
                case "paused": "The contract was paused."
                default: "The contract was reopened."
                }
        }
        let milestoneTexts = newMilestones.map { "Milestone added: \($0.title ?? $0.id)." }
        return (statusText, milestoneTexts)
    }

    /// Writes the system messages of a contract update inside its transaction; the caller emits their events after
    /// the commit. Nothing is written into conversations that do not exist yet.
    func writeContractNotices(
        contractId: String,
        statusText: String?,
        milestoneTexts: [String],
        on connection: PostgresConnection
    ) async throws -> [SystemNotice] {
        guard statusText != nil || !milestoneTexts.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT id, milestone_id IS NULL AND kind = 'direct' FROM conversations WHERE contract_id = \(contractId)
            ORDER BY id FOR UPDATE
            """,
            logger: logger
        )
        var notices: [SystemNotice] = []
        for try await (conversation, isMain) in rows.decode((UUID, Bool).self) {
            var texts = statusText.map { [$0] } ?? []
            if isMain { texts += milestoneTexts }
            for text in texts {
                notices.append(try await writeSystemMessage(text, conversation: conversation, on: connection))
            }
        }
        // The indexer runs a moment later, after this transaction's commit (or finds them at its next look).
        if !notices.isEmpty { pendingSearch.added() }
        return notices
    }

    /// Stores one system message and updates the conversation and both participants' unread counts (a system
    /// message is news to everyone in the conversation).
    func writeSystemMessage(
        _ content: String,
        conversation: UUID,
        on connection: PostgresConnection
    ) async throws -> SystemNotice {
        let id = UUIDv7.make()
        let sentAt = Date()
        let rows = try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO messages (id, conversation_id, sender_id, content, message_type, sent_at)
                SELECT message_id_after(\(id), c.last_message_id, 1), c.id, NULL, \(content), 'system', \(sentAt)
                FROM conversations c WHERE c.id = \(conversation)
                RETURNING id, sent_at
            ), conversation AS (
                UPDATE conversations c
                SET last_message_id = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_id ELSE inserted.id END,
                    last_message_at = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_at ELSE inserted.sent_at END,
                    last_message_content = CASE WHEN c.last_message_id >= inserted.id
                                                THEN c.last_message_content ELSE \(content) END,
                    last_message_sender = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_sender END,
                    message_count = c.message_count + 1
                FROM inserted WHERE c.id = \(conversation)
            ), participants AS (
                UPDATE conversation_participants p
                SET unread_count = p.unread_count + 1, last_activity_at = greatest(p.last_activity_at, inserted.sent_at)
                FROM inserted WHERE p.conversation_id = \(conversation)
            )
            SELECT inserted.id, inserted.sent_at,
                   array(SELECT p.user_id FROM conversation_participants p WHERE p.conversation_id = \(conversation)
                         ORDER BY p.role)
            FROM inserted
            """,
            logger: logger
        )
        var (storedId, stored, participants) = (id, sentAt, [String]())
        for try await (rowId, time, users) in rows.decode((UUID, Date, [String]).self) {
            (storedId, stored, participants) = (rowId, time, users)
        }
        let message = Message(
            id: storedId.lowercased,
            conversationId: conversation.lowercased,
            sender: Self.systemSender,
            content: content,
            messageType: .system,
            attachments: [],
            sentAt: stored,
            isRead: false,
            clientMessageId: nil,
            editedAt: nil,
            deletedAt: nil,
            reactions: []
        )
        return SystemNotice(message: message, participants: participants)
    }
}
