import EngineIO
import JSONEscaping

/// CONNECT: the namespace's middleware admits the socket (or the client gets CONNECT_ERROR), then the socket is
/// attached, answered and handed to the namespace's connection handlers; with connection state recovery the
/// claimed session may come back.
extension SocketClient {
    func connect(_ packet: SocketPacket) async {
        guard let namespace = layer.existingNamespace(packet.namespace) else {
            let error = SocketPacket(
                kind: .connectError,
                namespace: packet.namespace,
                json: #"{"message":"Invalid namespace"}"#
            )
            connection.send(.text(error.encode()))
            return
        }
        guard socket(in: namespace.name) == nil else { return }
        guard layer.isAcceptingConnections else {
            let error = SocketPacket(
                kind: .connectError,
                namespace: namespace.name,
                json: #"{"message":"Server is shutting down"}"#
            )
            connection.send(.text(error.encode()))
            return
        }
        let auth = packet.json.map(JSONText.init(unchecked:))
        let handshake = Handshake(engine: connection.handshake, auth: auth)
        let socket = Socket(id: EngineServer.randomId(), namespace: namespace, handshake: handshake, client: self)
        do {
            try await namespace.admit(socket)
        } catch {
            namespace.metrics.connectsRefused.increment()
            let rejection = error as? ConnectRejection ?? ConnectRejection(message: "Connection refused")
            var json = "{\"message\":" + JSONEscaping.quoted(rejection.message)
            if let data = rejection.data { json += ",\"data\":" + data.text }
            json += "}"
            socket.send(SocketPacket(kind: .connectError, namespace: namespace.name, json: json))
            return
        }
        guard !connection.isClosed else { return }
        guard let recovery = namespace.recovery else {
            guard attach(socket) else { return }
            namespace.add(socket)
            accept(socket, in: namespace, answer: "{\"sid\":\"\(socket.id)\"}")
            await namespace.connected(socket)
            socket.startHandlingEvents()
            return
        }
        await connectRecoverable(socket, claim: RecoveryClaim(auth: packet.json), recovery: recovery)
    }

    /// A CONNECT on a namespace with recovery: the session of the claimed `pid` comes back (same socket id and
    /// rooms, missed packets first), or the socket starts a new one. Either way the answer carries the `pid`; the
    /// client reports `recovered` only when it is the `pid` it claimed.
    private func connectRecoverable(
        _ admitted: Socket,
        claim: RecoveryClaim,
        recovery: ConnectionStateRecovery
    ) async {
        let namespace = admitted.namespace
        let store = recovery.store
        let restored = await claimedSession(claim, of: admitted, recovery: recovery)
        let socket = restored.map { resumedSocket($0, admitted: admitted) } ?? admitted
        var record =
            restored
            ?? RecoverableSession(
                pid: EngineServer.randomId() + EngineServer.randomId(),
                socketId: socket.id,
                namespace: namespace.name,
                owner: recovery.owner(socket),
                rooms: [socket.id],
                startOffset: store.nextOffset()
            )
        guard attach(socket) else { return }
        namespace.add(socket, rooms: record.rooms)
        var recovered = false
        if restored != nil {
            // Live broadcasts to the socket's rooms are held since `add`; the missed ones come from the store.
            var missed: [String] = []
            do {
                missed = try await store.missedPackets(for: record, after: claim.offset)
                recovered = true
                RecoveryMetrics.succeeded(namespace.name, replayed: missed.count)
            } catch {
                // Without the missed packets the client must not think it recovered: it gets a new pid.
                RecoveryMetrics.failed(namespace.name, reason: error)
                record.pid = EngineServer.randomId() + EngineServer.randomId()
                record.startOffset = store.nextOffset()
            }
            socket.release(missed: missed)
        }
        socket.setRecovery(pid: record.pid, recovered: recovered)
        store.started(record)
        accept(socket, in: namespace, answer: "{\"sid\":\"\(socket.id)\",\"pid\":\"\(record.pid)\"}")
        await namespace.connected(socket)
        socket.startHandlingEvents()
    }

    /// The stored session a CONNECT claims, when it exists, is within the window and belongs to the same owner.
    private func claimedSession(
        _ claim: RecoveryClaim,
        of admitted: Socket,
        recovery: ConnectionStateRecovery
    ) async -> RecoverableSession? {
        guard let pid = claim.pid else { return nil }
        do {
            return try await recovery.store.session(pid: pid, owner: recovery.owner(admitted), window: recovery.window)
        } catch {
            RecoveryMetrics.failed(admitted.namespace.name, reason: error)
            logger.info("Connection state not recovered", metadata: ["reason": "\(error.rawValue)"])
            return nil
        }
    }

    /// The socket of a recovered session: its old id, the admitted socket's handshake, data and token deadline, and
    /// live broadcasts held until the missed ones are out.
    private func resumedSocket(_ restored: RecoverableSession, admitted: Socket) -> Socket {
        let namespace = admitted.namespace
        // A socket of this session still here (its transport died unnoticed) gives way to the new one.
        if let stale = namespace.socket(id: restored.socketId), stale.client.detach(namespace: namespace.name) != nil {
            stale.didDisconnect(reason: .engine(.forcedClose))
        }
        let socket = Socket(id: restored.socketId, namespace: namespace, handshake: admitted.handshake, client: self)
        socket.data = admitted.data
        if let deadline = admitted.disconnectDeadline { socket.disconnect(at: deadline) }
        socket.holdBroadcasts()
        return socket
    }

    /// Answers the CONNECT.
    private func accept(_ socket: Socket, in namespace: Namespace, answer: String) {
        socket.send(SocketPacket(kind: .connect, namespace: namespace.name, json: answer))
        namespace.metrics.connects.increment()
    }
}
