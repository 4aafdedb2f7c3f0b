import HTTPTypes
import Hummingbird
import NIOCore

/// The WebSocket transport: a direct WebSocket session, or the upgrade of a polling session (probe, then `5`).
/// `SocketIOHTTPChannel` negotiates the upgrade; `EngineWebSocketHandler` serves the connection.
extension SocketServer {
    /// Why an upgrade request is refused; nil when it may upgrade.
    func webSocketUpgradeError(_ request: Request) -> EngineError? {
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
        guard isAcceptingConnections else { return .shuttingDown }
        if let sid = request.uri.queryParameters.get("sid") {
            guard let session = session(sid) else { return .unknownSession }
            // A session that already upgraded: the reference accepts the connection and closes it.
            guard session.transport == .websocket || !session.isUpgrading else { return .badRequest }
        } else if isFull {
            return .atCapacity
        }
        return nil
    }

    /// The handler of an accepted upgrade: the upgrade of a polling session, or a new session whose open packet is
    /// its first frame. When the server filled up or began stopping since the check, the connection is closed with
    /// 1013 (try again later).
    func webSocketHandler(for request: Request) -> any ChannelHandler {
        if let sid = request.uri.queryParameters.get("sid"), let session = session(sid) {
            guard session.transport == .polling else {
                return EngineWebSocketHandler(server: self, phase: .closed, open: nil, refusalCode: .normalClosure)
            }
            return EngineWebSocketHandler(server: self, phase: .awaitingProbe(session), open: nil)
        }
        guard let (session, open) = try? openSession(transport: .websocket, handshake: Self.handshake(of: request))
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
