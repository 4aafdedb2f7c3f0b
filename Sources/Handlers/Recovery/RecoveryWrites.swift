import Foundation
import SocketIO

/// The recovery writes a node has not flushed yet: broadcasts to record, and per session the net effect of what
/// happened to it since the last flush (a session started and then disconnected is one upsert of a disconnected
/// session). Bounded: past `maxEvents` the oldest unflushed broadcasts are dropped (and counted).
struct RecoveryWrites {
    struct Event {
        var offset: String
        var message: BroadcastMessage
    }

    enum SessionChange: Equatable {
        /// Insert or replace the whole session.
        case upsert(RecoverableSession, disconnected: Bool)
        /// Change a stored session: its rooms (nil: unchanged), and whether it disconnected.
        case update(rooms: [String]?, disconnected: Bool)
        case delete
    }

    static let maxEvents = 50_000

    private(set) var events: [Event] = []
    private(set) var sessions: [String: SessionChange] = [:]
    private(set) var droppedEvents = 0

    var isEmpty: Bool { events.isEmpty && sessions.isEmpty }

    mutating func record(_ message: BroadcastMessage, offset: String) {
        events.append(Event(offset: offset, message: message))
        if events.count > Self.maxEvents {
            droppedEvents += events.count - Self.maxEvents
            events.removeFirst(events.count - Self.maxEvents)
        }
    }

    mutating func started(_ session: RecoverableSession) {
        sessions[session.pid] = .upsert(session, disconnected: false)
    }

    mutating func roomsChanged(pid: String, rooms: [String]) {
        switch sessions[pid] {
        case .upsert(var session, let disconnected)?:
            session.rooms = rooms
            sessions[pid] = .upsert(session, disconnected: disconnected)
        case .update(_, let disconnected)?:
            sessions[pid] = .update(rooms: rooms, disconnected: disconnected)
        case .delete?:
            break
        case nil:
            sessions[pid] = .update(rooms: rooms, disconnected: false)
        }
    }

    mutating func disconnected(pid: String) {
        switch sessions[pid] {
        case .upsert(let session, _)?: sessions[pid] = .upsert(session, disconnected: true)
        case .update(let rooms, _)?: sessions[pid] = .update(rooms: rooms, disconnected: true)
        case .delete?: break
        case nil: sessions[pid] = .update(rooms: nil, disconnected: true)
        }
    }

    mutating func ended(pid: String) {
        sessions[pid] = .delete
    }

    /// Hands everything over for one flush and starts empty.
    mutating func take() -> RecoveryWrites {
        defer { self = RecoveryWrites() }
        return self
    }

    /// Puts back what a failed flush took, before what arrived meanwhile (which is newer), within the bound.
    mutating func restore(_ failed: RecoveryWrites) {
        var merged = failed
        for event in events { merged.record(event.message, offset: event.offset) }
        for (pid, change) in sessions { merged.sessions[pid] = change }
        merged.droppedEvents += droppedEvents
        self = merged
    }
}
