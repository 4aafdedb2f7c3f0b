/// Checks that span the whole model: every referenced schema exists, and names do not collide.
struct ModelChecker {
    let model: APIModel
    let diagnostics: DiagnosticCollector

    func check() {
        let names = Set(model.schemas.map(\.name))
        for named in model.schemas {
            checkReferences(named.schema, names: names)
        }
        for operation in model.operations {
            for parameter in operation.parameters { checkReferences(parameter.schema, names: names) }
            let bodies = [operation.body?.schemaName] + operation.responses.map(\.schemaName)
            for name in bodies.compactMap({ $0 }) { checkObject(name, use: "a body", at: operation.location) }
        }
        for channel in model.channels {
            for event in channel.clientEvents {
                checkObject(event.payloadSchema, use: "an event payload", at: event.location)
                if let reply = event.replySchema { checkObject(reply, use: "an acknowledgement", at: event.location) }
            }
            for event in channel.serverEvents {
                checkObject(event.payloadSchema, use: "an event payload", at: channel.location)
            }
            var seen = Set<String>()
            for event in channel.clientEvents where !seen.insert(event.name).inserted {
                diagnostics.error("event '\(event.name)' is received by more than one operation", at: event.location)
            }
            if !channel.clientEvents.isEmpty, channel.clientEvents.contains(where: { $0.replySchema != nil }),
                channel.errorAckSchema == nil
            {
                diagnostics.warning(
                    "channel '\(channel.key)' declares no error acknowledgement (x-error-ack)",
                    at: channel.location
                )
            }
        }
    }

    /// Bodies, payloads and acks are JSON objects, so they decode into structs that validate themselves.
    private func checkObject(_ name: String, use: String, at location: SourceLocation) {
        guard let schema = model.schema(named: name)?.schema else {
            diagnostics.error("unknown schema '\(name)'", at: location)
            return
        }
        if case .object = schema.kind { return }
        diagnostics.error("schema '\(name)' is used as \(use) and must be an object", at: schema.location)
    }

    private func checkReferences(_ schema: Schema, names: Set<String>) {
        switch schema.kind {
        case .reference(let name):
            if !names.contains(name) { diagnostics.error("unknown schema '\(name)'", at: schema.location) }
        case .array(let items, _, _):
            checkReferences(items, names: names)
        case .object(let properties):
            for property in properties { checkReferences(property.schema, names: names) }
        case .string, .integer, .number, .boolean:
            break
        }
    }
}
