/// Why an emit that waits for the client's acknowledgement ended without one.
public enum SocketError: Error, Sendable {
    case ackTimeout
    case disconnected
}
