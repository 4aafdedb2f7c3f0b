import Metrics

/// What the Engine.IO layer reports through swift-metrics; label values come from closed sets only.
enum EngineMetrics {
    /// Handshakes refused before a session existed (`capacity`, `shutting_down`).
    static func sessionRefused(_ reason: String) {
        Counter(label: "engineio_sessions_refused_total", dimensions: [("reason", reason)]).increment()
    }
}
