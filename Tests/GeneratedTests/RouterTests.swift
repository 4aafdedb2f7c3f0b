import APIRuntime
import ContractTesting
import Foundation
import Generated
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The generated routes of the real spec, driven through Hummingbird's test client; every response is checked
/// against api-spec/openapi.yaml with the contract-test helper.
@Suite struct RouterTests {
    static let spec = Result { try SpecConformance.projectSpec() }

    let bearer: HTTPFields = [.authorization: "Bearer \(ProbeAPI.userToken)"]
    let serviceKey: HTTPFields = [HTTPField.Name("X-Service-Key")!: ProbeAPI.serviceKey]

    func withApp(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router()
        ProbeAPI().registerHandlers(on: router)
        try await Application(router: router).test(.router, test)
    }

    /// Sends a request and asserts the status and that the answer conforms to the spec.
    func call(
        _ client: any TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String,
        headers: HTTPFields = [:],
        body: String? = nil,
        expect status: HTTPResponse.Status
    ) async throws -> JSONValue {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        { response in
            let data = Data(response.body.readableBytesView)
            #expect(response.status == status, "\(method) \(uri): \(String(decoding: data, as: UTF8.self))")
            let problems = try Self.spec.get().problems(
                method: method.rawValue,
                path: uri,
                status: Int(response.status.code),
                body: data
            )
            #expect(problems == [], "\(method) \(uri)")
            return try JSONValue.parse(data)
        }
    }

