/// The Socket.IO layer: what the server does with each Engine.IO packet a client sends.
extension SocketServer {
    /// Handles packets received from a client in order; an invalid one closes the session.
    func receive(_ packets: [EnginePacket], on session: EngineSession) async {
        for packet in packets {
            guard !session.isClosed else { return }
            session.received(packet)
            switch packet {
            case .message(let text):
                guard !session.awaitsAttachments, text.utf8.count <= configuration.maxPayload,
                    let decoded = try? SocketPacket.decode(text)
                else {
                    close(session, .parseError)
                    return
                }
                if decoded.kind == .binaryEvent || decoded.kind == .binaryAck, decoded.attachments > 0 {
                    session.beginBinary(decoded)
                } else {
                    await handle(decoded, attachments: [], on: session)
                }
            case .binary(let bytes):
                guard case .some(let complete) = session.addAttachment(bytes) else {
                    close(session, .parseError)
                    return
                }
                if let complete {
                    await handle(complete.packet, attachments: complete.attachments, on: session)
                }
            case .ping(let data):
                session.send([.pong(data)])
            case .close:
                // Over polling, a pending GET is released with a noop first, as the reference does.
                if session.transport == .polling { session.releaseConsumer(with: [.noop]) }
                close(session, .transportClose)
            case .pong, .noop, .upgrade, .open:
                break
            }
        }
    }

    private func handle(_ packet: SocketPacket, attachments: [[UInt8]], on session: EngineSession) async {
        switch packet.kind {
        case .connect:
            await connect(packet, on: session)
        case .disconnect:
            session.detach(namespace: packet.namespace)?.didDisconnect(reason: .clientNamespaceDisconnect)
        case .event, .binaryEvent:
            // An event for a namespace the client is not connected to ends the session, as the reference does.
            guard let socket = session.socket(in: packet.namespace) else { return close(session, .parseError) }
            guard let json = packet.json, let (name, arguments) = try? EventCoding.splitEvent(json) else { return }
            let ack = packet.id.map { Acknowledgement(id: $0, socket: socket) }
            let event = IncomingEvent(name: name, arguments: arguments, attachments: attachments, ack: ack)
            if !socket.receive(event) {
                logger.warning(
                    "Client is too far ahead of its event handler; closing",
                    metadata: ["sid": "\(session.id)"]
                )
                close(session, .forcedClose)
            }
        case .ack, .binaryAck:
            guard let socket = session.socket(in: packet.namespace), let id = packet.id, let json = packet.json,
                let arguments = try? EventCoding.splitAck(json)
            else { return }
            socket.resolveAck(id, reply: AckReply(arguments: arguments, attachments: attachments))
        case .connectError:
            close(session, .parseError)
        }
    }

    private func connect(_ packet: SocketPacket, on session: EngineSession) async {
        guard let namespace = existingNamespace(packet.namespace) else {
            let error = SocketPacket(
                kind: .connectError,
                namespace: packet.namespace,
                json: #"{"message":"Invalid namespace"}"#
            )
            session.send([.message(error.encode())])
            return
        }
        guard session.socket(in: namespace.name) == nil else { return }
        guard isAcceptingConnections else {
            let error = SocketPacket(
                kind: .connectError,
                namespace: namespace.name,
                json: #"{"message":"Server is shutting down"}"#
            )
            session.send([.message(error.encode())])
            return
        }
        var socketHandshake = session.handshake
        socketHandshake.auth = packet.json
        let socket = Socket(id: Self.randomId(), namespace: namespace, handshake: socketHandshake, session: session)
        do {
            try await namespace.admit(socket)
        } catch {
            namespace.metrics.connectsRefused.increment()
            let rejection = error as? ConnectRejection ?? ConnectRejection(message: "Connection refused")
            var json = "{\"message\":" + EventCoding.jsonString(rejection.message)
            if let data = rejection.data { json += ",\"data\":" + data }
            json += "}"
            socket.send(SocketPacket(kind: .connectError, namespace: namespace.name, json: json))
            return
        }
        guard !session.isClosed else { return }
        guard let recovery = namespace.recovery else {
            guard session.attach(socket) else { return }
            namespace.add(socket)
            accept(socket, in: namespace, answer: "{\"sid\":\"\(socket.id)\"}")
            await namespace.connected(socket)
            socket.startHandlingEvents(logger: logger)
            return
        }
        await connectRecoverable(socket, claim: RecoveryClaim(auth: packet.json), recovery: recovery, on: session)
    }

    /// A CONNECT on a namespace with recovery: the session of the claimed `pid` comes back (same socket id and
    /// rooms, missed packets first), or the socket starts a new one. Either way the answer carries the `pid`; the
    /// client reports `recovered` only when it is the `pid` it claimed.
    private func connectRecoverable(
        _ admitted: Socket,
        claim: RecoveryClaim,
        recovery: ConnectionStateRecovery,
        on engine: EngineSession
    ) async {
        let namespace = admitted.namespace
        let store = recovery.store
        var restored: RecoverableSession?
        if let pid = claim.pid {
            do {
                restored = try await store.session(pid: pid, owner: recovery.owner(admitted), window: recovery.window)
            } catch {
                RecoveryMetrics.failed(namespace.name, reason: error)
                logger.info("Connection state not recovered", metadata: ["reason": "\(error.rawValue)"])
            }
        }
        let socket: Socket
        var record: RecoverableSession
        if let restored {
            // A socket of this session still here (its transport died unnoticed) gives way to the new one.
            if let stale = namespace.socket(id: restored.socketId),
                stale.session.detach(namespace: namespace.name) != nil
            {
                stale.didDisconnect(reason: .forcedClose)
            }
            socket = Socket(id: restored.socketId, namespace: namespace, handshake: admitted.handshake, session: engine)
            socket.data = admitted.data
            socket.holdBroadcasts()
            record = restored
        } else {
            socket = admitted
            record = RecoverableSession(
                pid: Self.randomId() + Self.randomId(),
                socketId: socket.id,
                namespace: namespace.name,
                owner: recovery.owner(socket),
                rooms: [socket.id],
                startOffset: store.nextOffset()
            )
        }
        guard !engine.isClosed, engine.attach(socket) else { return }
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
                record.pid = Self.randomId() + Self.randomId()
                record.startOffset = store.nextOffset()
            }
            socket.release(missed: missed)
        }
        socket.setRecovery(pid: record.pid, recovered: recovered)
        store.started(record)
        accept(socket, in: namespace, answer: "{\"sid\":\"\(socket.id)\",\"pid\":\"\(record.pid)\"}")
        await namespace.connected(socket)
        socket.startHandlingEvents(logger: logger)
    }

    /// Answers the CONNECT.
    private func accept(_ socket: Socket, in namespace: Namespace, answer: String) {
        socket.send(SocketPacket(kind: .connect, namespace: namespace.name, json: answer))
        namespace.metrics.connects.increment()
    }
}
