import Hummingbird
import NIOCore

/// A request context that knows the peer's address. Serve the engine on a router of this context (or of any
/// context that conforms to `RemoteAddressRequestContext`) so that polling handshakes are counted per client
/// address (`EngineConfiguration.maxPendingSessionsPerAddress`).
public struct EngineRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
