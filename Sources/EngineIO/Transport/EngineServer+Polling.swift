import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The HTTP long-polling transport: GET waits for packets, POST delivers them, OPTIONS answers CORS preflights.
extension EngineServer {
    /// Registers the polling transport on `router`. The WebSocket transport comes with the HTTP server of
    /// `httpServer()`, which serves WebSocket connections in the channel pipeline.
    ///
    /// - Parameter router: the application's router; the routes go under `configuration.path`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let path = RouterPath(configuration.path)
        router.get(path) { request, context in
            await self.pollingGet(request, peer: (context as? any RemoteAddressRequestContext)?.remoteAddress)
        }
        router.post(path) { request, context in
            await self.pollingPost(request, channel: (context as? EngineRequestContext)?.channel)
        }
        router.on(path, method: .options) { request, _ in self.preflight(request) }
        // Any other method: 400 "Bad handshake method" (with the CORS headers), as the reference answers.
        for method in [HTTPRequest.Method.put, .delete, .patch, .trace, .connect] {
            router.on(path, method: method) { request, _ in self.otherMethod(request) }
        }
    }

    private func otherMethod(_ request: Request) -> Response {
        guard let sid = request.uri.queryParameters.get("sid") else {
            return errorResponse(.badHandshakeMethod, for: request)
        }
        return errorResponse(session(sid) == nil ? .unknownSession : .badRequest, for: request)
    }

    private func pollingGet(_ request: Request, peer: SocketAddress?) async -> Response {
        do {
            try checkRequest(request)
            let query = request.uri.queryParameters
            guard let sid = query.get("sid") else {
                guard query.get("transport") == "polling" else { throw EngineError.badRequest }
                let (_, open) = try openSession(
                    transport: .polling,
                    handshake: handshake(of: request, peer: peer)
                )
                return textResponse(open.text, for: request)
            }
            guard let session = session(sid) else { throw EngineError.unknownSession }
            guard query.get("transport") == "polling" else { throw EngineError.badRequest }
            let packets: [EnginePacket]?
            do {
                packets = try await withGracefulShutdownHandler {
                    try await session.pull(
                        over: .polling,
                        timeout: configuration.pingInterval + configuration.pingTimeout
                    )
                } onGracefulShutdown: {
                    session.releaseConsumer(with: [.noop])
                }
            } catch let error as EngineError {
                if session.isClosed { close(session, session.closeReason ?? .transportError) }
                throw error
            }
            guard var packets else { return textResponse(EnginePacket.close.text, for: request) }
            if session.isClosed {
                close(session, session.closeReason ?? .forcedClose)
                // The client closed it itself (its close packet released this GET with a noop): nothing to add.
                if packets.last != .close, session.closeReason != .transportClose { packets.append(.close) }
            }
            return textResponse(PollingPayload.encode(packets.isEmpty ? [.noop] : packets), for: request)
        } catch let error as EngineError {
            var response = errorResponse(error, for: request)
            if error.status == .serviceUnavailable { response.headers[.retryAfter] = "5" }
            return response
        } catch {
            return errorResponse(.badRequest, for: request)
        }
    }

    private func pollingPost(_ request: Request, channel: (any Channel)?) async -> Response {
        do {
            try checkRequest(request)
            guard let sid = request.uri.queryParameters.get("sid") else { throw EngineError.badHandshakeMethod }
            guard let session = session(sid) else { throw EngineError.unknownSession }
            guard request.uri.queryParameters.get("transport") == "polling", session.transport == .polling else {
                throw EngineError.badRequest
            }
            let limit = configuration.maxPayload
            // A body that does not arrive in time closes the connection, which ends the collection below.
            let bodyTimer = channel.map { channel in
                channel.eventLoop.scheduleTask(in: TimeAmount(configuration.requestBodyTimeout)) {
                    EngineMetrics.limitHit("http_body_timeout")
                    channel.close(promise: nil)
                }
            }
            let body = try? await request.body.collect(upTo: limit)
            bodyTimer?.cancel()
            guard let buffer = body else {
                EngineMetrics.limitHit("max_payload")
                close(session, .transportError)
                var response = errorResponse(.badRequest, for: request)
                response.status = .contentTooLarge
                return response
            }
            guard let text = String(validating: buffer.readableBytesView, as: UTF8.self),
                let packets = try? PollingPayload.decode(text)
            else {
                close(session, .parseError)
                throw EngineError.badRequest
            }
            receive(packets, on: session)
            return textResponse("ok", for: request)
        } catch let error as EngineError {
            return errorResponse(error, for: request)
        } catch {
            return errorResponse(.badRequest, for: request)
        }
    }

    private func preflight(_ request: Request) -> Response {
        guard originAllowed(request) else { return errorResponse(.forbidden, for: request) }
        var headers = corsHeaders(for: request)
        headers[.accessControlAllowMethods] = "GET, POST"
        if let requested = request.headers[.accessControlRequestHeaders] {
            headers[.accessControlAllowHeaders] = requested
        }
        headers[.accessControlMaxAge] = "86400"
        return Response(status: .noContent, headers: headers)
    }

    /// The protocol version, the transport name and (for polling, which browsers subject to CORS) the origin.
    func checkRequest(_ request: Request, checkOrigin: Bool = true) throws(EngineError) {
        let query = request.uri.queryParameters
        guard query.get("EIO") == "4" else { throw .unsupportedProtocolVersion }
        guard let transport = query.get("transport"), transport == "polling" || transport == "websocket" else {
            throw .unknownTransport
        }
        guard !checkOrigin || originAllowed(request) else { throw .forbidden }
    }

    private func originAllowed(_ request: Request) -> Bool {
        guard let allowed = configuration.allowedOrigins, let origin = request.headers[.origin] else { return true }
        return allowed.contains(origin)
    }

    private func corsHeaders(for request: Request) -> HTTPFields {
        var headers = HTTPFields()
        if let origin = request.headers[.origin], originAllowed(request) {
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowCredentials] = "true"
            headers[.vary] = "Origin"
        }
        return headers
    }

    private func textResponse(_ text: String, for request: Request) -> Response {
        var headers = corsHeaders(for: request)
        headers[.contentType] = "text/plain; charset=UTF-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private func errorResponse(_ error: EngineError, for request: Request) -> Response {
        var headers = corsHeaders(for: request)
        headers[.contentType] = "application/json"
        return Response(
            status: error.status,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: error.json))
        )
    }

    func handshake(of request: Request, peer: SocketAddress?) -> EngineHandshake {
        let address = ClientAddress.resolve(
            peer: peer,
            headers: request.headers,
            trustedProxies: configuration.trustedProxies
        )
        return EngineHandshake(headers: request.headers, rawQuery: request.uri.query ?? "", address: address)
    }
}
