/// Which sockets are in which rooms of one namespace, indexed both ways so joins, leaves and broadcasts never
/// scan all sockets.
///
/// Every socket is in the room named by its id until it leaves it. That room is not stored: a socket's entry in
/// `sockets` stands for it (a set of rooms and a set of members less for each connection), and the few sockets that
/// leave their own room are remembered in `outsideOwnRoom`.
struct RoomTable {
    private(set) var sockets: [String: Socket] = [:]
    /// The members of each room, besides the socket whose id names the room.
    private var members: [String: Set<String>] = [:]
    /// Each socket's rooms, besides its own.
    private var roomsOfSocket: [String: Set<String>] = [:]
    private var outsideOwnRoom: Set<String> = []

    mutating func add(_ socket: Socket) {
        sockets[socket.id] = socket
    }

    mutating func remove(_ socketId: String) {
        sockets.removeValue(forKey: socketId)
        outsideOwnRoom.remove(socketId)
        for room in roomsOfSocket.removeValue(forKey: socketId) ?? [] {
            members[room]?.remove(socketId)
            if members[room]?.isEmpty == true { members.removeValue(forKey: room) }
        }
    }

    mutating func join(_ socketId: String, _ room: String) {
        guard sockets[socketId] != nil else { return }
        guard room != socketId else {
            outsideOwnRoom.remove(socketId)
            return
        }
        members[room, default: []].insert(socketId)
        roomsOfSocket[socketId, default: []].insert(room)
    }

    mutating func leave(_ socketId: String, _ room: String) {
        guard room != socketId else {
            if sockets[socketId] != nil { outsideOwnRoom.insert(socketId) }
            return
        }
        members[room]?.remove(socketId)
        if members[room]?.isEmpty == true { members.removeValue(forKey: room) }
        roomsOfSocket[socketId]?.remove(room)
        if roomsOfSocket[socketId]?.isEmpty == true { roomsOfSocket.removeValue(forKey: socketId) }
    }

    func rooms(of socketId: String) -> Set<String> {
        var rooms = roomsOfSocket[socketId] ?? []
        if isInOwnRoom(socketId) { rooms.insert(socketId) }
        return rooms
    }

    func members(of room: String) -> Set<String> {
        var members = members[room] ?? []
        if isInOwnRoom(room) { members.insert(room) }
        return members
    }

    private func isInOwnRoom(_ socketId: String) -> Bool {
        sockets[socketId] != nil && !outsideOwnRoom.contains(socketId)
    }

    /// The sockets in any of `rooms` (all sockets when `rooms` is empty) and in none of `except`.
    func recipients(rooms: [String], except: [String]) -> [Socket] {
        var excluded = Set<String>()
        for room in except { excluded.formUnion(members(of: room)) }
        if rooms.isEmpty {
            return sockets.values.filter { !excluded.contains($0.id) }
        }
        var ids = Set<String>()
        for room in rooms { ids.formUnion(members(of: room)) }
        return ids.subtracting(excluded).compactMap { sockets[$0] }
    }
}
