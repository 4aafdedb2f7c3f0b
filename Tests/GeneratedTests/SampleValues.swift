import Foundation
import Generated

/// Realistic values of the spec's types, used to exercise encoding and routing.
enum Sample {
    static let conversationId = "0193a5c0-7c1e-7a00-8000-000000000001"
    static let messageId = "0193a5c0-7c1e-7a00-8000-0000000000aa"
    static let date = Date(timeIntervalSince1970: 1_795_000_000.25)

    static let client = UserSummary(id: "user-client-1", firstName: "Ada", lastName: "Lovelace", avatar: nil)
    static let freelancer = UserSummary(
        id: "user-freelancer-7",
        firstName: "Grace",
        lastName: "Hopper",
        avatar: "https://cdn.example.com/g.png"
    )

    static let message = Message(
        id: messageId,
        conversationId: conversationId,
        sender: client,
        content: "The first draft is ready",
        messageType: .text,
        attachments: [
            Attachment(url: "https://files.example.com/a.pdf", name: "a.pdf", mimeType: "application/pdf", size: 1234)
        ],
        sentAt: date,
        isRead: false,
        clientMessageId: "c-1",
        editedAt: nil,
        deletedAt: nil,
        reactions: [Reaction(emoji: "👍", count: 1, mine: false)]
    )

    static let conversation = Conversation(
        id: conversationId,
        contractId: "contract-42",
        milestoneId: nil,
        kind: .direct,
        participants: [
            ConversationParticipant(user: client, role: .client),
            ConversationParticipant(user: freelancer, role: .freelancer),
        ],
        client: client,
        freelancer: freelancer,
        lastMessage: nil,
        unreadCount: 0,
        isActive: true,
        isArchived: false,
        createdAt: date,
        otherLastReadMessageId: nil,
        otherLastReadAt: nil
    )
}
