import Foundation
import Generated
import Logging
import ServiceLifecycle
import Synchronization

/// Whether users are online, agreed by every node through PostgreSQL.
///
/// Each node counts its own sockets per user. When a user's first socket on this node opens, the node records a
/// session row. When their last one closes, it waits `grace` (so that a page reload does not flicker) and then
/// removes the row. The node that makes a user go from offline everywhere to online, or back, announces `presence`
/// to the personal rooms of everyone who shares a conversation with them, once.
///
/// Every node beats a heartbeat every third of `timeout` and sweeps away the sessions of nodes whose beat is older
/// than `timeout`: a node that dies stops counting within `timeout` plus one beat, and one sweeper announces each
/// of its users who went offline with it. A node's rows carry a name of its own life (`NODE_ID` and a random
/// part), so a node restarted under the same `NODE_ID` never mistakes the rows of its earlier life for its own.
public final class PresenceTracker: Service, Sendable {
    let store: MessageStore
    let events: EventPublisher
    let logger: Logger
    let timeout: Duration
    let grace: Duration
    /// This node in the presence rows: `NODE_ID` and a random part for this process.
    let nodeKey: String
    private let users = Mutex<[String: Entry]>([:])
    private let stopped = Atomic<Bool>(false)
    /// Whether this node's heartbeat row exists: a session recorded before it would not count.
    private let beaten = Atomic<Bool>(false)

    /// One user on this node: open sockets, whether the rows say this node holds them, whether a worker is
    /// bringing the rows in line.
    private struct Entry {
        var sockets = 0
        var recorded = false
        var working = false
    }

    /// - Parameters:
    ///   - store: where the presence rows are.
    ///   - events: where `presence` events go.
    ///   - nodeId: this node's name (`NODE_ID`).
    ///   - timeout: how long a node may go without a heartbeat before its users stop counting (`PRESENCE_TIMEOUT_S`).
    ///   - grace: how long after a user's last socket on this node closed they still count as online here.
    ///   - logger: for failures of presence writes.
    public init(
        store: MessageStore,
        events: EventPublisher,
        nodeId: String,
        timeout: Duration = .seconds(15),
        grace: Duration = .seconds(2),
        logger: Logger
    ) {
        self.store = store
        self.events = events
        self.timeout = timeout
        self.grace = grace
        self.logger = logger
        self.nodeKey = nodeId + "/" + UUID().uuidString.prefix(8).lowercased()
    }

    // MARK: Sockets

    /// A socket of `user` opened on this node.
    public func connected(user: String) {
        change(user, by: 1)
    }

    /// A socket of `user` on this node closed.
    public func disconnected(user: String) {
        change(user, by: -1)
    }

    private func change(_ user: String, by delta: Int) {
        let start = users.withLock { users -> Bool in
            users[user, default: Entry()].sockets = max(0, users[user, default: Entry()].sockets + delta)
            return Self.claimWorker(for: user, in: &users)
        }
        if start { Task { await self.reconcile(user) } }
    }

    /// Whether a worker must start for `user`: the rows disagree with the sockets and none is running.
    private static func claimWorker(for user: String, in users: inout [String: Entry]) -> Bool {
        guard var entry = users[user], !entry.working else { return false }
        guard (entry.sockets > 0) != entry.recorded else {
            if entry.sockets == 0 { users[user] = nil }
            return false
        }
        entry.working = true
        users[user] = entry
        return true
    }

    private enum Step { case arrive, leave, done }

    /// Brings the rows in line with this node's sockets of `user`, one change at a time, until they agree.
    private func reconcile(_ user: String) async {
        while true {
            let step = users.withLock { users -> Step in
                guard var entry = users[user] else { return .done }
                if stopped.load(ordering: .relaxed) || (entry.sockets > 0) == entry.recorded {
                    entry.working = false
                    users[user] = entry.sockets == 0 && !entry.recorded ? nil : entry
                    return .done
                }
                return entry.sockets > 0 ? .arrive : .leave
            }
            switch step {
            case .done:
                return
            case .arrive:
                // A socket may open before the first heartbeat (the database was still migrating, say).
                if !beaten.load(ordering: .relaxed), (try? await store.presenceBeat(node: nodeKey)) != nil {
                    beaten.store(true, ordering: .relaxed)
                }
                await record(user, online: true)
            case .leave:
                try? await Task.sleep(for: grace)
                let stillGone = users.withLock { $0[user]?.sockets == 0 }
                guard stillGone else { continue }
                await record(user, online: false)
            }
        }
    }

    /// Writes that this node holds sockets of `user` (`online`) or none any more, and announces a change of the
    /// user's presence everywhere. After a failure (logged) it pauses, and the caller's loop tries again.
    private func record(_ user: String, online: Bool) async {
        let changedAt: Date?
        do {
            changedAt =
                online
                ? try await store.presenceArrived(user: user, node: nodeKey, timeout: timeout)
                : try await store.presenceLeft(user: user, node: nodeKey, timeout: timeout)
        } catch {
            logger.warning("Presence not recorded", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            try? await Task.sleep(for: .seconds(1))
            return
        }
        users.withLock { $0[user]?.recorded = online }
        if let changedAt { await announce(user, online: online, at: changedAt) }
    }

    private func announce(_ user: String, online: Bool, at time: Date) async {
        ServiceMetrics.presenceChanged(online: online)
        do {
            let audience = try await store.counterparts(of: user)
            await events.presence(Presence(userId: user, online: online, lastSeenAt: time), audience: audience)
        } catch {
            logger.warning("Presence not announced", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
    }

    // MARK: Reading

    /// A user's presence as every node sees it.
    public func presence(of user: String) async throws -> Presence {
        let row = try await store.presence(of: user, timeout: timeout)
        return Presence(userId: user, online: row.online, lastSeenAt: row.lastSeenAt)
    }

    // MARK: Service

    /// Beats the heartbeat and sweeps dead nodes until graceful shutdown; then takes this node's sessions away and
    /// announces who went offline with it.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.beatLoop() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        stopped.store(true, ordering: .relaxed)
        await sweep(including: nodeKey)
    }

    private func beatLoop() async {
        var first = true
        while !Task.isCancelled {
            do {
                let fresh = try await store.presenceBeat(node: nodeKey)
                if fresh, !first { await recordAgain() }
                first = false
                beaten.store(true, ordering: .relaxed)
            } catch {
                logger.debug("Presence heartbeat failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            await sweep(including: nil)
            try? await Task.sleep(for: timeout / 3)
        }
    }

    private func sweep(including node: String?) async {
        do {
            for (user, seenAt) in try await store.sweepPresence(timeout: timeout, including: node) {
                await announce(user, online: false, at: seenAt)
            }
        } catch {
            logger.debug("Presence sweep failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
    }

    /// Another node swept this one as dead while it lived (its heartbeat was late): its users' sessions are gone, so
    /// each user with sockets here is recorded again (and announced, when they were offline everywhere).
    private func recordAgain() async {
        let recorded = users.withLock { users in
            users.filter { $0.value.recorded && $0.value.sockets > 0 }.map(\.key)
        }
        logger.warning(
            "Presence rows of this node were swept; recording them again",
            metadata: ["users": "\(recorded.count)"]
        )
        for user in recorded {
            guard let changedAt = try? await store.presenceArrived(user: user, node: nodeKey, timeout: timeout) else {
                continue
            }
            await announce(user, online: true, at: changedAt)
        }
    }
}
