import ArgumentParser
import Foundation
import Generated
import Handlers

/// `seed-demo`: a demo client, freelancer and contract with two milestones; prints tokens and what to try.
struct SeedDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Create demo data and print tokens."
    )

    static let clientId = "demo-client"
    static let freelancerId = "demo-freelancer"
    static let contractId = "demo-contract"

    func run() async throws {
        let configuration = try await loadConfiguration()
        let app = ServerApp(configuration: configuration)
        try await app.withDatabase { client, logger in
            try await Migrations.run(on: client, logger: logger)
            try await Self.seed(MessageStore(client: client, logger: logger))
        }
        print(try await Self.instructions(configuration: configuration))
    }

    static func seed(_ store: MessageStore) async throws {
        let service = MessagingService(
            store: store,
            events: EventPublisher(sink: DiscardingSink(), logger: store.logger)
        )
        _ = try await service.upsertUser(id: clientId, UpsertUserRequest(firstName: "Ada", lastName: "Lovelace"))
        _ = try await service.upsertUser(id: freelancerId, UpsertUserRequest(firstName: "Grace", lastName: "Hopper"))
        _ = try await service.upsertContract(
            id: contractId,
            UpsertContractRequest(
                clientId: clientId,
                freelancerId: freelancerId,
                title: "Logo redesign",
                status: .active,
                milestones: [
                    MilestoneInput(id: "m1", title: "First draft"), MilestoneInput(id: "m2", title: "Final files"),
                ]
            )
        )
        _ = try await service.create(
            CreateMessageRequest(
                contractId: contractId,
                content: "Welcome to the demo contract!",
                clientMessageId: "demo-welcome"
            ),
            from: clientId
        )
    }

    /// The demo users with fresh tokens, for the test page's demo login.
    static func demoUsers(tokens: JWTTokens, lifetime: TimeInterval) async throws -> [TestClientRoutes.DemoUser] {
        [
            .init(
                id: clientId,
                name: "Ada Lovelace",
                role: "client",
                token: try await tokens.mint(userId: clientId, lifetime: lifetime)
            ),
            .init(
                id: freelancerId,
                name: "Grace Hopper",
                role: "freelancer",
                token: try await tokens.mint(userId: freelancerId, lifetime: lifetime)
            ),
        ]
    }

    static func instructions(configuration: ServerConfiguration) async throws -> String {
        let tokens = await JWTTokens(
            secret: try configuration.requireJWTSecret(),
            issuer: configuration.jwtIssuer,
            audience: configuration.jwtAudience
        )
        let lifetime = TimeInterval(configuration.jwtExpiration)
        let clientToken = try await tokens.mint(userId: clientId, lifetime: lifetime)
        let freelancerToken = try await tokens.mint(userId: freelancerId, lifetime: lifetime)
        let base = "http://localhost:\(configuration.port)"
        return """
            Demo data: contract '\(contractId)' (milestones m1, m2) between \(clientId) and \(freelancerId).

            Client token (\(clientId)):
              \(clientToken)
            Freelancer token (\(freelancerId)):
              \(freelancerToken)

            Try:
              curl -H "Authorization: Bearer \(clientToken)" \(base)/api/messages/conversations
              Socket.IO: io("\(base)/messages", { auth: { token: "<token>" } })
              Spec: \(base)/api/openapi.yaml and \(base)/api/asyncapi.yaml
              Test client in a browser: \(base)/
            """
    }
}
