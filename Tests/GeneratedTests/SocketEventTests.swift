import APIRuntime
import ContractTesting
import Foundation
import Generated
import Logging
import Testing

/// Records what the handler received; answers like the messaging service would.
struct ProbeEvents: MessagesEventHandler {
    typealias Connection = String

    func joinConversation(_ payload: ConversationRef, connection: String) async throws -> OkAck {
        guard payload.conversationId == Sample.conversationId else { throw APIError.notFound("Conversation not found") }
        return OkAck()
    }

    func leaveConversation(_ payload: ConversationRef, connection: String) async throws -> OkAck { OkAck() }

    func sendMessage(_ payload: SocketSendMessage, connection: String) async throws -> MessageAck {
        var message = Sample.message
        message.content = payload.content
        message.clientMessageId = payload.clientMessageId
        return MessageAck(message: message)
    }

    func createMessage(_ payload: CreateMessageRequest, connection: String) async throws -> MessageAck {
        MessageAck(message: Sample.message)
    }

    func typing(_ payload: TypingUpdate, connection: String) async throws -> OkAck { OkAck() }

    func markAsRead(_ payload: ConversationRef, connection: String) async throws -> ReadAck {
        ReadAck(readAt: Sample.date, lastReadMessageId: nil, unreadCount: 0)
    }

    func editMessage(_ payload: SocketEditMessage, connection: String) async throws -> MessageAck {
        var message = Sample.message
        message.content = payload.content
        message.editedAt = Sample.date
        return MessageAck(message: message)
    }

    func deleteMessage(_ payload: MessageRef, connection: String) async throws -> MessageAck {
        var message = Sample.message
        (message.content, message.attachments, message.reactions, message.deletedAt) = ("", [], [], Sample.date)
        return MessageAck(message: message)
    }

    func react(_ payload: ReactionUpdate, connection: String) async throws -> ReactionsAck {
        ReactionsAck(
            conversationId: Sample.conversationId,
            messageId: payload.messageId,
            reactions: payload.on ? [Reaction(emoji: payload.emoji, count: 1, mine: true)] : []
        )
    }
}

actor RecordingSink: EventSink {
    var emitted: [(event: String, argument: Data, target: EventTarget, replayable: Bool)] = []

    func emit(event: String, argument: Data, to target: EventTarget, replayable: Bool) async throws {
        emitted.append((event, argument, target, replayable))
    }
}

@Suite struct SocketEventTests {
    let spec = Result { try SpecConformance.projectSpec() }
    let dispatcher = MessagesEventDispatcher(handler: ProbeEvents(), logger: Logger(label: "test"))

    func dispatch(_ event: String, _ payload: String?) async throws -> JSONValue {
        let outcome = await dispatcher.dispatch(
            event: event,
            arguments: payload.map { [Data($0.utf8)] } ?? [],
            connection: "socket-1"
        )
        #expect(try spec.get().problems(ackOf: event, ack: outcome.ack) == [], "\(event)")
        let json = try JSONValue.parse(outcome.ack)
        // The outcome names the error code the ack carries, and none for a success.
        #expect(outcome.errorCode == json["code"]?.string)
        return json
    }

    @Test func eachEventDrawsFromTheBudgetTheSpecNames() {
        let budgets = Dictionary(
            uniqueKeysWithValues: MessagesChannel.ClientEvent.allCases.map { ($0.rawValue, $0.rateLimit) }
        )
        #expect(budgets["send_message"] == .send && budgets["create_message"] == .send)
        #expect(budgets["typing"] == .typing)
        #expect(budgets["join_conversation"] == .events && budgets["mark_as_read"] == .events)
        #expect(budgets["edit_message"] == .send && budgets["delete_message"] == .send && budgets["react"] == .events)
        #expect(MessagesChannel.ClientEvent.allCases.map(\.rawValue) == MessagesChannel.clientEvents)
    }

