/// Which sockets are in which rooms of one namespace, indexed both ways so joins, leaves and broadcasts never
/// scan all sockets.
struct RoomTable {
    private(set) var sockets: [String: Socket] = [:]
    private var members: [String: Set<String>] = [:]
    private var roomsOfSocket: [String: Set<String>] = [:]

    mutating func add(_ socket: Socket) {
        sockets[socket.id] = socket
        join(socket.id, socket.id)
    }

    mutating func remove(_ socketId: String) {
        sockets.removeValue(forKey: socketId)
        for room in roomsOfSocket.removeValue(forKey: socketId) ?? [] {
            members[room]?.remove(socketId)
            if members[room]?.isEmpty == true { members.removeValue(forKey: room) }
        }
    }

    mutating func join(_ socketId: String, _ room: String) {
        guard sockets[socketId] != nil else { return }
        members[room, default: []].insert(socketId)
        roomsOfSocket[socketId, default: []].insert(room)
    }

    mutating func leave(_ socketId: String, _ room: String) {
        members[room]?.remove(socketId)
        if members[room]?.isEmpty == true { members.removeValue(forKey: room) }
        roomsOfSocket[socketId]?.remove(room)
    }

    func rooms(of socketId: String) -> Set<String> {
        roomsOfSocket[socketId] ?? []
    }

    func members(of room: String) -> Set<String> {
        members[room] ?? []
    }

    /// The sockets in any of `rooms` (all sockets when `rooms` is empty) and in none of `except`.
    func recipients(rooms: [String], except: [String]) -> [Socket] {
        var excluded = Set<String>()
        for room in except { excluded.formUnion(members[room] ?? []) }
        if rooms.isEmpty {
            return sockets.values.filter { !excluded.contains($0.id) }
        }
        var ids = Set<String>()
        for room in rooms { ids.formUnion(members[room] ?? []) }
        return ids.subtracting(excluded).compactMap { sockets[$0] }
    }
}
