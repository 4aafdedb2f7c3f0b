import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// The JSON body of an event as the receiver gets it (`api-spec/asyncapi.yaml`, channel `webhooks`), read
    /// when it is first sent: a message as its recipient sees it then. Nil when what the event reports is gone.
    func webhookBody(for event: WebhookEventRow) async throws -> String? {
        let id = event.eventId.lowercased
        let body: Data?
        switch event.type {
        case .messageCreated:
            body = try await messageCreated(event).map {
                JSONCoding.encode(WebhookMessageCreated(id: id, type: event.type, createdAt: event.createdAt, data: $0))
            }
        case .messageUnreadReminder:
            body = try await unreadReminder(event).map {
                JSONCoding.encode(WebhookUnreadReminder(id: id, type: event.type, createdAt: event.createdAt, data: $0))
            }
        case .messageRead:
            body = readEvent(event).map {
                JSONCoding.encode(WebhookMessageRead(id: id, type: event.type, createdAt: event.createdAt, data: $0))
            }
        case .disputeMessage:
            body = try await recipientsMessage(event).map {
                JSONCoding.encode(
                    WebhookDisputeMessage(
                        id: id,
                        type: event.type,
                        createdAt: event.createdAt,
                        data: WebhookDisputeMessageData(
                            mediatorId: $0.user,
                            conversationId: event.conversation.lowercased,
                            contractId: $0.contract,
                            message: $0.message
                        )
                    )
                )
            }
        case .conversationCreated:
            body = try await conversationCreated(event).map {
                JSONCoding.encode(
                    WebhookConversationCreated(id: id, type: event.type, createdAt: event.createdAt, data: $0)
                )
            }
        }
        return body.map { String(decoding: $0, as: UTF8.self) }
    }

    private func messageCreated(_ event: WebhookEventRow) async throws -> WebhookMessageCreatedData? {
        try await recipientsMessage(event).map {
            WebhookMessageCreatedData(
                recipientId: $0.user,
                conversationId: event.conversation.lowercased,
                contractId: $0.contract,
                milestoneId: $0.milestone,
                message: $0.message
            )
        }
    }

    private func unreadReminder(_ event: WebhookEventRow) async throws -> WebhookUnreadReminderData? {
        try await recipientsMessage(event).map {
            WebhookUnreadReminderData(
                recipientId: $0.user,
                conversationId: event.conversation.lowercased,
                contractId: $0.contract,
                milestoneId: $0.milestone,
                unreadCount: max(1, Self.detail("unreadCount", of: event) ?? 1),
                latestMessage: $0.message
            )
        }
    }

    /// The event's recipient, its conversation's contract and milestone, and its message as the recipient sees it.
    private func recipientsMessage(
        _ event: WebhookEventRow
    ) async throws -> (user: String, contract: String, milestone: String?, message: Message)? {
        guard let user = event.user, let messageId = event.message,
            let (contract, milestone) = try await contractOf(event.conversation),
            let message = try await webhookMessage(messageId, conversation: event.conversation, viewer: user)
        else { return nil }
        return (user, contract, milestone, message)
    }

    private func readEvent(_ event: WebhookEventRow) -> MessagesRead? {
        guard let user = event.user, let micros = Self.detail("readAtMicros", of: event) else { return nil }
        return MessagesRead(
            conversationId: event.conversation.lowercased,
            userId: user,
            readAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000),
            lastReadMessageId: event.message?.lowercased
        )
    }

    private func conversationCreated(_ event: WebhookEventRow) async throws -> WebhookConversationCreatedData? {
        let rows = try await client.query(
            """
            SELECT c.contract_id, c.milestone_id, p.user_id, p.role
            FROM conversations c JOIN conversation_participants p ON p.conversation_id = c.id
            WHERE c.id = \(event.conversation)
            ORDER BY p.role, p.user_id
            """,
            logger: logger
        )
        var conversation: (contract: String, milestone: String?)?
        var participants: [WebhookParticipant] = []
        for try await (contract, milestone, user, role) in rows.decode((String, String?, String, String).self) {
            conversation = (contract, milestone)
            if let role = ParticipantRole(rawValue: role) {
                participants.append(WebhookParticipant(userId: user, role: role))
            }
        }
        guard let conversation else { return nil }
        return WebhookConversationCreatedData(
            conversationId: event.conversation.lowercased,
            contractId: conversation.contract,
            milestoneId: conversation.milestone,
            participants: participants
        )
    }

    private func contractOf(_ conversation: UUID) async throws -> (String, String?)? {
        let rows = try await client.query(
            "SELECT contract_id, milestone_id FROM conversations WHERE id = \(conversation)",
            logger: logger
        )
        for try await (contract, milestone) in rows.decode((String, String?).self) { return (contract, milestone) }
        return nil
    }

    private func webhookMessage(_ id: UUID, conversation: UUID, viewer: String) async throws -> Message? {
        let rows = try await client.query(
            Self.singleMessageQuery(id, conversation: conversation, viewer: viewer),
            logger: logger
        )
        for try await row in rows {
            return try message(in: row.makeRandomAccess(), conversation: conversation, viewer: viewer).message
        }
        return nil
    }

    /// A whole number in the event's `details`.
    private static func detail(_ key: String, of event: WebhookEventRow) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.details.utf8)) as? [String: Any],
            let number = object[key] as? NSNumber
        else { return nil }
        return number.intValue
    }
}
