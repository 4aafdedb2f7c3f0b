import NIOCore

/// A keep-alive HTTP/1.1 client for GET requests, one at a time, as one channel handler. Responses must carry
/// `Content-Length` (the server under test always sends it).
final class HTTPClient: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Response {
        var status: Int
        var body: String
    }

    let host: String
    private var context: ChannelHandlerContext?
    private var received: ByteBuffer?
    private var pending: ((Result<Response, any Error>) -> Void)?

    init(host: String) {
        self.host = host
    }

    /// A request is waiting for its answer.
    var isBusy: Bool { pending != nil }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Sends a GET with a bearer token; `completion` runs on the event loop with the response.
    func get(_ path: String, token: String, completion: @escaping (Result<Response, any Error>) -> Void) {
        guard let context, pending == nil else {
            completion(.failure(LoadError("HTTP connection busy or closed")))
            return
        }
        pending = completion
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(token)\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.setOrWriteBuffer(&bytes)
        do {
            guard let response = try readResponse() else { return }
            let completion = pending
            pending = nil
            completion?(.success(response))
        } catch {
            fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(LoadError("HTTP connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let completion = pending
        pending = nil
        completion?(.failure(error))
    }

    private func readResponse() throws -> Response? {
        guard var buffer = received,
            let end = buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8))
        else { return nil }
        let headLength = end.upperBound - buffer.readerIndex
        let head = buffer.getString(at: buffer.readerIndex, length: headLength) ?? ""
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
            let status = Int(statusLine.dropFirst(9).prefix(3))
        else { throw LoadError("bad HTTP status line") }
        guard
            let lengthLine = lines.first(where: { $0.lowercased().hasPrefix("content-length:") }),
            let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
        else { throw LoadError("HTTP response without Content-Length") }
        guard buffer.readableBytes >= headLength + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headLength)
        let body = buffer.readString(length: length) ?? ""
        buffer.discardReadBytes()
        received = buffer
        return Response(status: status, body: body)
    }
}
