import APIRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A small implementation of the fixture's protocols, enough to drive every generated code path.
struct NotesAPI: APIProtocol {
    typealias Context = BasicRequestContext

    func authenticateBearerAuth(_ credential: String, context: Context) async throws -> String {
        guard credential == "good-token" else { throw APIError.unauthorized("Invalid token") }
        return "user-1"
    }

    func authenticateAdminKey(_ credential: String, context: Context) async throws -> Bool {
        guard credential == "admin" else { throw APIError.unauthorized("Invalid key") }
        return true
    }

    func getNote(
        _ input: Operations.GetNote.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.GetNote.Output {
        guard input.path.noteId == "6f1c1d2e-0000-4000-8000-000000000001" else {
            throw APIError.notFound("No such note")
        }
        return .ok(
            Note(
                id: input.path.noteId,
                text: "trace=\(input.headers.xTrace ?? "-")",
                color: .darkGreen,
                author: .init(name: identity),
                parent: nil,
                createdAt: Date(timeIntervalSince1970: 1_800_000_000.5),
                pinned: true,
                score: 1.5
            )
        )
    }

    func deleteNote(
        _ input: Operations.DeleteNote.Input,
        identity: Bool,
        context: Context
    ) async throws -> Operations.DeleteNote.Output {
        .noContent
    }

    func createNote(
        _ input: Operations.CreateNote.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.CreateNote.Output {
        .created(
            Note(
                id: "6f1c1d2e-0000-4000-8000-000000000002",
                text: "\(input.body.text) limit=\(input.query.limit) priority=\(input.body.priority.rawValue)",
                color: input.body.color ?? .red,
                author: .init(name: identity, homepage: "https://example.com"),
                parent: NoteRef(id: "6f1c1d2e-0000-4000-8000-000000000001"),
                createdAt: Date(timeIntervalSince1970: 0),
                pinned: false,
                score: 0,
                default: "kept"
            )
        )
    }
}

struct NotesEvents: NotesEventHandler {
    typealias Connection = String

    func pinNote(_ payload: NoteEvent, connection: String) async throws -> Ack {
        if connection == "stranger" { throw APIError.forbidden("Not your note") }
        return Ack()
    }
}

@Suite struct FixtureConsumerTests {
    func withApp(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router()
        NotesAPI().registerHandlers(on: router)
        try await Application(router: router).test(.router, test)
    }

    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] ?? [:]
    }

