import Metrics

/// What the Socket.IO layer reports through swift-metrics; the process decides the backend (Prometheus in the
/// messaging server, nothing when no backend is bootstrapped). Label values come from closed sets only.
enum SocketMetrics {
    static func connected(_ namespace: String) {
        Counter(label: "socketio_connects_total", dimensions: [("namespace", namespace)]).increment()
    }

    static func connectRefused(_ namespace: String) {
        Counter(label: "socketio_connects_refused_total", dimensions: [("namespace", namespace)]).increment()
    }

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

    /// How many sockets of this node one broadcast reached.
    static func broadcastDelivered(_ namespace: String, recipients: Int) {
        Recorder(label: "socketio_broadcast_recipients", dimensions: [("namespace", namespace)]).record(recipients)
    }
}
