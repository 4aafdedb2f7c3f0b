import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Encodes a generated body type into a JSON response.
public enum JSONResponse {
    public static let contentType = "application/json; charset=utf-8"

    public static func make(_ status: HTTPResponse.Status, _ body: some JSONWritable) throws -> Response {
        let data = JSONCoding.encode(body)
        return Response(
            status: status,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