    @Test func routeDecodesPathHeaderAndEncodesBody() async throws {
        try await withApp { client in
            try await client.execute(
                uri: "/notes/6f1c1d2e-0000-4000-8000-000000000001",
                method: .get,
                headers: [.authorization: "Bearer good-token", HTTPField.Name("X-Trace")!: "abc"]
            ) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["text"] as? String == "trace=abc")
                #expect(body["color"] as? String == "dark-green")
                #expect(body["createdAt"] as? String == "2027-01-15T08:00:00.500Z")
                #expect(body.keys.contains("parent"))
                #expect(body["parent"] is NSNull)
                #expect(!body.keys.contains("default"))
            }
        }
    }

    @Test func missingAndWrongCredentialsAre401() async throws {
        try await withApp { client in
            try await client.execute(uri: "/notes/6f1c1d2e-0000-4000-8000-000000000001", method: .get) { response in
                #expect(response.status == .unauthorized)
                let body = try json(response.body)
                #expect(body["success"] as? Bool == false)
                #expect((body["error"] as? [String: Any])?["code"] as? String == "UNAUTHORIZED")
            }
            try await client.execute(
                uri: "/notes/6f1c1d2e-0000-4000-8000-000000000001",
                method: .delete,
                headers: [HTTPField.Name("X-Admin-Key")!: "wrong"]
            ) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func noContentResponse() async throws {
        try await withApp { client in
            try await client.execute(
                uri: "/notes/6f1c1d2e-0000-4000-8000-000000000001",
                method: .delete,
                headers: [HTTPField.Name("X-Admin-Key")!: "admin"]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func bodyDefaultsAndQueryDefaultsApply() async throws {
        try await withApp { client in
            try await client.execute(
                uri: "/notes",
                method: .post,
                headers: [.authorization: "Bearer good-token"],
                body: ByteBuffer(string: #"{"text":"hi","tags":["a"]}"#)
            ) { response in
                #expect(response.status == .created)
                let body = try json(response.body)
                #expect(body["text"] as? String == "hi limit=10 priority=low")
                #expect(body["default"] as? String == "kept")
                #expect(
                    (body["parent"] as? [String: Any])?["id"] as? String
                        == "6f1c1d2e-0000-4000-8000-000000000002".replacingOccurrences(of: "0002", with: "0001")
                )
            }
        }
    }

    @Test func invalidInputListsEveryFieldProblem() async throws {
        try await withApp { client in
            let long = String(repeating: "x", count: 501)
            try await client.execute(
                uri: "/notes?limit=51",
                method: .post,
                headers: [.authorization: "Bearer good-token"],
                body: ByteBuffer(string: #"{"text":"\#(long)","tags":["","b","c","d"]}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let details =
                    (try json(response.body)["error"] as? [String: Any])?["details"] as? [[String: String]] ?? []
                let fields = details.map { "\($0["field"] ?? ""): \($0["message"] ?? "")" }
                #expect(fields.contains("limit: must be at most 50"))
                #expect(fields.contains("text: must be at most 500 characters"))
                #expect(fields.contains("tags: must have at most 3 items"))
                #expect(fields.contains("tags[0]: must not be empty"))
            }
        }
    }

    @Test func malformedInputIsRejectedClearly() async throws {
        try await withApp { client in
            let auth: HTTPFields = [.authorization: "Bearer good-token"]
            try await client.execute(uri: "/notes", method: .post, headers: auth, body: ByteBuffer(string: "{oops")) {
                response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/notes", method: .post, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/notes",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: #"{"text":5}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let details = (try json(response.body)["error"] as? [String: Any])?["details"] as? [[String: String]]
                #expect(details?.first?["field"] == "text")
                #expect(details?.first?["message"] == "must be a string")
            }
            try await client.execute(
                uri: "/notes",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: #"{"text":"a","color":"pink"}"#)
            ) { response in
                let details = (try json(response.body)["error"] as? [String: Any])?["details"] as? [[String: String]]
                #expect(details?.first?["message"] == "must be one of: red, dark-green, BLUE_ISH")
            }
            try await client.execute(
                uri: "/notes?limit=ten",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: #"{"text":"a"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/notes/not-a-uuid", method: .get, headers: auth) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
    }

    @Test func undeclaredMethodIs405WithAllow() async throws {
        try await withApp { client in
            try await client.execute(uri: "/notes", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
        }
    }

    @Test func dispatcherAcksEveryOutcome() async throws {
        let dispatcher = NotesEventDispatcher(handler: NotesEvents(), logger: Logger(label: "test"))
        let good = Data(#"{"noteId":"6f1c1d2e-0000-4000-8000-000000000001"}"#.utf8)
        let ok = await dispatcher.dispatch(event: "pin_note", arguments: [good], connection: "owner")
        #expect(String(decoding: ok.ack, as: UTF8.self) == #"{"ok":true}"#)
        let forbidden = await dispatcher.dispatch(event: "pin_note", arguments: [good], connection: "stranger")
        #expect(String(decoding: forbidden.ack, as: UTF8.self).contains(#""code":"FORBIDDEN""#))
        let invalid = await dispatcher.dispatch(
            event: "pin_note",
            arguments: [Data(#"{"noteId":"x"}"#.utf8)],
            connection: "owner"
        )
        #expect(String(decoding: invalid.ack, as: UTF8.self).contains("noteId: must be a UUID"))
        let missing = await dispatcher.dispatch(event: "pin_note", arguments: [], connection: "owner")
        #expect(String(decoding: missing.ack, as: UTF8.self).contains(#""code":"VALIDATION_FAILED""#))
        let unknown = await dispatcher.dispatch(event: "nope", arguments: [good], connection: "owner")
        #expect(String(decoding: unknown.ack, as: UTF8.self).contains(#""code":"UNKNOWN_EVENT""#))
    }

    @Test func emitterEncodesOncePerEvent() async throws {
        let sink = RecordingSink()
        try await NotesEventEmitter(sink: sink).notePinned(
            NoteEvent(noteId: "n"),
            to: .room("notes:1").excluding("socket-1")
        )
        let recorded = await sink.events
        #expect(recorded.count == 1)
        #expect(recorded.first?.event == "note_pinned")
        #expect(recorded.first?.argument == #"{"noteId":"n"}"#)
        #expect(recorded.first?.target == EventTarget(rooms: ["notes:1"], exceptRooms: ["socket-1"]))
    }
}

actor RecordingSink: EventSink {
    var events: [(event: String, argument: String, target: EventTarget)] = []

    func emit(event: String, argument: Data, to target: EventTarget, replayable: Bool) async throws {
        events.append((event, String(decoding: argument, as: UTF8.self), target))
    }
}
