import APIRuntime
import Testing

@Suite struct RateLimiterTests {
    let start = ContinuousClock.now

    @Test func burstIsAllowedThenRefusedWithAWait() {
        let limiter = RateLimiter(.init(rate: 2, burst: 3))
        #expect((0..<3).map { _ in limiter.acquire("u", now: start) } == [nil, nil, nil])
        #expect(limiter.acquire("u", now: start) == 1)
    }

    @Test func tokensComeBackAtTheRate() {
        let limiter = RateLimiter(.init(rate: 2, burst: 2))
        _ = limiter.acquire("u", now: start)
        _ = limiter.acquire("u", now: start)
        #expect(limiter.acquire("u", now: start + .milliseconds(250)) != nil)
        #expect(limiter.acquire("u", now: start + .milliseconds(600)) == nil)
        #expect(limiter.acquire("u", now: start + .seconds(10)) == nil)
        #expect(limiter.acquire("u", now: start + .seconds(10)) == nil)
        #expect(limiter.acquire("u", now: start + .seconds(10)) != nil)
    }

    @Test func keysHaveTheirOwnBuckets() {
        let limiter = RateLimiter(.init(rate: 1, burst: 1))
        #expect(limiter.acquire("a", now: start) == nil)
        #expect(limiter.acquire("b", now: start) == nil)
        #expect(limiter.acquire("a", now: start) != nil)
    }

    @Test func checkThrowsRateLimitedWithRetryAfter() {
        let limiter = RateLimiter(.init(rate: 0.5, burst: 1))
        #expect(throws: Never.self) { try limiter.check("u") }
        do {
            try limiter.check("u")
            Issue.record("expected RATE_LIMITED")
        } catch let error as APIError {
            #expect(error.code == .rateLimited)
            #expect(error.headers[.retryAfter] == "2")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
