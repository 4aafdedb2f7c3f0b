import CodegenCore
import Foundation

/// Answers "does this response conform to the spec?" for REST responses and socket events.
///
/// Tests call it with what they received from a real server:
/// `try spec.check(method: "GET", path: "/api/messages/conversations", status: 200, body: data)`.
public struct SpecConformance: Sendable {
    public let model: APIModel

    public init(openAPIPath: String, asyncAPIPath: String?) throws {
        self.model = try GeneratorPipeline.model(openAPIPath: openAPIPath, asyncAPIPath: asyncAPIPath).0
    }

    /// The project's `api-spec/` files, found from this source file's location.
    public static func projectSpec() throws -> SpecConformance {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try SpecConformance(
            openAPIPath: root.appendingPathComponent("api-spec/openapi.yaml").path,
            asyncAPIPath: root.appendingPathComponent("api-spec/asyncapi.yaml").path
        )
    }

    /// The operation a concrete request path and method belong to.
    public func operation(method: String, path: String) -> HTTPOperation? {
        let segments = Self.segments(path)
        return model.operations.first { operation in
            guard operation.method.rawValue == method.uppercased() else { return false }
            let template = Self.segments(operation.path)
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    /// Every way the response breaks the spec: an undocumented status, a body that does not match the schema.
    public func problems(method: String, path: String, status: Int, body: Data) -> [String] {
        guard let operation = operation(method: method, path: path) else {
            return ["\(method) \(path) is not an operation of the spec"]
        }
        return problems(operation: operation, status: status, body: body)
    }

    public func problems(operationId: String, status: Int, body: Data) -> [String] {
        guard let operation = model.operations.first(where: { $0.id == operationId }) else {
            return ["no operation '\(operationId)' in the spec"]
        }
        return problems(operation: operation, status: status, body: body)
    }

    /// Problems of a server event's payload (`new_message`, ...) against its schema.
    public func problems(event: String, payload: Data) -> [String] {
        guard let schema = model.channels.flatMap(\.serverEvents).first(where: { $0.name == event })?.payloadSchema
        else {
            return ["'\(event)' is not a server event of the spec"]
        }
        return problems(body: payload, schemaName: schema, context: "event \(event)")
    }

    /// Problems of the acknowledgement of a client event: its reply schema, or the error ack when `success` is false.
    public func problems(ackOf event: String, ack: Data) -> [String] {
        guard let channel = model.channels.first(where: { $0.clientEvents.contains { $0.name == event } }),
            let declared = channel.clientEvents.first(where: { $0.name == event })
        else {
            return ["'\(event)' is not a client event of the spec"]
        }
        let isFailure = (try? JSONValue.parse(ack))?["success"]?.bool == false
        guard let schema = isFailure ? channel.errorAckSchema : declared.replySchema else {
            return ["the spec declares no \(isFailure ? "error " : "")acknowledgement for '\(event)'"]
        }
        return problems(body: ack, schemaName: schema, context: "ack of \(event)")
    }

    private func problems(operation: HTTPOperation, status: Int, body: Data) -> [String] {
        guard let response = operation.responses.first(where: { $0.status == status }) else {
            let documented = operation.responses.map { String($0.status) }.joined(separator: ", ")
            return ["\(operation.id): status \(status) is not documented (documented: \(documented))"]
        }
        if response.plainText {
            let valid = String(data: body, encoding: .utf8) != nil
            return valid ? [] : ["\(operation.id) \(status): the text is not UTF-8"]
        }
        guard let schemaName = response.schemaName else {
            return body.isEmpty ? [] : ["\(operation.id): status \(status) documents no body but one was sent"]
        }
        return problems(body: body, schemaName: schemaName, context: "\(operation.id) \(status)")
    }

    private func problems(body: Data, schemaName: String, context: String) -> [String] {
        guard let value = try? JSONValue.parse(body) else {
            return ["\(context): the body is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))"]
        }
        guard let schema = model.schema(named: schemaName)?.schema else { return ["unknown schema \(schemaName)"] }
        return SchemaConformance(model: model).problems(value, against: schema, at: "").map { "\(context): \($0)" }
    }

    private static func segments(_ path: String) -> [String] {
        let withoutQuery = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        return withoutQuery.split(separator: "/").map(String.init)
    }
}
