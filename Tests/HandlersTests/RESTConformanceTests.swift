import APIRuntime
import ContractTesting
import Foundation
import Generated
import HTTPTypes
import Handlers
import Hummingbird
import HummingbirdTesting
import Testing

/// Accepts `user:<id>` as the token of user `<id>`: the JWT check itself is the server's and is tested live.
struct PlainTokens: TokenVerifying {
    func identity(fromToken token: String) async throws -> TokenIdentity {
        guard token.hasPrefix("user:"), token.count > 5 else { throw APIError.unauthorized("Invalid token") }
        return TokenIdentity(userId: String(token.dropFirst(5)), expiresAt: nil)
    }
}

/// Every REST operation through the generated routes and the real handlers over a real database; every answer is
/// checked against api-spec/openapi.yaml with the contract-test helper.
@Suite struct RESTConformanceTests {
    static let spec = Result { try SpecConformance.projectSpec() }

    @Test func everyOperationAnswersAccordingToTheSpec() async throws {
        try await Fixture.run { fixture in
            let router = Router()
            router.add(middleware: ErrorEnvelopeMiddleware())
            MessagingAPI<BasicRequestContext>(
                service: fixture.service,
                tokens: PlainTokens(),
                serviceKey: "key",
                readiness: { await fixture.service.isReady() }
            ).registerHandlers(on: router)
            try await Application(router: router).test(.router) { client in
                let asClient: HTTPFields = [.authorization: "Bearer user:\(Fixture.client)"]
                let asStranger: HTTPFields = [.authorization: "Bearer user:\(Fixture.stranger)"]
                let service: HTTPFields = [HTTPField.Name("X-Service-Key")!: "key"]

                func call(
                    _ method: HTTPRequest.Method,
                    _ uri: String,
                    _ headers: HTTPFields = [:],
                    _ body: String? = nil,
                    expect status: HTTPResponse.Status
                ) async throws -> JSONValue {
                    try await client.execute(
                        uri: uri,
                        method: method,
                        headers: headers,
                        body: body.map { ByteBuffer(string: $0) }
                    ) { response in
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

                let created = try await call(
                    .post,
                    "/api/messages",
                    asClient,
                    #"{"contractId":"\#(Fixture.contract)","milestoneId":"m1","content":"hi","clientMessageId":"k1"}"#,
                    expect: .created
                )
                let id = try #require(created["data"]?["conversationId"]?.string)
                _ = try await call(
                    .post,
                    "/api/messages/conversations/\(id)/messages",
                    asClient,
                    #"{"content":"two","attachments":[{"url":"https://f.example/a","name":"a","mimeType":"text/plain","size":1}],"messageType":"file"}"#,
                    expect: .created
                )
                let list = try await call(
                    .get,
                    "/api/messages/conversations?limit=5&includeArchived=true",
                    asClient,
                    expect: .ok
                )
                #expect(list["data"]?["conversations"]?[0]?["milestoneId"]?.string == "m1")
                _ = try await call(.get, "/api/messages/conversations/\(id)", asClient, expect: .ok)
                let page = try await call(
                    .get,
                    "/api/messages/conversations/\(id)/messages?limit=1",
                    asClient,
                    expect: .ok
                )
                #expect(page["data"]?["hasMore"]?.bool == true)
                _ = try await call(
                    .patch,
                    "/api/messages/conversations/\(id)/read",
                    [.authorization: "Bearer user:\(Fixture.freelancer)"],
                    expect: .ok
                )
                _ = try await call(
                    .put,
                    "/api/messages/conversations/\(id)/archive",
                    asClient,
                    #"{"archived":true}"#,
                    expect: .ok
                )
                _ = try await call(
                    .put,
                    "/api/internal/users/u-new",
                    service,
                    #"{"firstName":"N","lastName":"U","avatar":null}"#,
                    expect: .ok
                )
                _ = try await call(
                    .put,
                    "/api/internal/contracts/k-new",
                    service,
                    #"{"clientId":"u-new","freelancerId":"\#(Fixture.client)"}"#,
                    expect: .ok
                )
                _ = try await call(
                    .put,
                    "/api/internal/contracts/k-new",
                    service,
                    #"{"clientId":"u-new","freelancerId":"\#(Fixture.stranger)"}"#,
                    expect: .conflict
                )
                let message = try #require(created["data"]?["id"]?.string)
                let messagePath = "/api/messages/conversations/\(id)/messages/\(message)"
                let edited = try await call(.patch, messagePath, asClient, #"{"content":"hi partner"}"#, expect: .ok)
                #expect(edited["data"]?["editedAt"]?.string != nil)
                let reacted = try await call(.put, "\(messagePath)/reactions/%F0%9F%91%8D", asClient, expect: .ok)
                #expect(reacted["data"]?["reactions"]?[0]?["mine"]?.bool == true)
                _ = try await call(.delete, "\(messagePath)/reactions/%F0%9F%91%8D", asClient, expect: .ok)
                _ = try await call(.put, "\(messagePath)/reactions/x", asClient, expect: .unprocessableContent)
                let changes = try await call(
                    .get,
                    "/api/messages/conversations/\(id)/changes?since=0&limit=10",
                    asClient,
                    expect: .ok
                )
                #expect(changes["data"]?["messages"]?[1]?["id"]?.string == message)
                let found = try await call(.get, "/api/messages/search?q=partner", asClient, expect: .ok)
                #expect(found["data"]?["results"]?[0]?["snippet"]?.string == "hi <mark>partner</mark>")
                _ = try await call(.get, "/api/messages/search", asClient, expect: .unprocessableContent)
                _ = try await call(.delete, messagePath, asClient, expect: .ok)
                let record = try await call(
                    .get,
                    "/api/internal/conversations/\(id)/messages/\(message)/revisions",
                    service,
                    expect: .ok
                )
                #expect(record["data"]?["revisions"]?[0]?["content"]?.string == "hi")
                _ = try await call(.patch, messagePath, asStranger, #"{"content":"x"}"#, expect: .notFound)
                _ = try await call(.get, "/health", expect: .ok)
                _ = try await call(.get, "/ready", expect: .ok)

                _ = try await call(.get, "/api/messages/conversations/\(id)", asStranger, expect: .notFound)
                _ = try await call(.get, "/api/messages/conversations", expect: .unauthorized)
                _ = try await call(
                    .post,
                    "/api/messages",
                    asClient,
                    #"{"contractId":"x","content":"#,
                    expect: .badRequest
                )
                _ = try await call(
                    .post,
                    "/api/messages",
                    asClient,
                    #"{"contractId":"\#(Fixture.contract)","content":" "}"#,
                    expect: .unprocessableContent
                )
                _ = try await call(
                    .put,
                    "/api/internal/users/u-x",
                    asClient,
                    #"{"firstName":"A","lastName":"B"}"#,
                    expect: .unauthorized
                )
            }
        }
    }
}
