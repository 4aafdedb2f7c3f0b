import Synchronization

/// The per-user ceiling on sockets, exact under concurrent CONNECTs: a CONNECT that passes holds a place from its
/// middleware until the socket is in its user's room, so two CONNECTs checked at once cannot both take the last
/// place. A place whose CONNECT never completed (its session closed meanwhile) is given back after
/// `pendingLifetime` (30 s).
final class ConnectionAdmissions: Sendable {
    let pendingLifetime: Duration
    private let pending = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(pendingLifetime: Duration = .seconds(30)) {
        self.pendingLifetime = pendingLifetime
    }

    /// Takes a place for a CONNECT of `user` unless the user's connected sockets (`connected`, counted under this
    /// lock) and the CONNECTs in flight reach `limit`.
    func reserve(user: String, limit: Int, connected: () -> Int) -> Bool {
        pending.withLock { all in
            let now = ContinuousClock.now
            var places = (all[user] ?? []).filter { now - $0 < pendingLifetime }
            defer { all[user] = places.isEmpty ? nil : places }
            guard connected() + places.count < limit else { return false }
            places.append(now)
            return true
        }
    }

    /// A CONNECT of `user` completed (its socket now counts in the room): its place is given back.
    func settle(user: String) {
        pending.withLock { all in
            guard var places = all[user], !places.isEmpty else { return }
            places.removeFirst()
            all[user] = places.isEmpty ? nil : places
        }
    }
}
