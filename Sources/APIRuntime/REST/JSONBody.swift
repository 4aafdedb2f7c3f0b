import Foundation
import Hummingbird
import NIOCore

/// Reads a JSON request body into a generated type, mapping every failure to the error envelope.
public enum JSONBody {
    /// Collects at most `context.maxUploadSize` bytes (413 beyond), then decodes; an empty body is 400.
    ///
    /// Text that is not JSON is 400; JSON of the wrong shape is 422 naming the field that is wrong.
    public static func decode<T: Decodable>(
        _ type: T.Type,
        from request: Request,
        context: some RequestContext
    ) async throws -> T {
        guard let value = try await decode(type, from: request, context: context, required: true) else {
            throw APIError.badRequest("A JSON request body is required")
        }
        return value
    }

    /// Like `decode`, but an empty body is nil.
    public static func decodeIfPresent<T: Decodable>(
        _ type: T.Type,
        from request: Request,
        context: some RequestContext
    ) async throws -> T? {
        try await decode(type, from: request, context: context, required: false)
    }

    private static func decode<T: Decodable>(
        _ type: T.Type,
        from request: Request,
        context: some RequestContext,
        required: Bool
    ) async throws -> T? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.payloadTooLarge, "The request body is larger than \(context.maxUploadSize) bytes")
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "The request body is larger than \(context.maxUploadSize) bytes")
        }
        guard buffer.readableBytes > 0 else {
            if required { throw APIError.badRequest("A JSON request body is required") }
            return nil
        }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    /// Decodes JSON bytes, with the same error mapping as a request body (see `JSONCoding.decodeBody`).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONCoding.decodeBody(type, from: data)
    }
}
