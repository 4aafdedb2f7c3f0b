import APIRuntime
import Hummingbird
import Metrics
import NIOCore
import Prometheus
import SocketIO

/// `GET /metrics`: everything recorded through swift-metrics, in the Prometheus text format, plus gauges sampled
/// at scrape time (connections by transport, sockets, process memory and descriptors, the pool size).
struct MetricsRoute: Sendable {
    let registry: PrometheusCollectorRegistry
    let io: SocketServer
    let databasePoolSize: Int
    /// When set, scrapes must send `Authorization: Bearer <token>`.
    let token: String?

    func register(on router: Router<some RequestContext>) {
        router.get("/metrics") { request, _ in
            if let token {
                let sent = request.headers[.authorization].flatMap { try? Credentials.bearerToken(fromHeader: $0) }
                guard let sent, Credentials.constantTimeEquals(sent, token) else {
                    throw APIError.unauthorized("A metrics token is required")
                }
            }
            sample()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    /// Gauges whose truth lives elsewhere are read when Prometheus asks.
    func sample() {
        let sessions = io.sessionCounts
        Gauge(label: "engineio_sessions", dimensions: [("transport", "polling")]).record(sessions.polling)
        Gauge(label: "engineio_sessions", dimensions: [("transport", "websocket")]).record(sessions.websocket)
        if let bytes = ProcessStats.residentMemoryBytes() {
            Gauge(label: "process_resident_memory_bytes").record(bytes)
        }
        if let descriptors = ProcessStats.openFileDescriptors() {
            Gauge(label: "process_open_fds").record(descriptors)
        }
        Gauge(label: "messaging_db_pool_max_connections").record(databasePoolSize)
    }
}
