import Foundation
import Synchronization

/// Recovery state in this process's memory, as the reference server keeps it: sessions and broadcasts survive a
/// network loss but not a restart of the node. Broadcasts older than `retention` are dropped as new ones arrive.
public final class InMemorySessionStore: SessionStore {
    private struct Entry {
        var session: RecoverableSession
        /// When it disconnected; nil while connected.
        var disconnectedAt: ContinuousClock.Instant?
    }

    private struct Recorded {
        var offset: String
        var message: BroadcastMessage
        var at: ContinuousClock.Instant
    }

    private struct State {
        var sessions: [String: Entry] = [:]
        var broadcasts: [Recorded] = []
        var counter: UInt64 = 0
    }

    private let state = Mutex(State())
    let retention: Duration

    /// A store in this process's memory.
    /// - Parameter retention: how long broadcasts are kept for replay (at least the recovery window).
    public init(retention: Duration = .seconds(120)) {
        self.retention = retention
    }

    public func nextOffset() -> String {
        state.withLock { state in
            state.counter += 1
            // Fixed width, so that text order is numeric order.
            let digits = String(state.counter)
            return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
        }
    }

    /// Keeps a recoverable broadcast for replay.
    ///
    /// - Parameters:
    ///   - message: a recoverable broadcast.
    ///   - offset: its offset, from `nextOffset()`.
    public func record(_ message: BroadcastMessage, offset: String) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.broadcasts.append(Recorded(offset: offset, message: message, at: now))
            // Pruned as broadcasts age out, not on every broadcast (that would scan every session each time).
            guard let oldest = state.broadcasts.first, now - oldest.at > retention else { return }
            let stale = state.broadcasts.prefix { now - $0.at > retention }.count
            state.broadcasts.removeFirst(stale)
            state.sessions = state.sessions.filter { entry in
                entry.value.disconnectedAt.map { now - $0 <= retention } ?? true
            }
        }
    }

    /// Remembers the session of a socket that connected.
    ///
    /// - Parameter session: a socket that connected (or was restored).
    public func started(_ session: RecoverableSession) {
        state.withLock { $0.sessions[session.pid] = Entry(session: session, disconnectedAt: nil) }
    }

    /// Updates a session's rooms.
    ///
    /// - Parameters:
    ///   - pid: the session.
    ///   - rooms: its rooms now.
    public func roomsChanged(pid: String, rooms: [String]) {
        state.withLock { $0.sessions[pid]?.session.rooms = rooms }
    }

    /// Marks a session disconnected from now; it can be claimed within the window.
    ///
    /// - Parameter pid: the session whose socket lost its connection.
    public func disconnected(pid: String) {
        state.withLock { $0.sessions[pid]?.disconnectedAt = .now }
    }

    /// Forgets a session.
    ///
    /// - Parameter pid: the session that ended for good.
    public func ended(pid: String) {
        _ = state.withLock { $0.sessions.removeValue(forKey: pid) }
    }

    /// The session of `pid`, when its owner claims it within the window.
    ///
    /// - Parameters:
    ///   - pid: the private session id the client presented.
    ///   - owner: the owner of the claiming socket.
    ///   - window: how long after its disconnection a session can be claimed.
    public func session(
        pid: String,
        owner: String?,
        window: Duration
    ) async throws(RecoveryFailure) -> RecoverableSession {
        let now = ContinuousClock.now
        return try state.withLock { state throws(RecoveryFailure) -> RecoverableSession in
            guard let entry = state.sessions[pid] else { throw .unknownSession }
            guard entry.session.owner == owner else { throw .otherOwner }
            if let at = entry.disconnectedAt, now - at > window { throw .expired }
            return entry.session
        }
    }

    /// The recorded broadcasts the session missed after `offset`, in order.
    ///
    /// - Parameters:
    ///   - session: the restored session.
    ///   - offset: the last offset the client received; nil replays from the session's start.
    public func missedPackets(
        for session: RecoverableSession,
        after offset: String?
    ) async throws(RecoveryFailure) -> [String] {
        let from = offset ?? session.startOffset
        let rooms = Set(session.rooms)
        return state.withLock { state in
            state.broadcasts.filter { recorded in
                recorded.offset > from && recorded.message.namespace == session.namespace
                    && (recorded.message.rooms.isEmpty || recorded.message.rooms.contains(where: rooms.contains))
                    && !recorded.message.exceptRooms.contains(where: rooms.contains)
            }.map(\.message.packet)
        }
    }
}
