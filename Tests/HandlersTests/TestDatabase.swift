import APIRuntime
import Foundation
import Generated
import Handlers
import LocalPostgres
import Logging
import NIOPosix
import PostgresNIO

/// One private PostgreSQL cluster for this test process, stopped at exit; every test gets its own database.
///
/// Starting the cluster and creating a database wait for child processes, so they run on NIO's blocking-I/O
/// pool: on the cooperative pool (two threads here) they would hold up every other test, and with them the tasks
/// that tests time against event-loop timers.
enum TestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "handlers-tests")
        logger.logLevel = .warning
        return logger
    }()

    static let cluster: LocalPostgresCluster = {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("messaging-tests-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            let cluster = try LocalPostgresCluster(directory: directory, logger: logger)
            try cluster.start()
            atexit {
                try? TestDatabase.cluster.stop()
                try? FileManager.default.removeItem(at: TestDatabase.cluster.dataDirectory.deletingLastPathComponent())
            }
            return cluster
        } catch {
            fatalError("cannot start the test PostgreSQL cluster: \(error)")
        }
    }()

    /// A fresh, migrated database with a running client for the duration of `body`.
    static func withDatabase<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let cluster = try await NIOThreadPool.singleton.runIfActive {
            try TestDatabase.cluster.createDatabase(name)
            return TestDatabase.cluster
        }
        let client = PostgresClient(
            configuration: .init(
                unixSocketPath: cluster.socketPath,
                username: LocalPostgresCluster.superuser,
                password: nil,
                database: name
            ),
            backgroundLogger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await Migrations.run(on: client, logger: logger)
            return try await body(client)
        }
    }
}

/// Records the events the service emits instead of delivering them to sockets.
actor RecordingSink: EventSink {
    struct Emitted: Sendable {
        var event: String
        var argument: Data
        var target: EventTarget
        var replayable = true
    }

    private(set) var emitted: [Emitted] = []

    nonisolated func emit(event: String, argument: Data, to target: EventTarget, replayable: Bool) async throws {
        await record(Emitted(event: event, argument: argument, target: target, replayable: replayable))
    }

    private func record(_ emitted: Emitted) {
        self.emitted.append(emitted)
    }

    func events(named name: String) -> [Emitted] { emitted.filter { $0.event == name } }
}

/// A service over a fresh database with a client, a freelancer, a stranger and an active contract with a milestone.
struct Fixture: Sendable {
    let service: MessagingService
    let sink: RecordingSink
    static let client = "u-client"
    static let freelancer = "u-freelancer"
    static let stranger = "u-stranger"
    static let contract = "k-1"

    @discardableResult
    static func run<T: Sendable>(_ body: @Sendable (Fixture) async throws -> T) async throws -> T {
        try await TestDatabase.withDatabase { database in
            let sink = RecordingSink()
            let store = MessageStore(client: database, logger: TestDatabase.logger)
            var limits = MessagingLimits()
            limits.send = .init(rate: 10_000, burst: 10_000)
            limits.rest = .init(rate: 10_000, burst: 10_000)
            let service = MessagingService(
                store: store,
                events: EventPublisher(sink: sink, logger: TestDatabase.logger, typingTimeout: .milliseconds(200)),
                limits: limits
            )
            for (id, name) in [(client, "Ada"), (freelancer, "Grace"), (stranger, "Eve")] {
                _ = try await service.upsertUser(id: id, UpsertUserRequest(firstName: name, lastName: "Test"))
            }
            _ = try await service.upsertContract(
                id: contract,
                UpsertContractRequest(
                    clientId: client,
                    freelancerId: freelancer,
                    title: "T",
                    milestones: [MilestoneInput(id: "m1")]
                )
            )
            return try await body(Fixture(service: service, sink: sink))
        }
    }

    /// Starts the contract's main conversation with a first message from the client; returns its id.
    func startConversation(milestone: String? = nil) async throws -> String {
        let written = try await service.create(
            CreateMessageRequest(contractId: Self.contract, milestoneId: milestone, content: "first"),
            from: Self.client
        )
        return written.message.conversationId
    }

    func send(
        _ conversation: String,
        from user: String,
        _ content: String = "hello",
        clientMessageId: String? = nil
    )
        async throws -> Message
    {
        try await service.send(
            to: conversation,
            from: user,
            content: content,
            type: .text,
            attachments: nil,
            clientMessageId: clientMessageId
        )
        .message
    }

    func unread(_ conversation: String, for user: String) async throws -> Int {
        try await service.conversation(conversation, viewer: user).unreadCount
    }
}
