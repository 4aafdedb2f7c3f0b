import SocketIO

/// `/test`: the handlers this project's live tests drive.
enum TestNamespace {
    static func configure(_ namespace: Namespace) {
        namespace.use { socket in
            guard let auth = socket.handshake.auth, (try? auth.decode([String: String].self))?["token"] == "secret"
            else {
                throw ConnectRejection(message: "Not authorized", data: .object(["code": .string("UNAUTHORIZED")]))
            }
        }
        namespace.onConnection { socket in
            socket.emit("welcome", [.string(socket.id)])
        }
        namespace.on("echo") { _, event in
            event.ack?.send(event.arguments)
        }
        namespace.on("binary") { socket, event in
            // Echo a binary event back as a binary event, and acknowledge with the attachments too.
            socket.emit("binary", event.arguments, attachments: event.attachments)
            event.ack?.send(event.arguments, attachments: event.attachments)
        }
        namespace.on("join") { socket, event in
            let room = try? event.arguments.first?.decode(String.self)
            if let room { socket.join(room) }
            event.ack?.send([.bool(room != nil)])
        }
        namespace.on("broadcast") { socket, event in
            let room = try? event.arguments.first?.decode(String.self)
            try? await socket.namespace.emit(
                "broadcast",
                Array(event.arguments.dropFirst()),
                to: room.map { [$0] } ?? [],
                except: [socket.id]
            )
            event.ack?.send([.true])
        }
        namespace.on("ask") { socket, event in
            let answer = try? await socket.emitWithAck("question", event.arguments, timeout: .seconds(5))
            event.ack?.send(answer?.arguments ?? [.string("no answer")], attachments: answer?.attachments ?? [])
        }
        namespace.on("bye") { socket, _ in
            socket.disconnect()
        }
        // Sockets in the room "observers" hear of every disconnect with its reason.
        namespace.onDisconnect { socket, reason in
            try? await namespace.emit("left", [.string(socket.id), .string(reason.rawValue)], to: ["observers"])
        }
    }
}

/// `/messages`: the three handlers of the reference peers (`../shared/peers`), for side-by-side benchmarks.
enum PeerNamespace {
    struct RoomPayload: Decodable {
        var room: String
    }

    static let success = JSONText.object(["success": .true])

    static func configure(_ namespace: Namespace) {
        namespace.use { socket in
            guard let auth = socket.handshake.auth, (try? auth.decode([String: AnyJSON].self))?["token"] != nil else {
                throw ConnectRejection(message: "missing token")
            }
        }
        namespace.on("echo") { _, event in
            event.ack?.send(Array(event.arguments.prefix(1)))
        }
        namespace.on("join") { socket, event in
            if let room = try? event.arguments.first?.decode(RoomPayload.self).room { socket.join(room) }
            event.ack?.send([success])
        }
        namespace.on("send") { socket, event in
            if let data = event.arguments.first, let room = try? data.decode(RoomPayload.self).room {
                try? await namespace.emit("new_message", [data], to: [room], except: [socket.id])
            }
            event.ack?.send([success])
        }
    }

    /// Any JSON value: the token may be of any type.
    struct AnyJSON: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}

/// `/` and `/custom`: the server of the Socket.IO protocol test suite.
enum ReferenceSuiteNamespace {
    static func configure(_ namespace: Namespace) {
        namespace.onConnection { socket in
            socket.emit("auth", [socket.handshake.auth ?? .object([:])])
        }
        namespace.on("message") { socket, event in
            socket.emit("message-back", event.arguments, attachments: event.attachments)
        }
        namespace.on("message-with-ack") { _, event in
            event.ack?.send(event.arguments, attachments: event.attachments)
        }
    }
}
