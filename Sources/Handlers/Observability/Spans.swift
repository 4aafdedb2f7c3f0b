import Tracing

/// Distributed-tracing spans around the service's units of work: a socket event, a database call. With tracing
/// off (the default) the work runs as it is, without a span or a task-local context to set up.
public struct Spans: Sendable {
    /// Whether spans are recorded (the server turns this on when it bootstraps a tracer).
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Runs `work` inside a span named `name`, a child of the current span if there is one.
    /// - Parameters:
    ///   - name: the span's operation name, such as `db listMessages` or `socket send_message`.
    ///   - kind: `.server` for work a client asked for, `.client` for calls out to the database.
    ///   - attributes: set on the span before `work` starts.
    ///   - work: the unit of work, given the span (nil with tracing off) to add what it learns; an error it throws is
    ///     recorded on the span and rethrown.
    func run<T: Sendable>(
        _ name: String,
        kind: SpanKind,
        attributes: (inout SpanAttributes) -> Void = { _ in },
        _ work: ((any Span)?) async throws -> T
    ) async rethrows -> T {
        guard enabled else { return try await work(nil) }
        let span = startSpan(name, ofKind: kind)
        span.updateAttributes(attributes)
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await work(span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
