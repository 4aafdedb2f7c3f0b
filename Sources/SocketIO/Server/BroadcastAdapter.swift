/// A broadcast as it travels between nodes: the encoded packet and who should get it.
public struct BroadcastMessage: Sendable, Codable, Equatable {
    public var namespace: String
    /// Deliver to the sockets in any of these rooms; all sockets of the namespace when empty.
    public var rooms: [String]
    /// Leave out the sockets in any of these rooms.
    public var exceptRooms: [String]
    /// The Socket.IO packet, already encoded: every recipient gets these same bytes.
    public var packet: String
    public var attachments: [[UInt8]]

    /// - Parameters:
    ///   - namespace: the namespace's name.
    ///   - rooms: the rooms reached; empty for every socket.
    ///   - exceptRooms: sockets in any of these are left out.
    ///   - packet: the encoded packet.
    ///   - attachments: its binary attachments.
    public init(namespace: String, rooms: [String], exceptRooms: [String], packet: String, attachments: [[UInt8]] = [])
    {
        self.namespace = namespace
        self.rooms = rooms
        self.exceptRooms = exceptRooms
        self.packet = packet
        self.attachments = attachments
    }
}

/// The seam for broadcasts: the local adapter delivers on this node; a multi-node adapter also publishes the
/// message so that other nodes call `Namespace.deliver(_:)` with it.
public protocol BroadcastAdapter: Sendable {
    /// Delivers `message` to its recipients.
    /// - Parameters:
    ///   - message: the broadcast.
    ///   - namespace: the namespace on this node it was emitted from.
    func broadcast(_ message: BroadcastMessage, from namespace: Namespace) async throws
}

/// Delivers broadcasts to this node's sockets only.
public struct LocalAdapter: BroadcastAdapter {
    public init() {}

    /// - Parameters:
    ///   - message: the broadcast.
    ///   - namespace: the namespace on this node, which delivers it.
    public func broadcast(_ message: BroadcastMessage, from namespace: Namespace) async throws {
        namespace.deliver(message)
    }
}
