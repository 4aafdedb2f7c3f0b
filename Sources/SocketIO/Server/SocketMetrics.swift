import Metrics

/// What the Socket.IO layer reports through swift-metrics; the process decides the backend (Prometheus in the
/// messaging server, nothing when no backend is bootstrapped). Label values come from closed sets only.
enum SocketMetrics {
    static func disconnected(_ namespace: String, reason: DisconnectReason) {
        Counter(
            label: "socketio_disconnects_total",
            dimensions: [("namespace", namespace), ("reason", reason.rawValue)]
        ).increment()
    }

    /// A bound of the Socket.IO layer cut a session off: `connect_backlog` (messages waiting behind a CONNECT),
    /// `handler_backlog` (events waiting for a socket's handler), `held_broadcasts` (during recovery),
    /// `binary_attachments` (a packet's attachments past `maxPayload`).
    static func limitHit(_ limit: String) {
        Counter(label: "socketio_limits_hit_total", dimensions: [("limit", limit)]).increment()
    }
}

/// The series of one namespace, made with the namespace so that connects and broadcasts do no registry lookups.
struct NamespaceMetrics: Sendable {
    let connects: Counter
    let connectsRefused: Counter
    /// How many sockets of this node one broadcast reached.
    let broadcastRecipients: Recorder

    init(namespace: String) {
        connects = Counter(label: "socketio_connects_total", dimensions: [("namespace", namespace)])
        connectsRefused = Counter(label: "socketio_connects_refused_total", dimensions: [("namespace", namespace)])
        broadcastRecipients = Recorder(label: "socketio_broadcast_recipients", dimensions: [("namespace", namespace)])
    }
}

/// Connection state recovery: attempts by outcome and the events replayed.
enum RecoveryMetrics {
    static func succeeded(_ namespace: String, replayed: Int) {
        Counter(
            label: "socketio_recoveries_total",
            dimensions: [("namespace", namespace), ("outcome", "recovered")]
        ).increment()
        Counter(label: "socketio_recovery_replayed_events_total", dimensions: [("namespace", namespace)])
            .increment(by: replayed)
    }

    static func failed(_ namespace: String, reason: RecoveryFailure) {
        Counter(
            label: "socketio_recoveries_total",
            dimensions: [("namespace", namespace), ("outcome", reason.rawValue)]
        ).increment()
    }
}
