import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// The HTTP/1.1 connections of a server that hosts an Engine.IO endpoint: requests go to the Hummingbird router, and a
/// WebSocket upgrade on the endpoint's path becomes an `EngineWebSocketHandler` in the channel pipeline. A
/// WebSocket connection then needs no task of its own, which is most of what an idle connection used to cost.
struct EngineHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    enum Negotiated: Sendable {
        /// The pipeline now speaks WebSocket and serves the session by itself.
        case webSocket
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// The client asked for an upgrade that is refused: it is answered like a refused polling handshake.
        case refusedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, EngineError)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let server: EngineServer
    let http: HTTP1Channel.Configuration
    let responder: HTTPChannelHandler.Responder

    init(server: EngineServer, http: HTTP1Channel.Configuration, responder: @escaping HTTPChannelHandler.Responder) {
        self.server = server
        self.http = http
        self.responder = Self.redirectingLateUpgrades(responder)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // A connection keeps its receive buffer between reads; most of them are a few hundred bytes, so it starts
            // small (NIO's default is 2 KB, a quarter of an idle connection's memory) and grows with bigger reads.
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffers)
            // Why the WebSocket upgrade was refused, for the HTTP answer that follows.
            let refusal = NIOLoopBoundBox<EngineError?>(nil, eventLoop: channel.eventLoop)
            let upgrade = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [webSocketUpgrader(refusal: refusal)],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try httpPipeline(on: channel, refusal: refusal.value, logger: logger)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrade)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            configuration.decoderConfiguration.maxHeaderFieldSize = http.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http.httpDecoder.maxHeaderFieldCount
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                configuration: configuration
            )
            // Until the first request head is complete nothing else watches the connection: it is closed when that
            // takes longer than `requestHeadTimeout`. The idle timeout of kept-alive connections takes over after.
            let timeout = TimeAmount(server.configuration.requestHeadTimeout)
            let headTimer = channel.eventLoop.scheduleTask(in: timeout) {
                EngineMetrics.limitHit("http_header_timeout")
                channel.close(promise: nil)
            }
            negotiated.whenComplete { _ in headTimer.cancel() }
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    private static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536)

    /// Upgrades an Engine.IO WebSocket request the server accepts; a refused one records why in `refusal`.
    private func webSocketUpgrader(
        refusal: NIOLoopBoundBox<EngineError?>
    ) -> NIOTypedWebSocketServerUpgrader<Negotiated> {
        let server = server
        return NIOTypedWebSocketServerUpgrader<Negotiated>(
            maxFrameSize: server.configuration.maxPayload,
            shouldUpgrade: { channel, head in
                refusal.value =
                    Self.request(of: head).map { server.webSocketUpgradeError($0, peer: channel.remoteAddress) }
                    ?? .badRequest
                return channel.eventLoop.makeSucceededFuture(refusal.value == nil ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    guard let request = Self.request(of: head) else { throw ChannelError.inputClosed }
                    try channel.pipeline.syncOperations.addHandler(
                        server.webSocketHandler(for: request, peer: channel.remoteAddress, on: channel.eventLoop)
                    )
                    return .webSocket
                }
            }
        )
    }

    /// Hummingbird's HTTP/1 pipeline for a connection that did not upgrade.
    private func httpPipeline(on channel: any Channel, refusal: EngineError?, logger: Logger) throws -> Negotiated {
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        try operations.addHandlers(http.additionalChannelHandlers())
        try operations.addHandler(
            HTTPConnectionStateHandler(idleTimeout: http.idleTimeout.map { .init($0) }, logger: logger)
        )
        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
            wrappingChannelSynchronously: channel,
            configuration: .init(isOutboundHalfClosureEnabled: true)
        )
        return refusal.map { .refusedUpgrade(asyncChannel, $0) } ?? .http(asyncChannel)
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .webSocket:
                return
            case .http(let channel):
                await handleHTTP(asyncChannel: channel, logger: logger)
            case .refusedUpgrade(let channel, let error):
                try await channel.executeThenClose { _, outbound in
                    let body = ByteBuffer(string: error.json)
                    var head = HTTPResponse(
                        status: error.status,
                        headerFields: [
                            .connection: "close", .contentType: "application/json",
                            .contentLength: String(body.readableBytes),
                        ]
                    )
                    if error.status == .serviceUnavailable { head.headerFields[.retryAfter] = "5" }
                    try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
                }
            }
        } catch {
            logger.debug("Connection ended during HTTP upgrade", metadata: ["error": "\(error)"])
        }
    }

    /// The request of an upgrade, as the router would see it (no body).
    private static func request(of head: HTTPRequestHead) -> Request? {
        guard let request = try? HTTPRequest(head, secure: false, splitCookie: false) else { return nil }
        return Request(head: request, body: RequestBody(buffer: ByteBuffer()))
    }

    /// NIO negotiates upgrades only on a connection's first request: a WebSocket request arriving later on a
    /// kept-alive connection is sent to the same address on a new connection (307 with `Connection: close`).
    private static func redirectingLateUpgrades(
        _ responder: @escaping HTTPChannelHandler.Responder
    ) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            var location = request.uri.path
            if let query = request.uri.query { location += "?" + query }
            try await writer.writeResponse(
                HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location])
            )
            channel.close(promise: nil)
        }
    }
}

extension EngineServer {
    /// The HTTP server for `Application(router:server:)`: HTTP/1.1 for the router's routes, and the WebSocket
    /// transport of this Engine.IO endpoint served in the channel pipeline.
    ///
    /// - Parameter configuration: Hummingbird's HTTP/1 settings (idle timeout, decoder limits).
    public func httpServer(_ configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EngineHTTPChannel(server: self, http: configuration, responder: responder)
        }
    }
}
