import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The WebSocket transport: a direct WebSocket session, or the upgrade of a polling session (probe, then `5`).
extension SocketServer {
    /// The WebSocket settings a server hosting this endpoint should pass to `.http1WebSocketUpgrade`: frames as
    /// large as the largest Engine.IO packet, and no WebSocket-level pings, because Engine.IO's own heartbeat
    /// already finds dead peers (each automatic ping would keep a task and a timer alive for every connection).
    public var webSocketServerConfiguration: WebSocketServerConfiguration {
        WebSocketServerConfiguration(maxFrameSize: configuration.maxPayload, autoPing: .disabled)
    }

    func addWebSocketRoute<Context: WebSocketRequestContext>(to router: Router<Context>) {
        router.ws(
            RouterPath(configuration.path),
            shouldUpgrade: { request, _ in
                if let error = self.upgradeError(request) {
                    throw HTTPError(error.status, headers: [.contentType: "application/json"], message: error.json)
                }
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                let request = context.request
                if let sid = request.uri.queryParameters.get("sid") {
                    guard let session = self.session(sid) else { return }
                    try await self.upgrade(session, inbound: inbound, outbound: outbound)
                } else {
                    guard
                        let (session, open) = try? self.openSession(
                            transport: .websocket,
                            handshake: Self.handshake(of: request)
                        )
                    else {
                        // Filled up or began stopping between the upgrade check and now.
                        try await outbound.close(.unknown(1013), reason: "server unavailable")
                        return
                    }
                    try await outbound.write(.text(open.text))
                    try await self.serve(
                        session,
                        inbound: inbound.messages(maxSize: self.configuration.maxPayload),
                        outbound: outbound
                    )
                }
            }
        )
    }

    private func upgradeError(_ request: Request) -> EngineError? {
        do {
            // Origins are a CORS matter of the polling transport; WebSocket clients authenticate with tokens.
            try checkRequest(request, checkOrigin: false)
        } catch {
            return error
        }
        guard request.uri.queryParameters.get("transport") == "websocket" else { return .badRequest }
        guard isAcceptingConnections else { return .shuttingDown }
        if let sid = request.uri.queryParameters.get("sid") {
            guard let session = session(sid) else { return .unknownSession }
            guard session.transport == .polling, !session.isUpgrading else { return .badRequest }
        } else if isFull {
            return .atCapacity
        }
        return nil
    }

    /// Probe (`2probe` → `3probe`), then `5`: from then on the WebSocket carries the session.
    private func upgrade(
        _ session: EngineSession,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter
    ) async throws {
        let messages = inbound.messages(maxSize: configuration.maxPayload)
        var iterator = messages.makeAsyncIterator()
        guard case .text(let probe)? = try await iterator.next(), probe == EnginePacket.ping("probe").text else {
            try await outbound.close(.protocolError, reason: "expected probe")
            return
        }
        try await outbound.write(.text(EnginePacket.pong("probe").text))
        session.probeReceived()
        guard case .text(let upgrade)? = try await iterator.next(), upgrade == EnginePacket.upgrade.text else {
            session.upgradeAborted()
            try await outbound.close(.protocolError, reason: "expected upgrade")
            return
        }
        session.upgradeReceived()
        try await serve(session, iterator: iterator, outbound: outbound)
    }

    private func serve(
        _ session: EngineSession,
        inbound: WebSocketInboundMessageStream,
        outbound: WebSocketOutboundWriter
    ) async throws {
        try await serve(session, iterator: inbound.makeAsyncIterator(), outbound: outbound)
    }

    /// Reads packets until the client goes away while a second task writes the session's outbound packets.
    private func serve(
        _ session: EngineSession,
        iterator: WebSocketInboundMessageStream.AsyncIterator,
        outbound: WebSocketOutboundWriter
    ) async throws {
        var iterator = iterator
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.writeLoop(session, outbound: outbound)
            }
            do {
                while let message = try await iterator.next() {
                    switch message {
                    case .text(let text):
                        guard let packet = try? EnginePacket.decode(Substring(text)) else {
                            self.close(session, .parseError)
                            break
                        }
                        await self.receive([packet], on: session)
                    case .binary(let buffer):
                        await self.receive([.binary(Array(buffer.readableBytesView))], on: session)
                    }
                    if session.isClosed { break }
                }
                self.close(session, .transportClose)
            } catch {
                self.close(session, .transportError)
            }
            await group.waitForAll()
        }
    }

    private func writeLoop(_ session: EngineSession, outbound: WebSocketOutboundWriter) async {
        do {
            while let packets = try await session.pull(over: .websocket, timeout: nil) {
                for packet in packets {
                    switch packet {
                    case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    default: try await outbound.write(.text(packet.text))
                    }
                }
            }
        } catch {
            close(session, .transportError)
        }
        close(session, session.closeReason ?? .transportClose)
        try? await outbound.close(.normalClosure, reason: nil)
    }
}
