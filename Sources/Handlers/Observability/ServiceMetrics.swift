import Generated
import Metrics

/// What the messaging service reports through swift-metrics (the server exports it as Prometheus text). Label
/// values come from closed sets: declared event names, error codes, limit names.
///
/// The series of every socket event are made once, on first use (after the process bootstrapped its backend), so
/// the per-event path does no registry lookups; only error outcomes are looked up when they happen.
enum ServiceMetrics {
    /// The series of one event label.
    struct EventSeries: Sendable {
        let received: Counter
        let ok: Counter
        let duration: Timer

        init(_ event: String) {
            received = Counter(label: "messaging_socket_events_total", dimensions: [("event", event)])
            ok = Counter(label: "messaging_socket_acks_total", dimensions: [("event", event), ("outcome", "ok")])
            duration = Timer(label: "messaging_socket_ack_duration_seconds", dimensions: [("event", event)])
        }
    }

    private static let declaredEvents = Dictionary(
        uniqueKeysWithValues: MessagesChannel.clientEvents.map { ($0, EventSeries($0)) }
    )
    private static let unknownEvent = EventSeries("unknown")

    private static func series(_ name: String) -> EventSeries { declaredEvents[name] ?? unknownEvent }

    /// A socket event arrived (`event` is a declared client event or `unknown`).
    static func eventReceived(_ name: String) {
        series(name).received.increment()
    }

    /// An event's ack went out: `outcome` is `ok` or the error code; the duration runs from the moment the event
    /// was decoded to the moment its ack was queued (for `send_message` this is the send latency).
    static func acked(_ name: String, outcome: String, after duration: Duration) {
        let series = series(name)
        if outcome == "ok" {
            series.ok.increment()
        } else {
            let event = declaredEvents[name] == nil ? "unknown" : name
            Counter(label: "messaging_socket_acks_total", dimensions: [("event", event), ("outcome", outcome)])
                .increment()
        }
        series.duration.recordNanoseconds(nanoseconds(duration))
    }

    private static let persisted = Counter(label: "messaging_messages_persisted_total")

    /// A message row was written (idempotent retries that return the stored row do not count).
    static func messagePersisted() {
        persisted.increment()
    }

    /// A piece of contact information in a message: `kind` is email, phone or link; `action` masked or blocked.
    static func contactDetailFound(_ kind: String, action: String) {
        Counter(label: "messaging_contact_details_total", dimensions: [("kind", kind), ("action", action)])
            .increment()
    }

    /// A user came online (`online` true) or went offline, as this node announced it.
    static func presenceChanged(online: Bool) {
        Counter(label: "messaging_presence_changes_total", dimensions: [("online", online ? "true" : "false")])
            .increment()
    }

    /// A socket CONNECT was refused by the service (`unauthorized`, `per_user_limit`).
    static func connectionRefused(_ reason: String) {
        Counter(label: "messaging_connections_refused_total", dimensions: [("reason", reason)]).increment()
    }

    /// One database call: its latency and whether it worked (`ok`, `unavailable`, `timeout`, `error`).
    static func databaseCall(outcome: String, after duration: Duration) {
        let timer =
            outcome == "ok"
            ? databaseOK : Timer(label: "messaging_db_query_duration_seconds", dimensions: [("outcome", outcome)])
        timer.recordNanoseconds(nanoseconds(duration))
    }

    private static let databaseOK = Timer(label: "messaging_db_query_duration_seconds", dimensions: [("outcome", "ok")])

    /// Database calls running now (each holds or waits for a pool connection).
    static let databaseCallsInFlight = Meter(label: "messaging_db_calls_in_flight")

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
