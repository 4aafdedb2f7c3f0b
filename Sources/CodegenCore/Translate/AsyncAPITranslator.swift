/// Reads asyncapi.yaml into Socket.IO channels: one per namespace, with client and server events.
struct AsyncAPITranslator {
    let specs: SpecSet
    let document: SpecDocument
    let diagnostics: DiagnosticCollector

    static let rootKeys: Set<String> = [
        "asyncapi", "id", "info", "servers", "defaultContentType", "channels", "operations", "components",
    ]
    static let operationKeys: Set<String> = [
        "action", "channel", "title", "summary", "description", "messages", "reply", "tags", "bindings", "security",
        "externalDocs", "traits",
    ]

    private var root: SpecNode { document.root }

    func channels() -> [SocketChannel] {
        rejectUnknownKeys(root, allowed: Self.rootKeys, diagnostics: diagnostics)
        guard let version = root["asyncapi"] else {
            diagnostics.error("missing 'asyncapi' version", at: root.location)
            return []
        }
        if !(version.string ?? "").hasPrefix("3.") {
            diagnostics.error("only AsyncAPI 3 is supported (found '\(version.string ?? "")')", at: version.location)
        }
        if let schemas = root["components"]?["schemas"] {
            diagnostics.error("define schemas in openapi.yaml components/schemas and '$ref' them", at: schemas.location)
        }
        let entries = root["channels"]?.entries ?? []
        // A channel marked `x-webhook: true` is the service's outgoing HTTP deliveries: its messages document
        // request bodies (openapi.yaml schemas, generated there); it is no Socket.IO namespace.
        let webhookChannels = Set(entries.filter { $0.1["x-webhook"]?.bool == true }.map(\.0))
        var channels: [SocketChannel] = entries.filter { !webhookChannels.contains($0.0) }.compactMap { key, node in
            guard let address = node["address"]?.string, address.hasPrefix("/") else {
                diagnostics.error(
                    "channel '\(key)' needs an 'address' that is a namespace such as /messages",
                    at: node.location
                )
                return nil
            }
            guard isIdentifierLike(key) else {
                diagnostics.error("channel key '\(key)' must be letters and digits", at: node.location)
                return nil
            }
            return SocketChannel(
                key: key,
                address: address,
                clientEvents: [],
                serverEvents: [],
                errorAckSchema: nil,
                location: node.location
            )
        }
        for (operationId, node) in root["operations"]?.entries ?? [] {
            if let key = channelKey(node["channel"]), webhookChannels.contains(key) {
                checkWebhookOperation(operationId, node)
            } else {
                addOperation(operationId, node, to: &channels)
            }
        }
        return channels
    }

    private func addOperation(_ operationId: String, _ node: SpecNode, to channels: inout [SocketChannel]) {
        rejectUnknownKeys(node, allowed: Self.operationKeys, diagnostics: diagnostics)
        guard isIdentifierLike(operationId) else {
            diagnostics.error("operation id '\(operationId)' must be letters and digits", at: node.location)
            return
        }
        guard let index = channelIndex(node["channel"], channels: channels, at: node.location) else { return }
        let messages = node["messages"]?.elements ?? []
        guard messages.count == 1 else {
            diagnostics.error("operation '\(operationId)' must list exactly one message", at: node.location)
            return
        }
        guard let message = message(messages[0]) else { return }
        let summary = node["summary"]?.string
        switch node["action"]?.string {
        case "receive":
            let rateLimit = node["x-rate-limit"]?.string
            if let rateLimit, rateLimit.isEmpty || !rateLimit.allSatisfy({ $0.isLowercase && $0.isLetter }) {
                diagnostics.error(
                    "x-rate-limit of '\(operationId)' must be a budget name of lowercase letters",
                    at: node["x-rate-limit"]?.location ?? node.location
                )
            }
            channels[index].clientEvents.append(
                ClientEvent(
                    operationId: operationId,
                    name: message.name,
                    summary: summary,
                    payloadSchema: message.payload,
                    replySchema: node["reply"].flatMap { replySchema(of: operationId, $0, channel: &channels[index]) },
                    rateLimit: rateLimit,
                    location: node.location
                )
            )
        case "send":
            if let reply = node["reply"] {
                diagnostics.error("server-emitted events with a reply are not supported", at: reply.location)
            }
            channels[index].serverEvents.append(
                ServerEvent(
                    operationId: operationId,
                    name: message.name,
                    summary: summary,
                    payloadSchema: message.payload,
                    replayable: message.replayable
                )
            )
        default:
            diagnostics.error("operation '\(operationId)' needs 'action: send' or 'action: receive'", at: node.location)
        }
    }

