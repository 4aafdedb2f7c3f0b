import NIOCore

/// Latency samples in nanoseconds, summarised as percentiles in milliseconds.
struct Latencies {
    private(set) var samples: [UInt64] = []

    mutating func record(_ nanoseconds: UInt64) {
        samples.append(nanoseconds)
    }

    mutating func removeAll() {
        samples.removeAll(keepingCapacity: true)
    }

    var summary: LatencySummary {
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return Double(sorted[min(max(rank, 0), sorted.count - 1)]) / 1e6
        }
        return LatencySummary(
            count: sorted.count,
            p50: percentile(0.50),
            p90: percentile(0.90),
            p99: percentile(0.99),
            p999: percentile(0.999),
            max: percentile(1)
        )
    }
}

/// Percentiles of one set of latencies, in milliseconds.
struct LatencySummary: Codable, Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var p999: Double
    var max: Double
}

/// The monotonic clock every measurement uses, in nanoseconds.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    NIODeadline.now().uptimeNanoseconds
}
