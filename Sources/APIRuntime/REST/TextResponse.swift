import HTTPTypes
import Hummingbird
import NIOCore

/// A UTF-8 text response, for the operations whose spec answers `text/plain`.
public enum TextResponse {
    public static let contentType = "text/plain; charset=utf-8"

    public static func make(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
