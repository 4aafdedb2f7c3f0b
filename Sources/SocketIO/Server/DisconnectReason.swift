import EngineIO

/// Why a socket left its namespace: its session ended (the engine's reason), or the namespace connection alone
/// ended. `rawValue` is the reference implementation's wording (`transport close`, `server namespace disconnect`).
public enum DisconnectReason: Hashable, Sendable {
    case engine(EngineCloseReason)
    case serverNamespaceDisconnect
    case clientNamespaceDisconnect

    public var rawValue: String {
        switch self {
        case .engine(let reason): reason.rawValue
        case .serverNamespaceDisconnect: "server namespace disconnect"
        case .clientNamespaceDisconnect: "client namespace disconnect"
        }
    }

    /// The reasons a client reconnects from by itself, for which connection state recovery keeps the session.
    public var isRecoverable: Bool {
        switch self {
        case .engine(let reason): reason != .parseError
        case .serverNamespaceDisconnect, .clientNamespaceDisconnect: false
        }
    }
}
