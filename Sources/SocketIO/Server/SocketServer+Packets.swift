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
            guard let socket = session.socket(in: packet.namespace), let json = packet.json,
                let (name, arguments) = try? EventCoding.splitEvent(json)
            else { return }
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
        guard !session.isClosed, session.attach(socket) else { return }
        socket.send(SocketPacket(kind: .connect, namespace: namespace.name, json: "{\"sid\":\"\(socket.id)\"}"))
        namespace.metrics.connects.increment()
        await namespace.connected(socket)
        socket.startHandlingEvents(logger: logger)
    }
}
