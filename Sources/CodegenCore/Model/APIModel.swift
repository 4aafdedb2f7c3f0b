/// Everything the renderers need, translated and checked from openapi.yaml and asyncapi.yaml.
public struct APIModel: Sendable {
    public var title: String
    public var schemas: [NamedSchema]
    public var securitySchemes: [SecurityScheme]
    public var operations: [HTTPOperation]
    public var channels: [SocketChannel]

    /// The named schema, if there is one.
    public func schema(named name: String) -> NamedSchema? {
        schemas.first { $0.name == name }
    }
}

public struct SecurityScheme: Sendable {
    public enum Kind: Sendable, Equatable {
        /// `Authorization: Bearer <token>`.
        case bearer
        /// A key in the named request header.
        case apiKeyHeader(String)
    }

    /// The key under `components/securitySchemes`.
    public var name: String
    public var kind: Kind
    public var description: String?
}

/// One REST operation.
public struct HTTPOperation: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case get = "GET"
        case put = "PUT"
        case post = "POST"
        case patch = "PATCH"
        case delete = "DELETE"
    }

    public var id: String
    public var method: Method
    public var path: String
    public var summary: String?
    public var parameters: [Parameter]
    public var body: RequestBody?
    /// Documented responses, ascending by status.
    public var responses: [Response]
    /// The security scheme the operation requires, or nil when it is public.
    public var security: String?
    public var location: SourceLocation

    public var successResponses: [Response] { responses.filter { (200..<300).contains($0.status) } }
}

public struct Parameter: Sendable {
    public enum Location: String, Sendable {
        case path
        case query
        case header
    }

    public var name: String
    public var location: Location
    public var required: Bool
    public var description: String?
    public var schema: Schema
}

public struct RequestBody: Sendable {
    public var required: Bool
    /// The name of the body's schema in components/schemas.
    public var schemaName: String
}

public struct Response: Sendable {
    public var status: Int
    public var description: String
    /// The name of the JSON body's schema in components/schemas, when the response has a JSON body.
    public var schemaName: String?
    /// The body is UTF-8 text (`text/plain` with a string schema) rather than JSON.
    public var plainText = false
}

/// A Socket.IO namespace: the events clients emit and the events the server emits.
public struct SocketChannel: Sendable {
    /// The key under `channels`, which names the generated types.
    public var key: String
    /// The namespace, such as `/messages`.
    public var address: String
    public var clientEvents: [ClientEvent]
    public var serverEvents: [ServerEvent]
    /// The schema of the failure acknowledgement shared by the client events, if any declares one.
    public var errorAckSchema: String?
    public var location: SourceLocation
}

/// An event the client emits (`action: receive`).
public struct ClientEvent: Sendable {
    public var operationId: String
    /// The wire name of the event.
    public var name: String
    public var summary: String?
    public var payloadSchema: String
    /// The success acknowledgement's schema, when the operation has a reply.
    public var replySchema: String?
    /// The budget the event draws from (`x-rate-limit` on the operation), so that a limit follows the event
    /// whatever it is called; nil when the operation names none.
    public var rateLimit: String?
    public var location: SourceLocation
}

/// An event the server emits (`action: send`).
public struct ServerEvent: Sendable {
    public var operationId: String
    public var name: String
    public var summary: String?
    public var payloadSchema: String
    /// False for a message marked `x-replay: false`: connection state recovery does not replay it (typing, say).
    public var replayable: Bool = true
}
