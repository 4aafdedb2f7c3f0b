import Metrics
import Synchronization

/// Token buckets per key (for example per user): `rate` tokens a second up to `burst`. A request takes one token;
/// without a token it is refused and told how long to wait.
public final class RateLimiter: Sendable {
    public struct Rule: Sendable, Equatable {
        /// Tokens added per second.
        public var rate: Double
        /// Bucket size: how many requests may come at once.
        public var burst: Double

        public init(rate: Double, burst: Double) {
            self.rate = rate
            self.burst = burst
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let rule: Rule
    /// Names the limit in the `rate_limit_rejections_total{limit=…}` metric.
    public let name: String
    private let rejections: Counter
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Keys idle longer than a full refill are dropped when the table grows past this size.
    private let pruneThreshold = 10_000

    public init(_ rule: Rule, name: String = "default") {
        self.rule = rule
        self.name = name
        rejections = Counter(label: "rate_limit_rejections_total", dimensions: [("limit", name)])
    }

    /// Takes a token for `key`: nil when allowed, otherwise the seconds to wait (at least 1).
    public func acquire(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        let wait = buckets.withLock { buckets -> Int? in
            var bucket = buckets[key] ?? Bucket(tokens: rule.burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(rule.burst, bucket.tokens + max(0, seconds) * rule.rate)
            bucket.updated = now
            defer {
                buckets[key] = bucket
                if buckets.count > pruneThreshold { prune(&buckets, now: now) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rule.rate).rounded(.up)))
        }
        if wait != nil { rejections.increment() }
        return wait
    }

    /// Like `acquire`, but throws `RATE_LIMITED` with the wait.
    public func check(_ key: String) throws {
        if let wait = acquire(key) { throw APIError.rateLimited(retryAfterSeconds: wait) }
    }

    private func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        let idle = Duration.seconds(rule.burst / max(rule.rate, 0.001))
        buckets = buckets.filter { now - $0.value.updated < idle }
    }
}