    @Test func everyOperationAnswersItsDocumentedSuccess() async throws {
        let id = Sample.conversationId
        try await withApp { client in
            _ = try await call(
                client,
                .post,
                "/api/messages",
                headers: bearer,
                body: #"{"contractId":"contract-42","content":"hello"}"#,
                expect: .created
            )
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations?page=2&limit=5&includeArchived=true",
                headers: bearer,
                expect: .ok
            )
            _ = try await call(client, .get, "/api/messages/conversations/\(id)", headers: bearer, expect: .ok)
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations/\(id)/messages?before=\(Sample.messageId)",
                headers: bearer,
                expect: .ok
            )
            _ = try await call(
                client,
                .post,
                "/api/messages/conversations/\(id)/messages",
                headers: bearer,
                body: #"{"content":"hi"}"#,
                expect: .created
            )
            _ = try await call(client, .patch, "/api/messages/conversations/\(id)/read", headers: bearer, expect: .ok)
            _ = try await call(
                client,
                .put,
                "/api/messages/conversations/\(id)/archive",
                headers: bearer,
                body: #"{"archived":true}"#,
                expect: .ok
            )
            _ = try await call(
                client,
                .put,
                "/api/internal/users/u-1",
                headers: serviceKey,
                body: #"{"firstName":"Ada","lastName":"L"}"#,
                expect: .ok
            )
            _ = try await call(
                client,
                .put,
                "/api/internal/contracts/c-1",
                headers: serviceKey,
                body: #"{"clientId":"u-1","freelancerId":"u-2","milestones":[{"id":"m-1"}]}"#,
                expect: .ok
            )
            let message = "/api/messages/conversations/\(id)/messages/\(Sample.messageId)"
            let edited = try await call(
                client,
                .patch,
                message,
                headers: bearer,
                body: #"{"content":"v2"}"#,
                expect: .ok
            )
            #expect(edited["data"]?["content"]?.string == "v2")
            _ = try await call(client, .delete, message, headers: bearer, expect: .ok)
            // The emoji arrives percent-decoded.
            let reacted = try await call(
                client,
                .put,
                "\(message)/reactions/%F0%9F%91%8D",
                headers: bearer,
                expect: .ok
            )
            #expect(reacted["data"]?["reactions"]?[0]?["emoji"]?.string == "👍")
            _ = try await call(client, .delete, "\(message)/reactions/%F0%9F%91%8D", headers: bearer, expect: .ok)
            let changes = try await call(
                client,
                .get,
                "/api/messages/conversations/\(id)/changes?since=41",
                headers: bearer,
                expect: .ok
            )
            #expect(changes["data"]?["cursor"]?.int == 42)
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations/\(id)/changes?since=-1",
                headers: bearer,
                expect: .unprocessableContent
            )
            let found = try await call(client, .get, "/api/messages/search?q=draft", headers: bearer, expect: .ok)
            #expect(found["data"]?["limit"]?.int == 20 && found["data"]?["page"]?.int == 1)
            _ = try await call(client, .get, "/api/messages/search", headers: bearer, expect: .unprocessableContent)
            _ = try await call(
                client,
                .get,
                "/api/internal/conversations/\(id)/messages/\(Sample.messageId)/revisions",
                headers: serviceKey,
                expect: .ok
            )
            _ = try await call(client, .get, "/health", expect: .ok)
            _ = try await call(client, .get, "/ready", expect: .serviceUnavailable)
        }
    }

    @Test func aPlainTextResponseIsSentAsText() async throws {
        try await withApp { client in
            let uri = "/api/internal/conversations/\(Sample.conversationId)/export/text?limit=7"
            try await client.execute(uri: uri, method: .get, headers: serviceKey) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(String(buffer: response.body) == "Transcript of \(Sample.conversationId), 7 per page\n")
            }
            let refused = try await call(
                client,
                .get,
                "/api/internal/conversations/\(Sample.conversationId)/export/text?limit=1001",
                headers: serviceKey,
                expect: .unprocessableContent
            )
            #expect(refused["error"]?["details"]?[0]?["field"]?.string == "limit")
            let export = "/api/internal/conversations/\(Sample.conversationId)/export"
            _ = try await call(client, .get, export, expect: .unauthorized)
        }
    }

    @Test func anEnumQueryParameterIsReadAsItsEnum() async throws {
        try await withApp { client in
            let dead = try await call(client, .get, "/api/internal/webhooks", headers: serviceKey, expect: .ok)
            #expect(dead["data"]?["events"]?[0]?["state"]?.string == "dead")
            let pending = try await call(
                client,
                .get,
                "/api/internal/webhooks?state=pending&limit=5",
                headers: serviceKey,
                expect: .ok
            )
            #expect(pending["data"]?["events"]?[0]?["state"]?.string == "pending")
            let unknown = try await call(
                client,
                .get,
                "/api/internal/webhooks?state=lost",
                headers: serviceKey,
                expect: .unprocessableContent
            )
            #expect(unknown["error"]?["details"]?[0]?["field"]?.string == "state")
            #expect(unknown["error"]?["details"]?[0]?["message"]?.string == "must be one of pending, delivered, dead")
            _ = try await call(
                client,
                .post,
                "/api/internal/webhooks/\(Sample.messageId)/replay",
                headers: serviceKey,
                expect: .ok
            )
        }
    }

    @Test func queryValuesReachTheHandlerWithDefaults() async throws {
        try await withApp { client in
            let page = try await call(client, .get, "/api/messages/conversations", headers: bearer, expect: .ok)
            #expect(page["data"]?["page"]?.int == 1)
            #expect(page["data"]?["limit"]?.int == 20)
            let second = try await call(
                client,
                .get,
                "/api/messages/conversations?page=3&limit=7",
                headers: bearer,
                expect: .ok
            )
            #expect(second["data"]?["page"]?.int == 3)
            #expect(second["data"]?["limit"]?.int == 7)
        }
    }

    @Test func requiredNullablePropertiesAreExplicitNulls() async throws {
        try await withApp { client in
            let body = try await call(
                client,
                .get,
                "/api/messages/conversations/\(Sample.conversationId)",
                headers: bearer,
                expect: .ok
            )
            #expect(body["data"]?["milestoneId"] == .null)
            #expect(body["data"]?["lastMessage"] == .null)
            #expect(body["data"]?["client"]?["avatar"] == .null)
        }
    }

    @Test func missingOrWrongCredentialsAre401Envelopes() async throws {
        try await withApp { client in
            let missing = try await call(client, .get, "/api/messages/conversations", expect: .unauthorized)
            #expect(missing["error"]?["code"]?.string == "UNAUTHORIZED")
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations",
                headers: [.authorization: "Basic abc"],
                expect: .unauthorized
            )
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations",
                headers: [.authorization: "Bearer wrong"],
                expect: .unauthorized
            )
            _ = try await call(
                client,
                .put,
                "/api/internal/users/u-1",
                headers: bearer,
                body: #"{"firstName":"A","lastName":"B"}"#,
                expect: .unauthorized
            )
        }
    }

    @Test func authenticationComesBeforeValidation() async throws {
        try await withApp { client in
            _ = try await call(client, .get, "/api/messages/conversations?limit=0", expect: .unauthorized)
        }
    }

    @Test func boundsOfTheSpecAreEnforced() async throws {
        try await withApp { client in
            let limit = try await call(
                client,
                .get,
                "/api/messages/conversations?limit=101",
                headers: bearer,
                expect: .unprocessableContent
            )
            #expect(limit["error"]?["details"]?[0]?["field"]?.string == "limit")
            #expect(limit["error"]?["details"]?[0]?["message"]?.string == "must be at most 100")
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations?page=0",
                headers: bearer,
                expect: .unprocessableContent
            )
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations?includeArchived=maybe",
                headers: bearer,
                expect: .unprocessableContent
            )
            _ = try await call(
                client,
                .get,
                "/api/messages/conversations/not-a-uuid",
                headers: bearer,
                expect: .unprocessableContent
            )
            let long = String(repeating: "a", count: 10_001)
            let content = try await call(
                client,
                .post,
                "/api/messages",
                headers: bearer,
                body: #"{"contractId":"c","content":"\#(long)"}"#,
                expect: .unprocessableContent
            )
            #expect(content["error"]?["details"]?[0]?["field"]?.string == "content")
            #expect(content["error"]?["details"]?[0]?["message"]?.string == "must be at most 10000 characters")
            let attachment = #"{"url":"https://x.example/f","name":"f","mimeType":"text/plain","size":1}"#
            let eleven = Array(repeating: attachment, count: 11).joined(separator: ",")
            let many = try await call(
                client,
                .post,
                "/api/messages",
                headers: bearer,
                body: #"{"contractId":"c","content":"x","attachments":[\#(eleven)]}"#,
                expect: .unprocessableContent
            )
            #expect(many["error"]?["details"]?[0]?["field"]?.string == "attachments")
            let badURL = try await call(
                client,
                .post,
                "/api/messages",
                headers: bearer,
                body:
                    #"{"contractId":"c","content":"x","attachments":[{"url":"not a url","name":"f","mimeType":"t","size":1}]}"#,
                expect: .unprocessableContent
            )
            #expect(badURL["error"]?["details"]?[0]?["field"]?.string == "attachments[0].url")
            let type = try await call(
                client,
                .post,
                "/api/messages",
                headers: bearer,
                body: #"{"contractId":"c","content":"x","messageType":"system"}"#,
                expect: .unprocessableContent
            )
            #expect(type["error"]?["details"]?[0]?["message"]?.string == "must be one of: text, file")
        }
    }

    @Test func malformedBodiesAre400() async throws {
        try await withApp { client in
            _ = try await call(client, .post, "/api/messages", headers: bearer, body: "not json", expect: .badRequest)
            _ = try await call(client, .post, "/api/messages", headers: bearer, expect: .badRequest)
            let missing = try await call(
                client,
                .post,
                "/api/messages",
                headers: bearer,
                body: #"{"content":"x"}"#,
                expect: .unprocessableContent
            )
            #expect(missing["error"]?["details"]?[0]?["field"]?.string == "contractId")
            #expect(missing["error"]?["details"]?[0]?["message"]?.string == "is required")
        }
    }

    @Test func handlerErrorsKeepTheirStatus() async throws {
        try await withApp { client in
            let missing = try await call(
                client,
                .get,
                "/api/messages/conversations/0193a5c0-7c1e-7a00-8000-0000000000ff",
                headers: bearer,
                expect: .notFound
            )
            #expect(missing["error"]?["code"]?.string == "NOT_FOUND")
        }
    }

    @Test func undeclaredMethodsAre405WithAllow() async throws {
        try await withApp { client in
            try await client.execute(uri: "/api/messages", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(
                uri: "/api/messages/conversations/\(Sample.conversationId)/messages",
                method: .delete
            ) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, POST")
            }
        }
    }
}
