import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    struct NewMessage: Sendable {
        var conversationId: UUID
        var senderId: String
        var content: String
        var messageType: MessageType
        var attachments: [Attachment]
        var clientMessageId: String?
    }

    /// Stores a message and updates the conversation and the unread counts (in one statement, batched with other
    /// sends under load), and returns it as its sender sees it. With a `clientMessageId` already used by this
    /// sender in this conversation it stores nothing and returns the existing message with `created == false`
    /// (true when the first attempt's outcome was unknown and its event is still to be emitted).
    /// Nil when nothing was stored otherwise: the conversation's contract is no longer active.
    func insert(_ message: NewMessage) async throws -> (message: Message, created: Bool)? {
        let id = UUIDv7.make()
        let attachments =
            message.attachments.isEmpty
            ? "[]" : String(decoding: JSONCoding.encode(message.attachments), as: UTF8.self)
        if let stored = try await inserts.insert(.init(id: id, message: message, attachmentsJSON: attachments)) {
            let sender = UserSummary(
                id: message.senderId,
                firstName: stored.firstName,
                lastName: stored.lastName,
                avatar: stored.avatar
            )
            let message = Message(
                id: stored.id.lowercased,
                conversationId: message.conversationId.lowercased,
                sender: sender,
                content: message.content,
                messageType: message.messageType,
                attachments: message.attachments,
                sentAt: stored.sentAt,
                // Nobody else has seen a message that was just stored.
                isRead: false,
                clientMessageId: message.clientMessageId,
                editedAt: nil,
                deletedAt: nil,
                reactions: []
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
        // A retry of a message whose first answer was a failure of unknown outcome: its event was never emitted.
        let announced = UUID(uuidString: existing.id).map { !inserts.unsettled.settle($0) } ?? true
        return (existing, !announced)
    }

    /// A sender's message found by its idempotency key, as the sender sees it (a retry's answer). Its columns are a
    /// history row's (see `message(in:conversation:viewer:)`).
    func fetchMessage(clientMessageId: String, conversation: UUID, sender: String) async throws -> Message? {
        let rows = try await client.query(
            """
            SELECT 0, NULL::uuid, o.last_read_message_id, \(unescaped: Self.messageColumns)
            FROM messages m LEFT JOIN users u ON u.id = m.sender_id
            LEFT JOIN LATERAL (
                SELECT o.last_read_message_id FROM conversation_participants o
                WHERE o.conversation_id = m.conversation_id AND o.user_id <> \(sender)
                ORDER BY o.last_read_message_id NULLS FIRST LIMIT 1
            ) o ON true
            WHERE m.conversation_id = \(conversation) AND m.sender_id = \(sender) AND m.client_message_id = \(clientMessageId)
            """,
            logger: logger
        )
        for try await row in rows {
            return try message(in: row.makeRandomAccess(), conversation: conversation, viewer: sender).message
        }
        return nil
    }

    /// The conversation a message belongs to, whoever asks (the caller's access is checked next).
    func conversation(ofMessage id: UUID) async throws -> UUID? {
        let rows = try await client.query("SELECT conversation_id FROM messages WHERE id = \(id)", logger: logger)
        for try await conversation in rows.decode(UUID.self) { return conversation }
        return nil
    }

    /// Where a history page starts: the newest messages, or next to one or two cursor messages (exclusive).
    enum Cursor: Sendable {
        case newest
        case before(UUID)
        case after(UUID)
        case between(after: UUID, before: UUID)

        /// Whether the statement returns the page newest first (it is handed out oldest first).
        var isBackwards: Bool {
            switch self {
            case .newest, .before: true
            case .after, .between: false
            }
        }
    }

    /// Page `page` (from 1) of `limit` messages in the cursor's direction, in chronological order, `hasMore`
    /// telling whether more lie beyond it in that direction, the conversation's message count and its latest change
    /// (the change cursor); nil when `viewer` does not take part in the conversation. One statement and one round
    /// trip (see `HistoryStatements`).
    func messages(
        conversation: UUID,
        viewer: String,
        cursor: Cursor,
        page number: Int,
        limit: Int
    ) async throws
        -> (messages: [Message], total: Int, hasMore: Bool, changeCursor: Int64)?
    {
        let (offset, fetch) = ((number - 1) * limit, limit + 1)
        let found = try await page(of: cursor, conversation: conversation, viewer: viewer, limit: fetch, offset: offset)
        guard let found else { return nil }
        var page = found.page
        let hasMore = page.count > limit
        if hasMore { page.removeLast() }
        if cursor.isBackwards { page.reverse() }
        return (page, found.total, hasMore, found.changeCursor)
    }

    /// The history statement of a cursor, run.
    private func page(
        of cursor: Cursor,
        conversation: UUID,
        viewer: String,
        limit: Int,
        offset: Int
    ) async throws -> (page: [Message], total: Int, changeCursor: Int64)? {
        switch cursor {
        case .newest:
            try await page(
                HistoryStatements.NewestMessages(
                    conversation: conversation,
                    viewer: viewer,
                    limit: limit,
                    offset: offset
                )
            )
        case .before(let id):
            try await page(
                HistoryStatements.MessagesBefore(
                    conversation: conversation,
                    viewer: viewer,
                    cursor: id,
                    limit: limit,
                    offset: offset
                )
            )
        case .after(let id):
            try await page(
                HistoryStatements.MessagesAfter(
                    conversation: conversation,
                    viewer: viewer,
                    cursor: id,
                    limit: limit,
                    offset: offset
                )
            )
        case .between(let after, let before):
            try await page(
                HistoryStatements.MessagesBetween(
                    conversation: conversation,
                    viewer: viewer,
                    after: after,
                    before: before,
                    limit: limit,
                    offset: offset
                )
            )
        }
    }

    /// Runs one history statement: its messages in statement order, the message count and the latest change, or
    /// nil without a row.
    private func page(_ statement: some HistoryPage) async throws -> (page: [Message], total: Int, changeCursor: Int64)?
    {
        var found: (total: Int, changeCursor: Int64)?
        var page: [Message] = []
        for try await row in try await client.execute(statement, logger: logger) {
            let columns = row.makeRandomAccess()
            found = (try columns[0].decode(Int.self), try columns[16].decode(Int64.self))
            // An empty page is one row whose message columns are null.
            if columns[3].bytes == nil { continue }
            page.append(
                try message(in: columns, conversation: statement.conversation, viewer: statement.viewer).message
            )
        }
        return found.map { (page, $0.total, $0.changeCursor) }
    }

    /// How far the viewer and the other participants (the least advanced of them) have read a conversation.
    struct ReadPositions: Sendable {
        var viewer: UUID?
        var others: UUID?

        /// Whether the recipients of a message have read it: the others for the viewer's own message, the viewer
        /// for someone else's, everyone for a system message. Both participants get the same answer.
        func recipientsHaveRead(_ id: UUID, sender: String, type: MessageType, viewer viewerId: String) -> Bool {
            func covers(_ position: UUID?) -> Bool { position.map { id == $0 || id.isOrdered(before: $0) } ?? false }
            if type == .system { return covers(viewer) && covers(others) }
            return sender == viewerId ? covers(others) : covers(viewer)
        }
    }

    /// The message of a history row as `viewer` sees it, and its reactions as everyone's; `isRead` tells whether
    /// its recipients have read it. The row's columns: the conversation's message count, the viewer's and the
    /// others' read positions, then the message's id, sender id (null for a system message), first name, last name,
    /// avatar, content, type, attachments (JSON text), sending time, client message id, edit time, deletion time and
    /// reactions (`reactionsColumn`). A deleted message is its tombstone: no content, attachments or reactions.
    func message(
        in columns: PostgresRandomAccessRow,
        conversation: UUID,
        viewer: String
    ) throws -> (message: Message, reactions: [ReactionGroup]) {
        // Column by column with concrete types: decoding the row as one tuple went through unspecialized generic
        // code for each of its 600 cells a page (the largest cost of a history request; optimisation record,
        // step 21).
        let id = try columns[3].decode(UUID.self)
        let sender =
            switch try columns[4].decode(String?.self) {
            case let senderId?:
                UserSummary(
                    id: senderId,
                    firstName: try columns[5].decode(String.self),
                    lastName: try columns[6].decode(String.self),
                    avatar: try columns[7].decode(String?.self)
                )
            case nil: Self.systemSender
            }
        let type = MessageType(rawValue: try columns[9].decode(String.self)) ?? .text
        let deletedAt = try columns[14].decode(Date?.self)
        let reactions = deletedAt == nil ? Self.decodeReactions(try columns[15].decode(String?.self)) : []
        let reads = ReadPositions(viewer: try columns[1].decode(UUID?.self), others: try columns[2].decode(UUID?.self))
        let message = Message(
            id: id.lowercased,
            conversationId: conversation.lowercased,
            sender: sender,
            content: deletedAt == nil ? try columns[8].decode(String.self) : "",
            messageType: type,
            attachments: deletedAt == nil ? Self.decodeAttachments(try columns[10].decode(String?.self) ?? "[]") : [],
            sentAt: try columns[11].decode(Date.self),
            isRead: reads.recipientsHaveRead(id, sender: sender.id, type: type, viewer: viewer),
            clientMessageId: try columns[12].decode(String?.self),
            editedAt: try columns[13].decode(Date?.self),
            deletedAt: deletedAt,
            reactions: reactions.reactions(for: viewer)
        )
        return (message, reactions)
    }

    /// Stored attachments (JSON text); most messages have none, and skip the JSON decoder.
    static func decodeAttachments(_ json: String) -> [Attachment] {
        json == "[]" ? [] : (try? JSONCoding.decoder.decode([Attachment].self, from: Data(json.utf8))) ?? []
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
