import HTTPTypes
import Hummingbird
import NIOCore

/// The WebSocket transport: a direct WebSocket session, or the upgrade of a polling session (probe, then `5`).
/// `EngineHTTPChannel` negotiates the upgrade; `EngineWebSocketHandler` serves the connection.
extension EngineServer {
    /// Why an upgrade request is refused; nil when it may upgrade.
    func webSocketUpgradeError(_ request: Request, peer: SocketAddress?) -> EngineError? {
        guard request.uri.path.trimmingSuffix("/") == configuration.path.trimmingSuffix("/") else {
            return .badRequest
        }
        do {
            // Origins are a CORS matter of the polling transport; WebSocket clients authenticate with tokens.
            try checkRequest(request, checkOrigin: false)
        } catch {
            return error
        }
        guard request.uri.queryParameters.get("transport") == "websocket" else { return .badRequest }
        guard isAcceptingConnections else {
            EngineMetrics.sessionRefused("shutting_down")
            return .shuttingDown
        }
        if let sid = request.uri.queryParameters.get("sid") {
            // A session that already upgraded, or is upgrading over another WebSocket: the reference accepts the
            // connection and closes it (see `webSocketHandler(for:on:)`).
            guard session(sid) != nil else { return .unknownSession }
        } else if isFull {
            EngineMetrics.sessionRefused("capacity")
            return .atCapacity
        } else if hasTooManyPending(handshake(of: request, peer: peer).address) {
            EngineMetrics.sessionRefused("pending_per_address")
            return .tooManyPendingSessions
        }
        return nil
    }

    /// The handler of an accepted upgrade: the upgrade of a polling session, or a new session on `eventLoop` whose
    /// open packet is its first frame. When the server filled up or began stopping since the check, the connection
    /// is closed with 1013 (try again later); a second WebSocket for one session is closed with 1000.
    func webSocketHandler(
        for request: Request,
        peer: SocketAddress?,
        on eventLoop: any EventLoop
    ) -> any ChannelHandler {
        if let sid = request.uri.queryParameters.get("sid"), let session = session(sid) {
            guard session.claimUpgrade() else {
                return EngineWebSocketHandler(server: self, phase: .closed, open: nil, refusalCode: .normalClosure)
            }
            return EngineWebSocketHandler(server: self, phase: .awaitingProbe(session), open: nil)
        }
        guard
            let (session, open) = try? openSession(
                transport: .websocket,
                handshake: handshake(of: request, peer: peer),
                eventLoop: eventLoop
            )
        else {
            return EngineWebSocketHandler(server: self, phase: .closed, open: nil)
        }
        return EngineWebSocketHandler(server: self, phase: .serving(session), open: open)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        var text = Substring(self)
        while text.last == suffix { text = text.dropLast() }
        return text
    }
}
