import NIOCore
import NIOPosix

/// Opens connections to the server under test on one event loop.
struct Connector: Sendable {
    let loop: any EventLoop
    let host: String
    let port: Int

    /// A Socket.IO connection to `namespace` with the CONNECT auth payload `{"token": …}` (plus `pid` to claim a
    /// session back); the future gives the channel once TCP is up (the namespace connects later, reported to the
    /// client's delegate).
    func socket(namespace: String, token: String, pid: String? = nil, seed: UInt32) -> EventLoopFuture<any Channel> {
        let host = "\(self.host):\(port)"
        let auth = pid.map { #"{"token":"\#(token)","pid":"\#($0)"}"# } ?? #"{"token":"\#(token)"}"#
        return ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SocketIOClient(host: host, namespace: namespace, auth: auth, seed: seed)
                    )
                }
            }
            .connect(host: self.host, port: port)
    }

    /// A keep-alive HTTP/1.1 connection.
    func http() -> EventLoopFuture<any Channel> {
        let host = "\(self.host):\(port)"
        return ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPClient(host: host))
                }
            }
            .connect(host: self.host, port: port)
    }
}
