import Testing

@testable import SocketIO

@Suite struct RoomTableTests {
    let io = SocketServer()

    func socket(_ id: String, _ namespace: Namespace) throws -> Socket {
        let (_, client) = try io.openTestSession()
        return Socket(
            id: id,
            namespace: namespace,
            handshake: Handshake(headers: [:], query: [:], auth: nil),
            client: client
        )
    }

    @Test func recipientsAreTheRoomsMinusTheExceptions() throws {
        let namespace = Namespace(name: "/t")
        var table = RoomTable()
        let (a, b, c) = (try socket("a", namespace), try socket("b", namespace), try socket("c", namespace))
        for s in [a, b, c] { table.add(s) }
        table.join("a", "room")
        table.join("b", "room")
        #expect(Set(table.recipients(rooms: ["room"], except: []).map(\.id)) == ["a", "b"])
        #expect(Set(table.recipients(rooms: ["room"], except: ["a"]).map(\.id)) == ["b"])
        #expect(Set(table.recipients(rooms: [], except: ["b"]).map(\.id)) == ["a", "c"])
        #expect(Set(table.recipients(rooms: ["room", "c"], except: []).map(\.id)) == ["a", "b", "c"])
    }

    @Test func everySocketIsInItsOwnRoomAndLeavesAllOnRemoval() throws {
        let namespace = Namespace(name: "/t")
        var table = RoomTable()
        table.add(try socket("a", namespace))
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
    @Test func aSocketCanLeaveItsOwnRoomAndComeBack() throws {
        let namespace = Namespace(name: "/t")
        var table = RoomTable()
        let (a, b) = (try socket("a", namespace), try socket("b", namespace))
        table.add(a)
        table.add(b)
        table.join("b", "a")
        #expect(table.members(of: "a") == ["a", "b"])
        table.leave("a", "a")
        #expect(table.rooms(of: "a").isEmpty)
        #expect(table.members(of: "a") == ["b"])
        #expect(table.recipients(rooms: ["a"], except: []).map(\.id) == ["b"])
        #expect(table.recipients(rooms: [], except: ["a"]).map(\.id) == ["a"])
        table.join("a", "a")
        #expect(table.rooms(of: "a") == ["a"])
        #expect(Set(table.recipients(rooms: ["a"], except: []).map(\.id)) == ["a", "b"])
        table.remove("a")
        #expect(table.members(of: "a") == ["b"])
    }
}
