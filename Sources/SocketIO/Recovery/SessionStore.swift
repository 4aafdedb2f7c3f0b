import Foundation

/// Connection state recovery, wire-compatible with socket.io-client 4.6 and later: the CONNECT answer carries a
/// private session id (`pid`), every recoverable broadcast carries an offset as its last argument, and a client
/// that reconnects with `{pid, offset}` in its CONNECT auth gets its socket back (same id, same rooms) with the
/// events it missed, delivered before the CONNECT answer so that `socket.recovered` is true when it connects.
public struct ConnectionStateRecovery: Sendable {
    /// Where sessions and replayable broadcasts are kept.
    public var store: any SessionStore
    /// How long after a disconnection a session can be recovered (the reference's `maxDisconnectionDuration`).
    public var window: Duration
    /// The owner of a socket (for example its authenticated user), read after the connect middleware ran: a
    /// session is restored only for a CONNECT of the same owner, so a `pid` is useless to anybody else.
    public var owner: @Sendable (Socket) -> String?

    /// - Parameters:
    ///   - store: where sessions and replayable broadcasts are kept.
    ///   - window: how long after a disconnection a session can be recovered.
    ///   - owner: the owner of a socket; sessions are restored only to their owner.
    public init(
        store: any SessionStore,
        window: Duration = .seconds(120),
        owner: @escaping @Sendable (Socket) -> String? = { _ in nil }
    ) {
        self.store = store
        self.window = window
        self.owner = owner
    }
}

/// A recoverable socket as the store keeps it.
public struct RecoverableSession: Sendable, Equatable {
    public var pid: String
    public var socketId: String
    public var namespace: String
    public var owner: String?
    /// The socket's rooms, its own room included.
    public var rooms: [String]
    /// The offset current when the socket connected: a client that received no event yet replays from here.
    public var startOffset: String

    /// - Parameters:
    ///   - pid: the private session id.
    ///   - socketId: the socket's id.
    ///   - namespace: its namespace.
    ///   - owner: its owner, if any.
    ///   - rooms: its rooms, its own room included.
    ///   - startOffset: the offset current when it connected.
    public init(pid: String, socketId: String, namespace: String, owner: String?, rooms: [String], startOffset: String)
    {
        self.pid = pid
        self.socketId = socketId
        self.namespace = namespace
        self.owner = owner
        self.rooms = rooms
        self.startOffset = startOffset
    }
}

/// Why a session could not be restored (the client then gets a fresh one, `socket.recovered === false`).
public enum RecoveryFailure: String, Error, Sendable {
    /// No session with this `pid` (never issued, forged, or cleaned up).
    case unknownSession = "unknown_session"
    /// Disconnected longer ago than the window.
    case expired
    /// The session belongs to another owner (another user's `pid`).
    case otherOwner = "other_owner"
    /// The store could not answer (for example its database is down).
    case storeUnavailable = "store_unavailable"
    /// More events were missed than a replay delivers; the client catches up by other means.
    case tooManyMissed = "too_many_missed"
}

/// Keeps recoverable sessions and the broadcasts they may have to replay. Writes may be asynchronous (batched);
/// `restore` answers from what was written.
public protocol SessionStore: Sendable {
    /// A new offset, greater than every offset this node handed out before (offsets order broadcasts).
    func nextOffset() -> String
    /// A recoverable broadcast went out with `offset` (the last argument of its packet).
    func record(_ message: BroadcastMessage, offset: String)
    /// A socket connected with recovery on (or came back).
    func started(_ session: RecoverableSession)
    /// The socket's rooms changed.
    func roomsChanged(pid: String, rooms: [String])
    /// The socket disconnected for a reason the client recovers from (`transport close`, `ping timeout`, …).
    func disconnected(pid: String)
    /// The socket left for good (it disconnected itself, or was disconnected by the server): no recovery.
    func ended(pid: String)
    /// The session of `pid`, if it disconnected less than `window` ago (or its node stopped answering less than
    /// `window` ago) and belongs to `owner`.
    func session(pid: String, owner: String?, window: Duration) async throws(RecoveryFailure) -> RecoverableSession
    /// The recorded packets after `offset` (after the session's start offset when nil) that reached any of the
    /// session's rooms and none of their excepted rooms, oldest first, as they were encoded (offsets included).
    func missedPackets(
        for session: RecoverableSession,
        after offset: String?
    ) async throws(RecoveryFailure)
        -> [String]
}
