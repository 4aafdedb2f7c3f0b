import NIOCore

/// What a Socket.IO connection reports to its owner, always on the connection's event loop.
protocol SocketIOClientDelegate: AnyObject {
    /// The namespace CONNECT was accepted.
    func clientConnected(_ client: SocketIOClient)
    /// An acknowledgement: the id and the JSON array of its arguments.
    func client(_ client: SocketIOClient, receivedAck id: Int, arguments: Substring)
    /// An event: the JSON array of its name and arguments.
    func client(_ client: SocketIOClient, receivedEvent packet: Substring)
    /// The connection failed or closed; nothing more will be reported.
    func client(_ client: SocketIOClient, closed reason: String)
}

/// A Socket.IO v5 client over Engine.IO v4 on a direct WebSocket connection, as one channel handler: it upgrades
/// the connection, answers heartbeats, connects one namespace with an auth payload, and sends events with acks.
final class SocketIOClient: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State { case upgrading, opening, connecting, connected, closed }

    let host: String
    let namespace: String
    let auth: String
    weak var delegate: (any SocketIOClientDelegate)?
    /// The owner's number for this connection.
    var tag = 0
    private(set) var state = State.upgrading
    private(set) var heartbeats = 0
    /// The CONNECT answer's JSON (`{"sid":…,"pid":…}`), once connected.
    private(set) var connectAnswer: Substring?
    private var received: ByteBuffer?
    private var fragments: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var nextAckId = 0
    private var maskKey: UInt32

    init(host: String, namespace: String, auth: String, seed: UInt32) {
        self.host = host
        self.namespace = namespace
        self.auth = auth
        self.maskKey = seed | 1
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        let request =
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: bG9hZGdlbmVyYXRvcjAwMA==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish("connection closed by the server")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish("\(error)")
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received == nil || received!.readableBytes == 0 {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        do {
            if state == .upgrading {
                guard try readUpgradeResponse() else { return }
            }
            while state != .closed, let frame = try WebSocketFrames.read(from: &received!) {
                try handle(frame)
            }
            received!.discardReadBytes()
        } catch {
            finish("\(error)")
            context.close(promise: nil)
        }
    }

    /// Emits an event whose argument is the given JSON text; returns the ack id when an ack is wanted.
    @discardableResult
    func emit(_ event: String, json argument: String, ack: Bool) -> Int? {
        guard state == .connected else { return nil }
        var id: Int?
        if ack {
            id = nextAckId
            nextAckId += 1
        }
        send("42\(namespace),\(id.map(String.init) ?? "")[\"\(event)\",\(argument)]")
        return id
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        context?.close(promise: nil)
    }

    // MARK: Receiving

    private func readUpgradeResponse() throws -> Bool {
        guard let end = received!.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if received!.readableBytes > 16_384 { throw LoadError("no end of the upgrade response") }
            return false
        }
        let head = received!.readString(length: end.upperBound - received!.readerIndex) ?? ""
        guard head.hasPrefix("HTTP/1.1 101") else {
            throw LoadError("upgrade refused: \(head.prefix(while: { $0 != "\r" }))")
        }
        state = .opening
        return true
    }

    private func handle(_ frame: WebSocketFrames.Frame) throws {
        var frame = frame
        switch WebSocketFrames.Opcode(rawValue: frame.opcode) {
        case .text, .binary, .continuation:
            if !frame.fin || fragments != nil {
                fragments.setOrWriteBuffer(&frame.payload)
                guard frame.fin else { return }
                frame.payload = fragments!
                fragments = nil
            }
            try handle(packet: String(buffer: frame.payload))
        case .ping:
            write(.pong, payload: frame.payload.readableBytesView)
        case .close:
            finish("WebSocket closed by the server")
            context?.close(promise: nil)
        case .pong, nil:
            break
        }
    }

    private func handle(packet: String) throws {
        switch packet.first {
        case "0":
            state = .connecting
            send("40\(namespace),\(auth)")
        case "2":
            heartbeats += 1
            send("3")
        case "1":
            finish("Engine.IO close from the server")
        case "4":
            // A Socket.IO packet: its type digit, then the namespace and a comma.
            let type = packet.dropFirst().first
            let afterType = packet.dropFirst(2)
            guard afterType.hasPrefix(namespace) else { return }
            let body = afterType.dropFirst(namespace.count).drop(while: { $0 == "," })
            switch type {
            case "0":
                state = .connected
                connectAnswer = body
                delegate?.clientConnected(self)
            case "2":
                delegate?.client(self, receivedEvent: body.drop(while: \.isNumber))
            case "3":
                let digits = body.prefix(while: \.isNumber)
                guard let id = Int(digits) else { throw LoadError("ack without an id: \(packet.prefix(80))") }
                delegate?.client(self, receivedAck: id, arguments: body.dropFirst(digits.count))
            case "4":
                finish("connect_error \(body)")
                context?.close(promise: nil)
            case "1":
                finish("disconnected by the server")
            default:
                break
            }
        default:
            break
        }
    }

    // MARK: Sending

    private func send(_ text: String) {
        write(.text, payload: text.utf8)
    }

    private func write(_ opcode: WebSocketFrames.Opcode, payload: some Collection<UInt8>) {
        guard let context else { return }
        // xorshift: a different mask per frame.
        maskKey ^= maskKey << 13
        maskKey ^= maskKey >> 17
        maskKey ^= maskKey << 5
        var out = context.channel.allocator.buffer(capacity: payload.count + 14)
        WebSocketFrames.write(opcode, payload: payload, maskKey: maskKey, into: &out)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    private func finish(_ reason: String) {
        guard state != .closed else { return }
        state = .closed
        delegate?.client(self, closed: reason)
    }
}
