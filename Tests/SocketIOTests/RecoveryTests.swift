import Foundation
import Testing

@testable import EngineIO
@testable import SocketIO

/// Connection state recovery inside the library, over the in-memory store: what the CONNECT answer carries, which
/// broadcasts carry offsets and are replayed, in which order, and what does not recover.
@Suite struct RecoveryTests {
    let handshake = Handshake(headers: [:], query: [:], auth: nil)

    /// A server whose `/chat` namespace has recovery with an in-memory store; the owner is the auth's `user`.
    func server(window: Duration = .seconds(60)) -> (SocketServer, Namespace) {
        let io = SocketServer()
        let chat = io.namespace("/chat")
        chat.use { socket in
            struct Auth: Decodable { var user: String? }
            socket.data =
                socket.handshake.auth.flatMap { try? $0.decode(Auth.self) }?
                .user
        }
        chat.recovery = ConnectionStateRecovery(store: InMemorySessionStore(), window: window) {
            $0.data as? String
        }
        return (io, chat)
    }

    /// Connects a new polling session with `auth`; returns the session and every packet up to the CONNECT answer.
    func connect(_ io: SocketServer, auth: String) async throws -> (EngineConnection, [String]) {
        let (session, _) = try io.openTestSession()
        await io.receive([.message(.text("0/chat," + auth))], on: session)
        let packets = try await session.pull(over: .polling, timeout: .seconds(1)) ?? []
        return (session, packets.map(\.text))
    }

    func answer(_ packets: [String]) throws -> [String: String] {
        let text = try #require(packets.last { $0.hasPrefix("40/chat,") })
        return try JSONDecoder().decode([String: String].self, from: Data(text.dropFirst(8).utf8))
    }

