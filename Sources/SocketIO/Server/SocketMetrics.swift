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

    /// Engine.IO handshakes refused before a session existed (`capacity`, `shutting_down`).
    static func sessionRefused(_ reason: String) {
        Counter(label: "engineio_sessions_refused_total", dimensions: [("reason", reason)]).increment()
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
