/// Socket.IO: per channel a handler protocol, a dispatcher (event → decode → validate → handler → ack) and
/// typed emitters for the server's events.
extension SwiftRenderer {
    func renderSocketEvents() -> String {
        var writer = header(imports: ["APIRuntime", "Foundation", "Logging"])
        for (index, channel) in model.channels.enumerated() {
            if index > 0 { writer.line() }
            writeChannel(channel, into: &writer)
        }
        return writer.text
    }

    private func writeChannel(_ channel: SocketChannel, into writer: inout CodeWriter) {
        let prefix = Naming.typeName(channel.key)
        writer.doc("The Socket.IO namespace `\(channel.address)`.")
        writer.block("public enum \(prefix)Channel {") { w in
            w.line("public static let namespace = \(Naming.literal(channel.address))")
            w.doc("Events clients emit.")
            w.line(
                "public static let clientEvents: [String] = [\(channel.clientEvents.map { Naming.literal($0.name) }.joined(separator: ", "))]"
            )
            w.doc("Events the server emits.")
            w.line(
                "public static let serverEvents: [String] = [\(channel.serverEvents.map { Naming.literal($0.name) }.joined(separator: ", "))]"
            )
            writeClientEventEnum(channel, into: &w)
        }
        writer.line()
        writeHandlerProtocol(channel, into: &writer)
        writer.line()
        writeDispatcher(channel, into: &writer)
        writer.line()
        writeEmitter(channel, into: &writer)
    }

    /// `<Channel>EventHandler`: one method per client event.
    private func writeHandlerProtocol(_ channel: SocketChannel, into writer: inout CodeWriter) {
        let prefix = Naming.typeName(channel.key)
        writer.doc(
            """
            Handles the events clients emit on `\(channel.address)`. Return the acknowledgement; throw `APIError` to
            acknowledge a failure (`{success: false, error, code}`).
            """
        )
        writer.block("public protocol \(prefix)EventHandler: Sendable {") { w in
            w.doc("Whatever the handler needs to know about the emitting socket (user, socket id, rooms).")
            w.line("associatedtype Connection: Sendable")
            for event in channel.clientEvents {
                w.line()
                w.doc((event.summary.map { $0 + "\n\n" } ?? "") + "Event `\(event.name)`.")
                w.line(
                    "func \(Naming.swiftIdentifier(event.operationId))(_ payload: \(Naming.typeName(event.payloadSchema)), connection: Connection) async throws -> \(replyType(event))"
                )
            }
        }
    }

    /// `<Channel>EventDispatcher`: event name → decode → validate → handler → ack.
    private func writeDispatcher(_ channel: SocketChannel, into writer: inout CodeWriter) {
        let prefix = Naming.typeName(channel.key)
        writer.doc("Routes a received event to its handler method and returns its one acknowledgement.")
        writer.block("public struct \(prefix)EventDispatcher<Handler: \(prefix)EventHandler>: Sendable {") { w in
            w.line("public let handler: Handler")
            w.line("public let logger: Logger")
            w.line()
            w.block("public init(handler: Handler, logger: Logger) {") { w in
                w.line("self.handler = handler")
                w.line("self.logger = logger")
            }
            w.line()
            w.doc(
                """
                Decodes and validates the first argument as the event's payload, runs the handler and returns the
                acknowledgement: the reply, or an error ack for an unknown event, a bad payload or a thrown error.
                """
            )
            w.block(
                "public func dispatch(event: String, arguments: [Data], connection: Handler.Connection) async -> EventOutcome {"
            ) { w in
                w.line("switch event {")
                for event in channel.clientEvents {
                    w.line("case \(Naming.literal(event.name)):")
                    w.block(
                        "    return await EventDispatch.handle(event: event, arguments: arguments, as: \(Naming.typeName(event.payloadSchema)).self, logger: logger) {",
                        closer: "    }"
                    ) { w in
                        w.line(
                            "    try await handler.\(Naming.swiftIdentifier(event.operationId))($0, connection: connection)"
                        )
                    }
                }
                w.line("default:")
                w.line("    return EventDispatch.unknownEvent(event)")
                w.line("}")
            }
        }
    }

    /// `<Channel>EventEmitter`: one typed method per server event.
    private func writeEmitter(_ channel: SocketChannel, into writer: inout CodeWriter) {
        let prefix = Naming.typeName(channel.key)
        writer.doc("Typed emitters for the events the server sends on `\(channel.address)`.")
        writer.block("public struct \(prefix)EventEmitter: Sendable {") { w in
            w.line("public let sink: any EventSink")
            w.line()
            w.block("public init(sink: any EventSink) {") { w in
                w.line("self.sink = sink")
            }
            for event in channel.serverEvents {
                w.line()
                w.doc((event.summary.map { $0 + "\n\n" } ?? "") + "Event `\(event.name)`.")
                w.block(
                    "public func \(Naming.swiftIdentifier(event.operationId))(_ payload: \(Naming.typeName(event.payloadSchema)), to target: EventTarget) async throws {"
                ) { w in
                    w.line(
                        "try await sink.emit(event: \(Naming.literal(event.name)), argument: JSONCoding.encode(payload), to: target"
                            + (event.replayable ? ")" : ", replayable: false)")
                    )
                }
            }
        }
    }

    /// `ClientEvent`, the client events as an enum, with the budget each draws from (`x-rate-limit`) as a
    /// `RateLimit` whose cases are the budgets the spec names.
    private func writeClientEventEnum(_ channel: SocketChannel, into w: inout CodeWriter) {
        guard !channel.clientEvents.isEmpty else { return }
        let budgets = Array(Set(channel.clientEvents.compactMap(\.rateLimit))).sorted()
        if !budgets.isEmpty {
            w.line()
            w.doc("The budgets client events draw from (`x-rate-limit`).")
            w.block("public enum RateLimit: String, CaseIterable, Sendable {") { w in
                for budget in budgets { w.line("case \(Naming.swiftIdentifier(budget))") }
            }
        }
        w.line()
        w.doc("An event clients emit, by its wire name.")
        w.block("public enum ClientEvent: String, CaseIterable, Sendable {") { w in
            for event in channel.clientEvents {
                w.line("case \(Naming.swiftIdentifier(event.operationId)) = \(Naming.literal(event.name))")
            }
            guard !budgets.isEmpty else { return }
            w.line()
            w.doc("The budget the event draws from; nil when the spec names none.")
            w.block("public var rateLimit: RateLimit? {") { w in
                w.line("switch self {")
                for event in channel.clientEvents {
                    let value = event.rateLimit.map { ".\(Naming.swiftIdentifier($0))" } ?? "nil"
                    w.line("case .\(Naming.swiftIdentifier(event.operationId)): \(value)")
                }
                w.line("}")
            }
        }
    }

    private func replyType(_ event: ClientEvent) -> String {
        event.replySchema.map(Naming.typeName) ?? "SuccessAck"
    }
}
