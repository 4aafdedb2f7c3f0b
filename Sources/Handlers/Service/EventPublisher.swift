import APIRuntime
import Foundation
import Generated
import Logging

/// Turns what happened into socket events: `new_message` to the conversation room, `message_notification` to the
/// other participants' personal rooms, `messages_read`, `user_typing` with its automatic stop after 5 s.
public final class EventPublisher: Sendable {
    let emitter: MessagesEventEmitter
    let logger: Logger
    let typingTimers: TypingTimers

    public init(sink: any EventSink, logger: Logger, typingTimeout: Duration = .seconds(5)) {
        self.emitter = MessagesEventEmitter(sink: sink)
        self.logger = logger
        self.typingTimers = TypingTimers(timeout: typingTimeout)
    }

    public static func conversationRoom(_ id: String) -> String { "conversation:\(id)" }
    public static func userRoom(_ id: String) -> String { "user:\(id)" }

    /// A system message has no sender among the participants: every participant is notified.
    func messageSent(_ message: Message, participants: [String]) async {
        let senderId = message.messageType == .system ? nil : message.sender.id
        let others = participants.filter { $0 != senderId }.map(Self.userRoom)
        await emit("new_message") {
            try await emitter.newMessage(message, to: .room(Self.conversationRoom(message.conversationId)))
        }
        if !others.isEmpty {
            await emit("message_notification") {
                try await emitter.messageNotification(
                    MessageNotification(conversationId: message.conversationId, message: message),
                    to: senderId.map { EventTarget(rooms: others).excluding(Self.userRoom($0)) }
                        ?? EventTarget(rooms: others)
                )
            }
        }
        if let senderId { await typingTimers.cancel(conversation: message.conversationId, user: senderId) }
    }

    func messagesRead(_ state: ReadState, participants: [String]) async {
        let rooms =
            [Self.conversationRoom(state.conversationId)]
            + participants.filter { $0 != state.userId }.map(Self.userRoom)
        await emit("messages_read") {
            try await emitter.messagesRead(
                MessagesRead(
                    conversationId: state.conversationId,
                    userId: state.userId,
                    readAt: state.readAt,
                    lastReadMessageId: state.lastReadMessageId
                ),
                to: EventTarget(rooms: rooms)
            )
        }
    }

    func typing(conversation: String, user: String, isTyping: Bool) async {
        let target = EventTarget.room(Self.conversationRoom(conversation)).excluding(Self.userRoom(user))
        await emit("user_typing") {
            try await emitter.userTyping(
                UserTyping(conversationId: conversation, userId: user, isTyping: isTyping),
                to: target
            )
        }
        if isTyping {
            await typingTimers.start(conversation: conversation, user: user) { [self] in
                await emit("user_typing") {
                    try await emitter.userTyping(
                        UserTyping(conversationId: conversation, userId: user, isTyping: false),
                        to: target
                    )
                }
            }
        } else {
            await typingTimers.cancel(conversation: conversation, user: user)
        }
    }

    /// Emitting never fails the action that caused it: the message is stored; clients catch up with `after=`.
    func emit(_ event: String, _ work: () async throws -> Void) async {
        do {
            try await work()
        } catch {
            logger.warning("Event not delivered", metadata: ["event": "\(event)", "error": "\(error)"])
        }
    }
}

/// One timer per (conversation, user) that sends `isTyping: false` when no update came for `timeout`.
actor TypingTimers {
    let timeout: Duration
    private var timers: [String: Task<Void, Never>] = [:]

    init(timeout: Duration) {
        self.timeout = timeout
    }

    func start(conversation: String, user: String, onExpiry: @escaping @Sendable () async -> Void) {
        let key = conversation + "|" + user
        timers[key]?.cancel()
        let timeout = timeout
        timers[key] = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self.expired(key)
            await onExpiry()
        }
    }

    func cancel(conversation: String, user: String) {
        timers.removeValue(forKey: conversation + "|" + user)?.cancel()
    }

    private func expired(_ key: String) {
        timers.removeValue(forKey: key)
    }
}
