import APIRuntime
import Foundation
import Generated
import Testing

/// The generated `writeJSON(to:)` of each type (the only encoding the generated types have) writes Foundation's
/// canonical form of its JSON (sorted keys, Foundation's escaping, compact), and what it writes decodes to the same
/// value through the generated `Decodable`.
struct JSONWriterTests {
    static func viaWriter(_ value: some JSONWritable) -> String {
        String(decoding: JSONCoding.encode(value), as: UTF8.self)
    }

    static func expectSameBytes<T: Decodable & JSONWritable & Equatable>(_ value: T) throws {
        let written = viaWriter(value)
        let object = try JSONSerialization.jsonObject(with: Data(written.utf8), options: [.fragmentsAllowed])
        let canonical = try JSONSerialization.data(
            withJSONObject: object,
            options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
        )
        #expect(written == String(decoding: canonical, as: UTF8.self))
        #expect(try JSONCoding.decoder.decode(T.self, from: Data(written.utf8)) == value)
    }

    @Test func messagesAndTheirEnvelopesMatchTheEncoder() throws {
        var unread = Sample.message
        unread.clientMessageId = nil
        unread.attachments = []
        try Self.expectSameBytes(Sample.message)
        try Self.expectSameBytes(unread)
        try Self.expectSameBytes(MessageAck(success: true, message: Sample.message))
        try Self.expectSameBytes(MessageNotification(conversationId: Sample.conversationId, message: Sample.message))
        let list = MessageList(
            messages: [Sample.message, unread],
            total: 2,
            page: 1,
            limit: 20,
            hasMore: false,
            changeCursor: 12
        )
        try Self.expectSameBytes(MessageListResponse(success: true, message: "Messages", data: list))
    }

    @Test func conversationsWithNullsMatchTheEncoder() throws {
        var withLast = Sample.conversation
        withLast.lastMessage = LastMessage(content: "hi", sentAt: Sample.date, senderId: "user-client-1")
        withLast.milestoneId = "m-1"
        withLast.otherLastReadMessageId = Sample.message.id
        withLast.otherLastReadAt = Sample.date
        let list = ConversationList(
            conversations: [Sample.conversation, withLast],
            total: 2,
            page: 1,
            limit: 20,
            totalPages: 1,
            hasMore: false
        )
        try Self.expectSameBytes(ConversationListResponse(success: true, message: "Conversations", data: list))
    }

    @Test func errorAcksAndEnumsMatchTheEncoder() throws {
        for code in ErrorCode.allCases {
            try Self.expectSameBytes(ErrorAck(success: false, error: "No", code: code))
        }
    }

    /// Quotes, backslashes, control characters, slashes and non-ASCII text are escaped as the encoder escapes them.
    @Test(arguments: [
        "plain", "quote \" and backslash \\", "line\nbreak\ttab\r\u{08}\u{0C}", "\u{01}\u{1F}\u{7F}",
        "https://example.com/a/b", "é ✓ 日本 🎉", "",
    ])
    func stringsAreEscapedAsFoundationEscapesThem(text: String) throws {
        var message = Sample.message
        message.content = text
        message.sender.avatar = text
        try Self.expectSameBytes(message)
    }
}
