import Testing

@testable import SocketIO

@Suite struct RoomTableTests {
    func socket(_ id: String, _ namespace: Namespace) -> Socket {
        let session = EngineSession(
            id: "s-\(id)",
            transport: .websocket,
            handshake: Handshake(headers: [:], query: [:], auth: nil),
            pingInterval: .seconds(25),
            pingTimeout: .seconds(20)
        )
        return Socket(id: id, namespace: namespace, handshake: session.handshake, session: session)
    }

    @Test func recipientsAreTheRoomsMinusTheExceptions() {
        let namespace = Namespace(name: "/t")
        var table = RoomTable()
        let (a, b, c) = (socket("a", namespace), socket("b", namespace), socket("c", namespace))
        for s in [a, b, c] { table.add(s) }
        table.join("a", "room")
        table.join("b", "room")
        #expect(Set(table.recipients(rooms: ["room"], except: []).map(\.id)) == ["a", "b"])
        #expect(Set(table.recipients(rooms: ["room"], except: ["a"]).map(\.id)) == ["b"])
        #expect(Set(table.recipients(rooms: [], except: ["b"]).map(\.id)) == ["a", "c"])
        #expect(Set(table.recipients(rooms: ["room", "c"], except: []).map(\.id)) == ["a", "b", "c"])
    }

    @Test func everySocketIsInItsOwnRoomAndLeavesAllOnRemoval() {
        let namespace = Namespace(name: "/t")
        var table = RoomTable()
        table.add(socket("a", namespace))
        table.join("a", "x")
        #expect(table.rooms(of: "a") == ["a", "x"])
        table.remove("a")
        #expect(table.rooms(of: "a").isEmpty)
        #expect(table.members(of: "x").isEmpty)
        #expect(table.recipients(rooms: ["x"], except: []).isEmpty)
    }

    @Test func joiningAnUnknownSocketDoesNothing() {
        var table = RoomTable()
        table.join("ghost", "x")
        #expect(table.members(of: "x").isEmpty)
    }
}
