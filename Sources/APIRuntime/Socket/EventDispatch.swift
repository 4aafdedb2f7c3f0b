import Foundation
import Logging

/// The acknowledgement of a failed event: `{success: false, error, code}`.
struct ErrorAckBody: JSONWritable, Sendable {
    var error: String
    var code: String

    init(_ error: APIError) {
        self.error = error.summary
        self.code = error.code.rawValue
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { object in
            object.member("code", code)
            object.member("error", error)
            object.member("success", false)
        }
    }
}

/// What a dispatched event answers: its one acknowledgement's JSON, and the error code when it is an error ack
/// (nil for a success), for the metrics and logs, which need not read the JSON back.
public struct EventOutcome: Sendable {
    public var ack: Data
    public var errorCode: String?

    public static func success(_ ack: Data) -> EventOutcome {
        EventOutcome(ack: ack, errorCode: nil)
    }

    public static func failure(_ error: APIError) -> EventOutcome {
        EventOutcome(ack: EventDispatch.errorAck(error), errorCode: error.code.rawValue)
    }
}

/// What generated socket dispatchers run for each event: decode, validate, handle, encode the ack.
public enum EventDispatch {
    /// Decodes the first argument as `Payload`, validates it, runs `handler` and returns the ack's JSON.
    ///
    /// Every path returns exactly one ack: the reply on success, an `ErrorAck` on a missing or invalid payload
    /// or a thrown error.
    public static func handle<Payload: Decodable & Validatable, Reply: JSONWritable>(
        event: String,
        arguments: [Data],
        as payloadType: Payload.Type,
        logger: Logger,
        _ handler: (Payload) async throws -> Reply
    ) async -> EventOutcome {
        do {
            guard let first = arguments.first else {
                throw APIError.validationFailed([FieldProblem(field: "", message: "a payload object is required")])
            }
            let payload = try decodePayload(payloadType, from: first)
            return .success(JSONCoding.encode(try await handler(payload.validated())))
        } catch {
            let apiError = APIError(from: error)
            if apiError.code == .internalError {
                logger.error(
                    "Unhandled error",
                    metadata: ["event": "\(event)", "error": "\(String(reflecting: type(of: error)))"]
                )
            }
            return .failure(apiError)
        }
    }

    /// The ack for an event name the channel does not declare.
    public static func unknownEvent(_ name: String) -> EventOutcome {
        .failure(APIError(.unknownEvent, "Unknown event '\(name.prefix(64))'"))
    }

    public static func errorAck(_ error: APIError) -> Data {
        JSONCoding.encode(ErrorAckBody(error))
    }

    private static func decodePayload<Payload: Decodable>(_ type: Payload.Type, from data: Data) throws -> Payload {
        do {
            return try JSONCoding.decoder.decode(type, from: data)
        } catch let error as DecodingError {
            if error.isMalformedJSON { throw APIError.badRequest("The payload is not valid JSON") }
            throw APIError.validationFailed([error.fieldProblem])
        }
    }
}

/// The acknowledgement of an event whose spec declares no reply: `{success: true}`.
public struct SuccessAck: JSONWritable, Sendable {
    public init() {}

    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { object in object.member("success", true) }
    }
}
