import APIRuntime
import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Where and how webhook events are delivered (`WEBHOOK_*`, `UNREAD_REMINDER_S`).
public struct WebhookSettings: Sendable {
    public var url: String
    public var secret: String
    /// Attempts before an event is dead.
    public var maxAttempts: Int
    /// The wait after the first failed attempt; it doubles after each further one, up to an hour.
    public var backoff: Duration
    /// How long one attempt may take, connection and response included.
    public var timeout: Duration
    /// How long a message stays unread before its recipient's reminder; nil: no reminders.
    public var unreadReminder: Duration?
    /// How long delivered and dead events are kept.
    public var retention: Duration = .seconds(7 * 86_400)

    public init(
        url: String,
        secret: String,
        maxAttempts: Int,
        backoff: Duration,
        timeout: Duration,
        unreadReminder: Duration?
    ) {
        self.url = url
        self.secret = secret
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.timeout = timeout
        self.unreadReminder = unreadReminder
    }
}

/// Delivers the outbox (`Schema.v11`) to `WEBHOOK_URL`, on every node: it leases the oldest due event of up to
/// `parallel` conversations at a time, POSTs them at once (one conversation's events one after another, in order),
/// and records each outcome. An event whose node died mid-attempt is leased again by any node when its lease runs
/// out (the attempt's timeout and a margin): delivered at least once, and exactly once while nodes stay up. At
/// graceful shutdown it stops leasing and finishes the attempts under way.
public final class WebhookDispatcher: Service, Sendable {
    let store: MessageStore
    let settings: WebhookSettings
    let signature: WebhookSignature
    let http: HTTPClient
    let logger: Logger
    /// Conversations served at once by one node.
    static let parallel = 16
    /// How often the outbox is read when it had nothing due.
    static let poll = Duration.milliseconds(250)
    /// The most of a response body read (and discarded).
    static let responseLimit = 64 * 1024

    private let delivered = Counter(label: "messaging_webhook_deliveries_total", dimensions: [("outcome", "delivered")])
    private let retried = Counter(label: "messaging_webhook_deliveries_total", dimensions: [("outcome", "retried")])
    private let dead = Counter(label: "messaging_webhook_deliveries_total", dimensions: [("outcome", "dead")])
    /// From the change to the receiver's 2xx.
    private let deliveryLag = Timer(label: "messaging_webhook_delivery_lag_seconds")
    /// How long the oldest pending event has waited.
    private let backlogAge = Gauge(label: "messaging_webhook_oldest_pending_seconds")

    public init(store: MessageStore, settings: WebhookSettings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.signature = WebhookSignature(secret: settings.secret)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .milliseconds(min(settings.timeout.wholeMilliseconds, 5_000)),
                read: .milliseconds(settings.timeout.wholeMilliseconds)
            ),
            decompression: .disabled
        )
        configuration.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.logger = logger
    }

    /// A lease outlives the attempt it is for, so that a slow but working node keeps its event.
    var leaseDuration: Duration { settings.timeout * 2 + .seconds(5) }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.store.waitUntilMigrated() }
        var lastAgeCheck = ContinuousClock.now - .seconds(60)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let leased: Int
            do {
                leased = try await pass()
            } catch {
                logger.warning(
                    "Reading the webhook outbox failed; trying again",
                    metadata: ["error": "\(String(reflecting: type(of: error)))"]
                )
                leased = 0
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
            if ContinuousClock.now - lastAgeCheck >= .seconds(5) {
                lastAgeCheck = .now
                if let age = try? await store.oldestPendingWebhookAge() { backlogAge.record(age) }
            }
            if leased < Self.parallel {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.poll) }
            }
        }
        try? await http.shutdown()
    }

    /// Leases what is due and attempts it; returns how many events it leased.
    func pass() async throws -> Int {
        let lease = UUID()
        let events = try await store.leaseWebhookEvents(
            limit: Self.parallel,
            for: leaseDuration,
            lease: lease
        )
        await withTaskGroup(of: Void.self) { group in
            for event in events {
                group.addTask { await self.attempt(event, lease: lease) }
            }
        }
        return events.count
    }

    /// One attempt at one event, and its outcome recorded.
    func attempt(_ event: MessageStore.WebhookEventRow, lease: UUID) async {
        var body = event.payload
        do {
            if body == nil { body = try await store.webhookBody(for: event) }
            guard let body else {
                try await store.webhookFailed(
                    event.id,
                    lease: lease,
                    payload: nil,
                    error: "what the event reports no longer exists",
                    maxAttempts: 0,
                    backoff: settings.backoff
                )
                dead.increment()
                return
            }
            let outcome = await post(body, eventId: event.eventId.lowercased)
            if let failure = outcome {
                let isDead = try await store.webhookFailed(
                    event.id,
                    lease: lease,
                    payload: body,
                    error: failure,
                    maxAttempts: settings.maxAttempts,
                    backoff: settings.backoff
                )
                (isDead ? dead : retried).increment()
                if isDead {
                    logger.warning(
                        "Webhook event dead after its last attempt",
                        metadata: ["event": "\(event.eventId.lowercased)", "error": "\(failure)"]
                    )
                }
            } else {
                try await store.webhookDelivered(event.id, payload: body)
                delivered.increment()
                deliveryLag.recordNanoseconds(
                    Int64(max(0, Date().timeIntervalSince(event.createdAt)) * 1_000_000_000)
                )
            }
        } catch {
            // The outcome could not be recorded (the database is away): the lease runs out and the event is
            // attempted again, by this node or another.
            logger.warning(
                "Recording a webhook attempt failed",
                metadata: ["event": "\(event.eventId.lowercased)", "error": "\(String(reflecting: type(of: error)))"]
            )
        }
    }

    /// POSTs one body; nil when the receiver answered 2xx, else what went wrong.
    func post(_ body: String, eventId: String) async -> String? {
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "messaging-server-webhooks")
        request.headers.add(name: "Webhook-Id", value: eventId)
        request.headers.add(name: "Webhook-Timestamp", value: String(timestamp))
        request.headers.add(name: "Webhook-Signature", value: signature.sign(body: body, timestamp: timestamp))
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await http.execute(
                request,
                timeout: .milliseconds(settings.timeout.wholeMilliseconds)
            )
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= Self.responseLimit { break }
            }
            return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(String(reflecting: type(of: error))): \(error)".prefix(300).description
        }
    }
}
