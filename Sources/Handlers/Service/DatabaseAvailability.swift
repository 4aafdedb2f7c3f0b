import Synchronization

/// Whether the database is reachable, so that calls fail in microseconds while it is not, instead of each waiting
/// for its deadline. A call that finds the database unreachable marks it down; from then on calls are refused
/// until a probe (one at a time: at once, then every `probeInterval`) gets an answer again. A single lost
/// connection therefore costs one probe's round trip; an outage costs every caller a microsecond.
final class DatabaseAvailability: Sendable {
    /// The database is known to be unreachable; nothing was sent to it.
    struct Unavailable: Error {}

    let probeInterval: Duration
    private let down = Mutex(false)

    init(probeInterval: Duration = .milliseconds(250)) {
        self.probeInterval = probeInterval
    }

    var isDown: Bool { down.withLock { $0 } }

    /// Throws `Unavailable` while the database is down.
    func admit() throws {
        if down.withLock({ $0 }) { throw Unavailable() }
    }

    /// A call found the database unreachable. The first to say so starts the probe, which runs until `probe`
    /// answers true.
    func markDown(probe: @escaping @Sendable () async -> Bool) {
        let starts = down.withLock { down -> Bool in
            defer { down = true }
            return !down
        }
        guard starts else { return }
        let interval = probeInterval
        Task {
            while !(await probe()) {
                try? await Task.sleep(for: interval)
            }
            down.withLock { $0 = false }
        }
    }
}
