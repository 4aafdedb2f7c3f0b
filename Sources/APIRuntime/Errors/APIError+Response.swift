import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The error envelope of the REST contract: `{success: false, message, error: {code, details}}`.
struct ErrorEnvelope: JSONWritable {
    struct Body: JSONWritable {
        var code: String
        var details: [FieldProblem]

        func writeJSON(to writer: inout JSONWriter) {
            writer.object { object in
                object.member("code", code)
                object.member("details", details)
            }
        }
    }

    var message: String
    var error: Body

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { object in
            object.member("error", error)
            object.member("message", message)
            object.member("success", false)
        }
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The envelope response with this error's status and headers.
    public func response() -> Response {
        let envelope = ErrorEnvelope(message: message, error: .init(code: code.rawValue, details: details))
        let data = JSONCoding.encode(envelope)
        var fields = headers
        fields[.contentType] = JSONResponse.contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The `APIError` equivalent of any error: an `APIError` as is, Hummingbird's `HTTPError`s by status,
    /// anything else an internal error whose description is not shown to the client.
    public init(from error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as HTTPError:
            let code = Code.all.first { $0.status == error.status && $0 != .unknownEvent } ?? .internalError
            self = APIError(code, error.body ?? error.status.reasonPhrase, headers: error.headers)
        default:
            self = APIError(.internalError, "Internal server error")
        }
    }
}