    @Test func aSessionComesBackWithItsIdRoomsAndTheEventsItMissedBeforeTheAnswer() async throws {
        let (io, chat) = server()
        let (first, packets) = try await connect(io, auth: #"{"user":"ada"}"#)
        let original = try answer(packets)
        let pid = try #require(original["pid"])
        let socket = try #require(first.socket(in: "/chat"))
        socket.join("room-1")
        try await chat.emit("news", [.string("one")], to: ["room-1"])
        let delivered = try await first.pull(over: .polling, timeout: .seconds(1))?.map(\.text) ?? []
        let offset = try #require(delivered.first.flatMap { $0.split(separator: "\"").dropLast().last })
        io.close(first, .transportClose)
        try await chat.emit("news", [.string("two")], to: ["room-1"])
        try await chat.emit("news", [.string("other room")], to: ["room-2"])
        try await chat.emit("typing", [.object([:])], to: ["room-1"], recoverable: false)

        let (second, replay) = try await connect(io, auth: #"{"user":"ada","pid":"\#(pid)","offset":"\#(offset)"}"#)
        #expect(replay.count == 2)
        #expect(replay[0].hasPrefix(#"42/chat,["news","two","#))
        #expect(try answer(replay) == original)
        let restored = try #require(second.socket(in: "/chat"))
        #expect(restored.recovered && restored.id == original["sid"])
        #expect(restored.rooms == ["room-1", restored.id])
        // The room delivers again without a join.
        try await chat.emit("news", [.string("three")], to: ["room-1"])
        let live = try await second.pull(over: .polling, timeout: .seconds(1))?.map(\.text) ?? []
        #expect(live.first?.hasPrefix(#"42/chat,["news","three","#) == true)
    }

    @Test func withoutAnOffsetTheReplayStartsWhereTheSessionStarted() async throws {
        let (io, chat) = server()
        let (first, packets) = try await connect(io, auth: #"{"user":"ada"}"#)
        let pid = try #require(try answer(packets)["pid"])
        io.close(first, .pingTimeout)
        try await chat.emit("news", [.string("missed")], to: [])
        let (_, replay) = try await connect(io, auth: #"{"user":"ada","pid":"\#(pid)"}"#)
        #expect(replay.first?.hasPrefix(#"42/chat,["news","missed","#) == true)
        #expect(try answer(replay)["pid"] == pid)
    }

    @Test func noRecoveryForAnotherOwnerAForgedPidALeaveOrAnExpiredSession() async throws {
        let (io, _) = server(window: .milliseconds(200))
        let (first, packets) = try await connect(io, auth: #"{"user":"ada"}"#)
        let pid = try #require(try answer(packets)["pid"])
        io.close(first, .transportClose)
        let (_, eve) = try await connect(io, auth: #"{"user":"eve","pid":"\#(pid)"}"#)
        #expect(try answer(eve)["pid"] != pid)
        let (_, forged) = try await connect(io, auth: #"{"user":"ada","pid":"nope"}"#)
        #expect(try answer(forged)["pid"] != "nope")
        try await Task.sleep(for: .milliseconds(300))
        let (_, late) = try await connect(io, auth: #"{"user":"ada","pid":"\#(pid)"}"#)
        #expect(try answer(late)["pid"] != pid)

        // A client namespace disconnect ends the session for good.
        let (third, fresh) = try await connect(io, auth: #"{"user":"ada"}"#)
        let leaving = try #require(try answer(fresh)["pid"])
        await io.receive([.message(.text("41/chat,"))], on: third)
        let (_, after) = try await connect(io, auth: #"{"user":"ada","pid":"\#(leaving)"}"#)
        #expect(try answer(after)["pid"] != leaving)
    }

    @Test func heldBroadcastsFollowTheMissedOnesOnceEach() async throws {
        let io = SocketServer()
        let (session, client) = try io.openTestSession()
        let socket = Socket(id: "x", namespace: io.namespace("/"), handshake: handshake, client: client)
        socket.holdBroadcasts()
        socket.deliver([.text("b")])
        socket.deliver([.text("c")])
        #expect(socket.release(missed: ["a", "b"]) == 2)
        socket.deliver([.text("d")])
        let packets = try await session.pull(over: .polling, timeout: .seconds(1))
        #expect(packets?.map(\.text) == ["4a", "4b", "4c", "4d"])
    }

    @Test func broadcastsHeldDuringARestoreAreBounded() throws {
        let io = SocketServer()
        let (session, client) = try io.openTestSession()
        let socket = Socket(id: "x", namespace: io.namespace("/"), handshake: handshake, client: client)
        socket.holdBroadcasts()
        for index in 0..<Socket.maxHeldBroadcasts { socket.deliver([.text("\(index)")]) }
        #expect(!session.isClosed)
        // One more (a restore whose store stalls while a busy room keeps broadcasting): the session closes.
        socket.deliver([.text("one too many")])
        #expect(session.isClosed)
        #expect(session.closeReason == .forcedClose)
    }

    @Test func claimsAreReadFromTheAuthObjectAndBounded() {
        #expect(RecoveryClaim(auth: #"{"token":"t","pid":"p","offset":"o"}"#) == RecoveryClaim(pid: "p", offset: "o"))
        #expect(RecoveryClaim(auth: #"{"pid":"p"}"#) == RecoveryClaim(pid: "p", offset: nil))
        #expect(RecoveryClaim(auth: #"{"pid":5}"#) == RecoveryClaim(pid: nil, offset: nil))
        #expect(RecoveryClaim(auth: #"{"offset":"o"}"#) == RecoveryClaim(pid: nil, offset: nil))
        #expect(RecoveryClaim(auth: "{\"pid\":\"\(String(repeating: "p", count: 129))\"}").pid == nil)
        #expect(RecoveryClaim(auth: nil) == RecoveryClaim(pid: nil, offset: nil))
    }

    @Test func theReasonsClientsReconnectFromAreRecoverable() {
        let recoverable: [EngineCloseReason] = [
            .transportClose, .transportError, .pingTimeout, .forcedClose, .serverShuttingDown,
        ]
        for reason in recoverable { #expect(DisconnectReason.engine(reason).isRecoverable, "\(reason)") }
        for reason in [DisconnectReason.engine(.parseError), .serverNamespaceDisconnect, .clientNamespaceDisconnect] {
            #expect(!reason.isRecoverable, "\(reason)")
        }
    }
}
