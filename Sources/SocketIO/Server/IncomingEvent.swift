/// An event received from a client.
public struct IncomingEvent: Sendable {
    public var name: String
    /// Each argument after the event name, as the client wrote it.
    public var arguments: [JSONText]
    /// Binary attachments of a BINARY_EVENT; the arguments hold `{"_placeholder":true,"num":N}` in their place.
    public var attachments: [[UInt8]]
    /// Present when the client asked for an acknowledgement.
    public var ack: Acknowledgement?
    /// When the server decoded the event (before it waited in the socket's queue).
    public var receivedAt: ContinuousClock.Instant = .now
}
