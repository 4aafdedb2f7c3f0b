import Metrics

/// What the Engine.IO layer reports through swift-metrics; label values come from closed sets only.
enum EngineMetrics {
    /// Handshakes refused before a session existed (`capacity`, `shutting_down`, `pending_per_address`).
    static func sessionRefused(_ reason: String) {
        Counter(label: "engineio_sessions_refused_total", dimensions: [("reason", reason)]).increment()
    }

    private static let closed = Dictionary(
        uniqueKeysWithValues: EngineCloseReason.allCases.map { reason in
            (reason, Counter(label: "engineio_sessions_closed_total", dimensions: [("reason", reason.rawValue)]))
        }
    )

    /// A bound of the engine was hit: `max_payload` (a message, payload or frame past `maxPayload`),
    /// `http_header_timeout`, `http_body_timeout`. Refused handshakes and slow consumers are counted by reason.
    static func limitHit(_ limit: String) {
        Counter(label: "engineio_limits_hit_total", dimensions: [("limit", limit)]).increment()
    }

    /// A session ended, by reason (`slow consumer` counts the clients cut off by `maxOutboundBytes`).
    static func sessionClosed(_ reason: EngineCloseReason) {
        closed[reason]?.increment()
    }
}
