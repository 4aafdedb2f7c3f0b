import Hummingbird
import NIOCore

/// A request context that knows the peer's address and the connection. Serve the engine on a router of this
/// context so that polling handshakes are counted per client address
/// (`EngineConfiguration.maxPendingSessionsPerAddress`; any `RemoteAddressRequestContext` does that) and a polling
/// body that does not arrive within `requestBodyTimeout` closes its connection.
public struct EngineRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection the request came on.
    public let channel: any Channel

    /// The context of a request, with its connection's peer address.
    /// - Parameter source: what Hummingbird knows of the request's connection.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }
}