    @Test func everyClientEventAcksWithItsReply() async throws {
        let ref = #"{"conversationId":"\#(Sample.conversationId)"}"#
        #expect(try await dispatch("join_conversation", ref)["success"]?.bool == true)
        #expect(try await dispatch("leave_conversation", ref)["success"]?.bool == true)
        let sent = try await dispatch(
            "send_message",
            #"{"conversationId":"\#(Sample.conversationId)","content":"hey","clientMessageId":"k-1"}"#
        )
        #expect(sent["message"]?["content"]?.string == "hey")
        #expect(sent["message"]?["clientMessageId"]?.string == "k-1")
        #expect(try await dispatch("create_message", #"{"contractId":"c-1","content":"x"}"#)["success"]?.bool == true)
        #expect(
            try await dispatch("typing", #"{"conversationId":"\#(Sample.conversationId)","isTyping":true}"#)["success"]?
                .bool == true
        )
        #expect(try await dispatch("mark_as_read", ref)["unreadCount"]?.int == 0)
        let message = #""messageId":"\#(Sample.messageId)""#
        #expect(
            try await dispatch("edit_message", "{\(message),\"content\":\"new\"}")["message"]?["content"]?.string
                == "new"
        )
        #expect(try await dispatch("delete_message", "{\(message)}")["message"]?["content"]?.string == "")
        let reacted = try await dispatch("react", "{\(message),\"emoji\":\"👍\",\"on\":true}")
        #expect(reacted["reactions"]?[0]?["mine"]?.bool == true)
        let noOn = try await dispatch("react", "{\(message),\"emoji\":\"👍\"}")
        #expect(noOn["code"]?.string == "VALIDATION_FAILED")
        let empty = try await dispatch("edit_message", "{\(message),\"content\":\"\"}")
        #expect(empty["code"]?.string == "VALIDATION_FAILED")
    }

    @Test func badPayloadsGetOneErrorAck() async throws {
        let tooLong = String(repeating: "x", count: 10_001)
        let long = try await dispatch(
            "send_message",
            #"{"conversationId":"\#(Sample.conversationId)","content":"\#(tooLong)"}"#
        )
        #expect(long["code"]?.string == "VALIDATION_FAILED")
        #expect(long["error"]?.string == "content: must be at most 10000 characters")
        let notUUID = try await dispatch("join_conversation", #"{"conversationId":"42"}"#)
        #expect(notUUID["error"]?.string == "conversationId: must be a UUID")
        let wrongType = try await dispatch(
            "typing",
            #"{"conversationId":"\#(Sample.conversationId)","isTyping":"yes"}"#
        )
        #expect(wrongType["error"]?.string == "isTyping: must be a boolean")
        let missing = try await dispatch("mark_as_read", nil)
        #expect(missing["code"]?.string == "VALIDATION_FAILED")
        let notObject = try await dispatch("mark_as_read", #""just a string""#)
        #expect(notObject["code"]?.string == "VALIDATION_FAILED")
    }

    @Test func handlerErrorsBecomeErrorAcks() async throws {
        let ack = try await dispatch("join_conversation", #"{"conversationId":"0193a5c0-7c1e-7a00-8000-0000000000ff"}"#)
        #expect(ack["success"]?.bool == false)
        #expect(ack["code"]?.string == "NOT_FOUND")
    }

    @Test func unknownEventsAreAcknowledgedAsErrors() async throws {
        let ack = await dispatcher.dispatch(event: "drop_tables", arguments: [], connection: "socket-1")
        let json = try JSONValue.parse(ack.ack)
        #expect(json["code"]?.string == "UNKNOWN_EVENT" && ack.errorCode == "UNKNOWN_EVENT")
    }

    @Test func everyServerEventPayloadConformsToTheSpec() async throws {
        let sink = RecordingSink()
        let emitter = MessagesEventEmitter(sink: sink)
        let room = EventTarget.room("conversation:\(Sample.conversationId)")
        try await emitter.connected(Connected(userId: "user-client-1", socketId: "s-1"), to: .room("s-1"))
        try await emitter.newMessage(Sample.message, to: room.excluding("s-1"))
        try await emitter.messageNotification(
            MessageNotification(conversationId: Sample.conversationId, message: Sample.message),
            to: .room("user:user-freelancer-7")
        )
        try await emitter.userTyping(
            UserTyping(conversationId: Sample.conversationId, userId: "user-client-1", isTyping: true),
            to: room
        )
        try await emitter.presence(
            Presence(userId: "user-client-1", online: false, lastSeenAt: Sample.date),
            to: .room("user:user-freelancer-7")
        )
        try await emitter.messagesRead(
            MessagesRead(
                conversationId: Sample.conversationId,
                userId: "user-client-1",
                readAt: Sample.date,
                lastReadMessageId: Sample.message.id
            ),
            to: room
        )
        try await emitter.messageUpdated(Sample.message, to: .room("user:user-freelancer-7"))
        var tombstone = Sample.message
        (tombstone.content, tombstone.attachments, tombstone.reactions, tombstone.deletedAt) = ("", [], [], Sample.date)
        try await emitter.messageDeleted(tombstone, to: .room("user:user-freelancer-7"))
        try await emitter.messageReactions(
            MessageReactionsChanged(
                conversationId: Sample.conversationId,
                messageId: Sample.messageId,
                userId: "user-client-1",
                emoji: "👍",
                on: true,
                reactions: [Reaction(emoji: "👍", count: 1, mine: false)]
            ),
            to: .room("user:user-freelancer-7")
        )
        let emitted = await sink.emitted
        #expect(emitted.map(\.event) == MessagesChannel.serverEvents)
        for event in emitted {
            #expect(try spec.get().problems(event: event.event, payload: event.argument) == [], "\(event.event)")
        }
        #expect(emitted[1].target.exceptRooms == ["s-1"])
        // `x-replay: false` in the spec: recovery never replays `connected`, typing or presence.
        #expect(
            emitted.filter { !$0.replayable }.map(\.event) == ["connected", "user_typing", "presence"]
        )
    }

    @Test func channelDescribesTheNamespace() {
        #expect(MessagesChannel.namespace == "/messages")
        #expect(
            MessagesChannel.clientEvents == [
                "join_conversation", "leave_conversation", "send_message", "create_message", "typing", "mark_as_read",
                "edit_message", "delete_message", "react",
            ]
        )
    }
}
