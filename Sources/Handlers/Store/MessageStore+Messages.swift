import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    struct NewMessage: Sendable {
        var conversationId: UUID
        var senderId: String
        var content: String
        var messageType: String
        var attachments: [Attachment]
        var clientMessageId: String?
    }

    /// Stores a message and updates the conversation and the unread counts (in one statement, batched with other
    /// sends under load), and returns it as its sender sees it. With a `clientMessageId` already used by this
    /// sender in this conversation it stores nothing and returns the existing message with `created == false`.
    /// Nil when nothing was stored otherwise: the conversation's contract is no longer active.
    func insert(_ message: NewMessage) async throws -> (message: Message, created: Bool)? {
        let id = UUIDv7.make()
        let attachments =
            message.attachments.isEmpty
            ? "[]" : String(decoding: try JSONCoding.encode(message.attachments), as: UTF8.self)
        if let stored = try await inserts.insert(.init(id: id, message: message, attachmentsJSON: attachments)) {
            let sender = UserSummary(
                id: message.senderId,
                firstName: stored.firstName,
                lastName: stored.lastName,
                avatar: stored.avatar
            )
            let message = Message(
                id: id.lowercased,
                conversationId: message.conversationId.lowercased,
                sender: sender,
                content: message.content,
                messageType: MessageType(rawValue: message.messageType) ?? .text,
                attachments: message.attachments,
                sentAt: stored.sentAt,
                isRead: true,
                clientMessageId: message.clientMessageId
            )
            return (message, true)
        }
        guard let clientMessageId = message.clientMessageId,
            let existing = try await fetchMessage(
                clientMessageId: clientMessageId,
                conversation: message.conversationId,
                sender: message.senderId
            )
        else { return nil }
        return (existing, false)
    }

    static let messageColumns = """
        m.id, m.conversation_id, m.sender_id, u.first_name, u.last_name, u.avatar, m.content, m.message_type,
        m.attachments::text, m.sent_at, m.client_message_id
        """

    func fetchMessage(clientMessageId: String, conversation: UUID, sender: String) async throws -> Message? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.messageColumns), p.last_read_message_id
            FROM messages m JOIN users u ON u.id = m.sender_id
            LEFT JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = \(sender)
            WHERE m.conversation_id = \(conversation) AND m.sender_id = \(sender) AND m.client_message_id = \(clientMessageId)
            """,
            logger: logger
        )
        return try await decodeMessages(rows, viewer: sender).first
    }

    enum Cursor: Sendable {
        case page(Int)
        case before(UUID)
        case after(UUID)
    }

    /// One page of messages in chronological order, `hasMore` telling whether more lie in the page's direction, and
    /// the conversation's message count; nil when `viewer` does not take part in the conversation. One statement
    /// and one round trip (see `HistoryStatements`).
    func messages(
        conversation: UUID,
        viewer: String,
        cursor: Cursor,
        limit: Int
    ) async throws
        -> (messages: [Message], total: Int, hasMore: Bool)?
    {
        let found: (page: [Message], total: Int)? =
            switch cursor {
            case .page(let number):
                try await page(
                    HistoryStatements.NewestMessages(
                        conversation: conversation,
                        viewer: viewer,
                        limit: limit + 1,
                        offset: (number - 1) * limit
                    )
                )
            case .before(let id):
                try await page(
                    HistoryStatements.MessagesBefore(
                        conversation: conversation,
                        viewer: viewer,
                        cursor: id,
                        limit: limit + 1
                    )
                )
            case .after(let id):
                try await page(
                    HistoryStatements.MessagesAfter(
                        conversation: conversation,
                        viewer: viewer,
                        cursor: id,
                        limit: limit + 1
                    )
                )
            }
        guard let found else { return nil }
        var page = found.page
        let hasMore = page.count > limit
        if hasMore { page.removeLast() }
        if case .after = cursor {} else { page.reverse() }
        return (page, found.total, hasMore)
    }

    /// Runs one history statement: its messages in statement order and the message count, or nil without a row.
    private func page(_ statement: some HistoryPage) async throws -> (page: [Message], total: Int)? {
        var total: Int?
        var page: [Message] = []
        for try await row in try await client.execute(statement, logger: logger) {
            // Column by column with concrete types: decoding the row as one tuple went through unspecialized generic
            // code for each of its 600 cells a page (14 % of a history request's CPU).
            let columns = row.makeRandomAccess()
            total = try columns[0].decode(Int.self)
            // An empty page is one row whose message columns are null.
            if columns[2].bytes == nil { continue }
            page.append(
                makeMessage(
                    id: try columns[2].decode(UUID.self),
                    conversationId: statement.conversation,
                    sender: UserSummary(
                        id: try columns[3].decode(String.self),
                        firstName: try columns[4].decode(String.self),
                        lastName: try columns[5].decode(String.self),
                        avatar: try columns[6].decode(String?.self)
                    ),
                    content: try columns[7].decode(String.self),
                    type: try columns[8].decode(String.self),
                    attachmentsJSON: try columns[9].decode(String?.self) ?? "[]",
                    sentAt: try columns[10].decode(Date.self),
                    clientMessageId: try columns[11].decode(String?.self),
                    viewer: statement.viewer,
                    lastRead: try columns[1].decode(UUID?.self)
                )
            )
        }
        return total.map { (page, $0) }
    }

    private func decodeMessages(
        _ rows: some AsyncSequence<PostgresRow, any Error>,
        viewer: String
    ) async throws -> [Message] {
        var result: [Message] = []
        for try await row in rows {
            let (
                id, conversationId, senderId, firstName, lastName, avatar, content, type, attachmentsJSON, sentAt,
                clientMessageId, lastRead
            ) =
                try row.decode(
                    (UUID, UUID, String, String, String, String?, String, String, String, Date, String?, UUID?).self
                )
            result.append(
                makeMessage(
                    id: id,
                    conversationId: conversationId,
                    sender: UserSummary(id: senderId, firstName: firstName, lastName: lastName, avatar: avatar),
                    content: content,
                    type: type,
                    attachmentsJSON: attachmentsJSON,
                    sentAt: sentAt,
                    clientMessageId: clientMessageId,
                    viewer: viewer,
                    lastRead: lastRead
                )
            )
        }
        return result
    }

    /// A stored message as `viewer` sees it: read when the viewer sent it or has read up to it or past it.
    private func makeMessage(
        id: UUID,
        conversationId: UUID,
        sender: UserSummary,
        content: String,
        type: String,
        attachmentsJSON: String,
        sentAt: Date,
        clientMessageId: String?,
        viewer: String,
        lastRead: UUID?
    ) -> Message {
        // Most messages have none: skip the JSON decoder for them.
        let attachments =
            attachmentsJSON == "[]"
            ? []
            : (try? JSONCoding.decoder.decode([Attachment].self, from: Data(attachmentsJSON.utf8))) ?? []
        let isRead = sender.id == viewer || lastRead.map { id.isOrdered(before: $0) || id == $0 } ?? false
        return Message(
            id: id.lowercased,
            conversationId: conversationId.lowercased,
            sender: sender,
            content: content,
            messageType: MessageType(rawValue: type) ?? .text,
            attachments: attachments,
            sentAt: sentAt,
            isRead: isRead,
            clientMessageId: clientMessageId
        )
    }
}

extension UUID {
    /// Byte order, which for version-7 ids is the order they were minted in (the order PostgreSQL sorts uuids).
    func isOrdered(before other: UUID) -> Bool {
        withUnsafeBytes(of: uuid) { left in
            withUnsafeBytes(of: other.uuid) { right in
                left.lexicographicallyPrecedes(right)
            }
        }
    }
}
