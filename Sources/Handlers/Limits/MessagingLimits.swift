import APIRuntime

/// Per-user budgets: token buckets for message sends (REST and socket together), typing updates, other socket
/// events and REST calls, and a ceiling on simultaneous sockets. The defaults are far above what a person does and
/// well below what a script does.
public struct MessagingLimits: Sendable, Equatable {
    public var send = RateLimiter.Rule(rate: 5, burst: 20)
    public var typing = RateLimiter.Rule(rate: 5, burst: 20)
    public var events = RateLimiter.Rule(rate: 20, burst: 60)
    public var rest = RateLimiter.Rule(rate: 20, burst: 100)
    /// The newest connection beyond this number is refused (`connect_error` with code RATE_LIMITED).
    public var maxConnectionsPerUser = 10

    public init() {}
}

/// The live buckets of `MessagingLimits`.
public struct Limiters: Sendable {
    public let limits: MessagingLimits
    public let send: RateLimiter
    public let typing: RateLimiter
    public let events: RateLimiter
    public let rest: RateLimiter

    public init(_ limits: MessagingLimits) {
        self.limits = limits
        send = RateLimiter(limits.send, name: "send")
        typing = RateLimiter(limits.typing, name: "typing")
        events = RateLimiter(limits.events, name: "events")
        rest = RateLimiter(limits.rest, name: "rest")
    }
}
