import Generated
import Metrics

/// What the messaging service reports through swift-metrics (the server exports it as Prometheus text). Label
/// values come from closed sets: declared event names, error codes, limit names.
enum ServiceMetrics {
    /// A socket event arrived (`event` is a declared client event or `unknown`).
    static func eventReceived(_ name: String) {
        Counter(label: "messaging_socket_events_total", dimensions: [("event", eventLabel(name))]).increment()
    }

    /// An event's ack went out: `outcome` is `ok` or the error code; the duration runs from the moment the event
    /// was decoded to the moment its ack was queued (for `send_message` this is the send latency).
    static func acked(_ name: String, outcome: String, after duration: Duration) {
        let event = eventLabel(name)
        Counter(label: "messaging_socket_acks_total", dimensions: [("event", event), ("outcome", outcome)])
            .increment()
        Timer(label: "messaging_socket_ack_duration_seconds", dimensions: [("event", event)])
            .recordNanoseconds(nanoseconds(duration))
    }

    /// A message row was written (idempotent retries that return the stored row do not count).
    static func messagePersisted() {
        Counter(label: "messaging_messages_persisted_total").increment()
    }

    /// A socket CONNECT was refused by the service (`unauthorized`, `per_user_limit`).
    static func connectionRefused(_ reason: String) {
        Counter(label: "messaging_connections_refused_total", dimensions: [("reason", reason)]).increment()
    }

    /// One database call: its latency and whether it worked (`ok`, `unavailable`, `timeout`, `error`).
    static func databaseCall(outcome: String, after duration: Duration) {
        Timer(label: "messaging_db_query_duration_seconds", dimensions: [("outcome", outcome)])
            .recordNanoseconds(nanoseconds(duration))
    }

    /// Database calls running now (each holds or waits for a pool connection).
    static let databaseCallsInFlight = Meter(label: "messaging_db_calls_in_flight")

    private static func eventLabel(_ name: String) -> String {
        MessagesChannel.clientEvents.contains(name) ? name : "unknown"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
