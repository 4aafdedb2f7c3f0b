import Foundation

/// Where generated emitters deliver server events; the Socket.IO engine (or its multi-node adapter) implements it.
public protocol EventSink: Sendable {
    /// Emits `event` with one JSON argument to every socket in `target`; connection state recovery replays it to
    /// clients that missed it unless it is not `replayable` (`x-replay: false` in the spec).
    func emit(event: String, argument: Data, to target: EventTarget, replayable: Bool) async throws
}

extension EventSink {
    /// Emits a replayable event.
    public func emit(event: String, argument: Data, to target: EventTarget) async throws {
        try await emit(event: event, argument: argument, to: target, replayable: true)
    }
}

/// Rooms to deliver to, and rooms whose sockets are left out (every socket is in a room named by its id).
public struct EventTarget: Sendable, Hashable {
    public var rooms: [String]
    public var exceptRooms: [String]

    public init(rooms: [String], exceptRooms: [String] = []) {
        self.rooms = rooms
        self.exceptRooms = exceptRooms
    }

    public static func room(_ room: String) -> EventTarget { EventTarget(rooms: [room]) }

    public static func rooms(_ rooms: [String]) -> EventTarget { EventTarget(rooms: rooms) }

    /// The same target without the sockets of `rooms`.
    public func excluding(_ rooms: String...) -> EventTarget {
        EventTarget(rooms: self.rooms, exceptRooms: exceptRooms + rooms)
    }
}
