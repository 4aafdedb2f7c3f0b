import Foundation
import Logging
import OTel
import ServiceLifecycle

/// Distributed tracing, off unless `OTEL_TRACES_EXPORTER=otlp`: swift-otel's tracer becomes the process's, its
/// exporter runs as a service (started first, stopped last, so that the spans of the shutdown are exported), and
/// logs carry the current span's ids. Only traces go through OpenTelemetry; metrics stay Prometheus and logs stay
/// on standard output.
enum TracingSetup {
    /// The exporter's service after bootstrapping the tracer; nil when tracing is off.
    static func bootstrap(_ exporter: ServerConfiguration.TracesExporter) throws -> (any Service)? {
        guard exporter == .otlp else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "messaging-server"
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        // The standard variables tune the exporter; these two would turn on what this server does otherwise.
        var environment = ProcessInfo.processInfo.environment
        environment["OTEL_LOGS_EXPORTER"] = nil
        environment["OTEL_METRICS_EXPORTER"] = nil
        return try OTel.bootstrap(configuration: configuration, environment: environment)
    }

    /// Adds the current span's `trace_id` and `span_id` to every log line written inside it.
    static let logMetadata: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()
}
