import Synchronization

/// Sends the acknowledgement of one received event; only the first call sends anything.
public final class Acknowledgement: Sendable {
    let id: Int
    let socket: Socket
    private let sent = Mutex(false)

    init(id: Int, socket: Socket) {
        self.id = id
        self.socket = socket
    }

    /// Sends the ack (a BINARY_ACK when there are attachments); returns false when it was already sent.
    ///
    /// - Parameters:
    ///   - arguments: the ack's arguments.
    ///   - attachments: binary attachments, placed by `{"_placeholder":true,"num":N}` in the arguments.
    @discardableResult
    public func send(_ arguments: [JSONText], attachments: [[UInt8]] = []) -> Bool {
        let first = sent.withLock { sent -> Bool in
            defer { sent = true }
            return !sent
        }
        guard first else { return false }
        let packet = SocketPacket(
            kind: attachments.isEmpty ? .ack : .binaryAck,
            namespace: socket.namespace.name,
            id: id,
            attachments: attachments.count,
            json: EventCoding.ackPayload(arguments)
        )
        socket.send(packet, attachments: attachments)
        return true
    }
}

/// A client's acknowledgement of a server emit: its arguments and, for a BINARY_ACK, its attachments.
public struct AckReply: Sendable, Equatable {
    public var arguments: [JSONText]
    public var attachments: [[UInt8]]
}
