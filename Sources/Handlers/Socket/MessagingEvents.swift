import APIRuntime
import Generated
import SocketIO

/// Who emitted a socket event: the authenticated user and their socket.
public struct SocketCaller: Sendable {
    public var userId: String
    public var socket: Socket
}

/// The socket events of api-spec/asyncapi.yaml over `MessagingService`.
public struct MessagingEvents: MessagesEventHandler {
    public let service: MessagingService

    public init(service: MessagingService) {
        self.service = service
    }

    public func joinConversation(_ payload: ConversationRef, connection: SocketCaller) async throws -> OkAck {
        let access = try await service.access(payload.conversationId, user: connection.userId)
        connection.socket.join(EventPublisher.conversationRoom(access.conversationId.lowercased))
        return OkAck()
    }

    public func leaveConversation(_ payload: ConversationRef, connection: SocketCaller) async throws -> OkAck {
        connection.socket.leave(EventPublisher.conversationRoom(payload.conversationId.lowercased()))
        return OkAck()
    }

    public func sendMessage(_ payload: SocketSendMessage, connection: SocketCaller) async throws -> MessageAck {
        let written = try await service.send(
            to: payload.conversationId,
            from: connection.userId,
            content: payload.content,
            type: try MessagingService.storedType(payload.messageType),
            attachments: payload.attachments,
            clientMessageId: payload.clientMessageId
        )
        return MessageAck(message: written.message, contactDetailsHidden: written.contactDetailsHidden)
    }

    public func createMessage(_ payload: CreateMessageRequest, connection: SocketCaller) async throws -> MessageAck {
        let written = try await service.create(payload, from: connection.userId)
        return MessageAck(message: written.message, contactDetailsHidden: written.contactDetailsHidden)
    }

    public func typing(_ payload: TypingUpdate, connection: SocketCaller) async throws -> OkAck {
        try await service.typing(payload.conversationId, user: connection.userId, isTyping: payload.isTyping)
        return OkAck()
    }

    public func markAsRead(_ payload: ConversationRef, connection: SocketCaller) async throws -> ReadAck {
        let state = try await service.markRead(payload.conversationId, reader: connection.userId)
        return ReadAck(readAt: state.readAt, lastReadMessageId: state.lastReadMessageId, unreadCount: state.unreadCount)
    }

    public func editMessage(_ payload: SocketEditMessage, connection: SocketCaller) async throws -> MessageAck {
        let written = try await service.edit(
            payload.messageId,
            in: payload.conversationId,
            by: connection.userId,
            content: payload.content
        )
        return MessageAck(message: written.message, contactDetailsHidden: written.contactDetailsHidden)
    }

    public func deleteMessage(_ payload: MessageRef, connection: SocketCaller) async throws -> MessageAck {
        MessageAck(
            message: try await service.delete(payload.messageId, in: payload.conversationId, by: connection.userId)
        )
    }

    public func react(_ payload: ReactionUpdate, connection: SocketCaller) async throws -> ReactionsAck {
        let reactions = try await service.react(
            payload.messageId,
            in: payload.conversationId,
            by: connection.userId,
            emoji: payload.emoji,
            on: payload.on
        )
        return ReactionsAck(
            conversationId: reactions.conversationId,
            messageId: reactions.messageId,
            reactions: reactions.reactions
        )
    }
}
