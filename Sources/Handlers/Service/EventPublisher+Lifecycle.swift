import APIRuntime
import Generated

/// The events of a message's later life. Each goes to every participant's personal room, which holds all of that
/// participant's sockets (those in the conversation room among them): a reaction's `mine` differs between the
/// participants, so each gets the payload as they see it.
extension EventPublisher {
    func messageUpdated(_ message: Message, reactions: [ReactionGroup], participants: [String]) async {
        for participant in participants {
            var seen = message
            seen.reactions = reactions.reactions(for: participant)
            await emit("message_updated") {
                try await emitter.messageUpdated(seen, to: .room(Self.userRoom(participant)))
            }
        }
    }

    /// A tombstone has no reactions: one payload for everyone.
    func messageDeleted(_ tombstone: Message, participants: [String]) async {
        await emit("message_deleted") {
            try await emitter.messageDeleted(tombstone, to: EventTarget(rooms: participants.map(Self.userRoom)))
        }
    }

    func reactionsChanged(
        conversation: String,
        message: String,
        by user: String,
        emoji: String,
        on: Bool,
        reactions: [ReactionGroup],
        participants: [String]
    ) async {
        for participant in participants {
            let payload = MessageReactionsChanged(
                conversationId: conversation,
                messageId: message,
                userId: user,
                emoji: emoji,
                on: on,
                reactions: reactions.reactions(for: participant)
            )
            await emit("message_reactions") {
                try await emitter.messageReactions(payload, to: .room(Self.userRoom(participant)))
            }
        }
    }
}
