import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import SocketIO

/// Fans every room broadcast out to all nodes through PostgreSQL LISTEN/NOTIFY, so that several servers on one
/// database behave as one.
///
/// A broadcast is delivered to this node's sockets at once and published with `pg_notify`; every other node's
/// listener delivers it to its own sockets (a node skips its own notifications, so each socket gets it once).
/// Envelopes larger than NOTIFY allows are stored in `broadcast_payloads` and the notification carries the row id;
/// old rows are deleted periodically. Run the adapter as a service: it holds one pooled connection for LISTEN and
/// reconnects (with back-off, logged and counted) when that connection is lost. Broadcasts published while a node
/// is not listening do not reach its sockets live; the messages are in the database and clients catch up with
/// `after=`.
public final class PostgresBroadcastAdapter: BroadcastAdapter, Service {
    public static let channel = "socketio_broadcast"
    /// NOTIFY payloads must stay below 8000 bytes; larger envelopes travel through the table.
    static let maxInlineBytes = 7_900
    /// How long stored payloads are kept for nodes to fetch them.
    static let payloadRetention = Duration.seconds(300)

    let client: PostgresClient
    let server: SocketServer
    public let nodeId: String
    let logger: Logger
    private let publishedInline = Counter(
        label: "cluster_broadcasts_published_total",
        dimensions: [("route", "inline")]
    )
    private let publishedViaTable = Counter(
        label: "cluster_broadcasts_published_total",
        dimensions: [("route", "table")]
    )
    private let receivedFromOthers = Counter(label: "cluster_broadcasts_received_total")
    private let dropped = Counter(label: "cluster_broadcasts_dropped_total")

    struct Envelope: Codable {
        var node: String
        var message: BroadcastMessage?
        var ref: Int64?
    }

    public init(client: PostgresClient, server: SocketServer, nodeId: String, logger: Logger) {
        self.client = client
        self.server = server
        self.nodeId = nodeId
        self.logger = logger
    }

    // MARK: Publishing

    public func broadcast(_ message: BroadcastMessage, from namespace: Namespace) async throws {
        namespace.deliver(message)
        var payload = try Self.encode(Envelope(node: nodeId, message: message))
        var published = publishedInline
        if payload.utf8.count > Self.maxInlineBytes {
            let stored = payload
            let rows = try await client.query(
                "INSERT INTO broadcast_payloads (payload) VALUES (\(stored)) RETURNING id",
                logger: logger
            )
            var id: Int64?
            for try await value in rows.decode(Int64.self) { id = value }
            payload = try Self.encode(Envelope(node: nodeId, ref: id))
            published = publishedViaTable
        }
        try await client.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger)
        published.increment()
    }

    static func encode(_ envelope: Envelope) throws -> String {
        String(decoding: try JSONEncoder().encode(envelope), as: UTF8.self)
    }

    // MARK: Listening

    /// Listens until graceful shutdown, reconnecting as needed, and deletes old stored payloads.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.listenForever() }
                group.addTask { await self.cleanUpForever() }
                await group.waitForAll()
            }
        }
    }

    private func listenForever() async {
        var failures = 0
        let listening = Gauge(label: "cluster_listen_connected")
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        listening.record(1)
                        if failures > 0 {
                            self.logger.notice("LISTEN connection restored", metadata: ["node": "\(self.nodeId)"])
                        }
                        failures = 0
                        for try await notification in notifications {
                            await self.received(notification.payload)
                        }
                    }
                }
            } catch {
                guard !Task.isCancelled else { break }
                failures += 1
                logger.warning(
                    "LISTEN connection lost; reconnecting",
                    metadata: [
                        "node": "\(nodeId)", "attempt": "\(failures)",
                        "error": "\(String(reflecting: type(of: error)))",
                    ]
                )
            }
            listening.record(0)
            guard !Task.isCancelled else { break }
            Counter(label: "cluster_listen_reconnects_total").increment()
            try? await Task.sleep(for: .milliseconds(min(5_000, 100 * (1 << min(failures, 6)))))
        }
        listening.record(0)
    }

    func received(_ payload: String) async {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(payload.utf8)) else {
            logger.warning("Ignoring a malformed broadcast notification")
            return
        }
        guard envelope.node != nodeId else { return }
        var message = envelope.message
        if message == nil, let ref = envelope.ref {
            message = try? await storedMessage(ref)
        }
        guard let message, let namespace = server.existingNamespace(message.namespace) else {
            dropped.increment()
            return
        }
        namespace.deliver(message)
        receivedFromOthers.increment()
    }

    private func storedMessage(_ id: Int64) async throws -> BroadcastMessage? {
        let rows = try await client.query("SELECT payload FROM broadcast_payloads WHERE id = \(id)", logger: logger)
        for try await payload in rows.decode(String.self) {
            return try JSONDecoder().decode(Envelope.self, from: Data(payload.utf8)).message
        }
        return nil
    }

    private func cleanUpForever() async {
        let seconds = Int(Self.payloadRetention.components.seconds)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(30))
            guard !Task.isCancelled else { return }
            _ = try? await client.query(
                "DELETE FROM broadcast_payloads WHERE created_at < now() - make_interval(secs => \(seconds))",
                logger: logger
            )
        }
    }
}