    /// The schema of a client event's success reply; its error replies set the channel's error-ack schema, which
    /// all of them must share.
    private func replySchema(of operationId: String, _ reply: SpecNode, channel: inout SocketChannel) -> String? {
        let replies = (reply["messages"]?.elements ?? []).compactMap(self.message)
        let successes = replies.filter { !$0.isErrorAck }
        if successes.count != 1 {
            diagnostics.error("the reply of '\(operationId)' must list one success message", at: reply.location)
        }
        for failure in replies where failure.isErrorAck {
            if let existing = channel.errorAckSchema, existing != failure.payload {
                diagnostics.error("all error acknowledgements of a channel must share one schema", at: reply.location)
            }
            channel.errorAckSchema = failure.payload
        }
        return successes.first?.payload
    }

    /// A webhook delivery: sent by the service, one message with a payload, no reply.
    private func checkWebhookOperation(_ operationId: String, _ node: SpecNode) {
        rejectUnknownKeys(node, allowed: Self.operationKeys, diagnostics: diagnostics)
        if node["action"]?.string != "send" {
            diagnostics.error("webhook operation '\(operationId)' needs 'action: send'", at: node.location)
        }
        if let reply = node["reply"] {
            diagnostics.error("webhook operation '\(operationId)' has no reply", at: reply.location)
        }
        let messages = node["messages"]?.elements ?? []
        if messages.count != 1 || message(messages[0]) == nil {
            diagnostics.error("webhook operation '\(operationId)' must list exactly one message", at: node.location)
        }
    }

    /// The key of the channel an operation's `channel` reference names, when it resolves to one.
    private func channelKey(_ reference: SpecNode?) -> String? {
        guard let reference, let target = reference["$ref"]?.string,
            let node = specs.resolve(target, from: reference), node.pointer.hasPrefix("/channels/")
        else { return nil }
        return SpecNode.unescape(node.pointer.dropFirst("/channels/".count))
    }

    private func channelIndex(_ reference: SpecNode?, channels: [SocketChannel], at location: SourceLocation) -> Int? {
        guard let reference, let target = reference["$ref"]?.string else {
            diagnostics.error("an operation needs 'channel: {$ref: ...}'", at: reference?.location ?? location)
            return nil
        }
        guard let node = specs.resolve(target, from: reference), node.pointer.hasPrefix("/channels/") else {
            diagnostics.error("unresolved channel reference '\(target)'", at: reference.location)
            return nil
        }
        let key = SpecNode.unescape(node.pointer.dropFirst("/channels/".count))
        return channels.firstIndex { $0.key == key }
    }

    private struct EventMessage {
        var name: String
        var payload: String
        /// `x-replay: false` on the message.
        var replayable = true
        var isErrorAck: Bool
    }

    private func message(_ node: SpecNode) -> EventMessage? {
        guard let message = specs.follow(node, diagnostics: diagnostics) else { return nil }
        guard let name = message["name"]?.string, !name.isEmpty else {
            diagnostics.error("a message needs 'name' (the Socket.IO event name)", at: message.location)
            return nil
        }
        guard let payload = message["payload"], let reference = payload["$ref"]?.string else {
            diagnostics.error("message '\(name)' needs 'payload: {$ref: ...}'", at: message.location)
            return nil
        }
        guard specs.resolve(reference, from: payload) != nil else {
            diagnostics.error("unresolved reference '\(reference)'", at: payload.location)
            return nil
        }
        guard let schema = specs.componentSchemaName(reference, from: payload) else {
            diagnostics.error(
                "payload of '\(name)' must point at openapi.yaml#/components/schemas/<name>",
                at: payload.location
            )
            return nil
        }
        return EventMessage(
            name: name,
            payload: schema,
            replayable: message["x-replay"]?.bool != false,
            isErrorAck: message["x-error-ack"]?.bool == true
        )
    }
}
