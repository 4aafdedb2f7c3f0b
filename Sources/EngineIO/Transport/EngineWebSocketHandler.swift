import NIOCore
import NIOWebSocket
import Synchronization

/// The WebSocket transport as a channel handler: WebSocket frames in, Engine.IO packets to the server; the session's
/// packets out as frames. A connection keeps no task: packets from the client are handed to the server on the event
/// loop as they are read, and the session pushes its packets to the channel's event loop.
final class EngineWebSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    enum Phase {
        /// A WebSocket of its own: the session is open and pushes its packets here.
        case serving(EngineConnection)
        /// The upgrade of a polling session: `2probe` is expected, then `5`.
        case awaitingProbe(EngineConnection)
        case awaitingUpgrade(EngineConnection)
        case closed
    }

    private let server: EngineServer
    private let maxPayload: Int
    private var phase: Phase
    /// The parts of a fragmented message so far, and its opcode.
    private var fragments: ByteBuffer?
    private var fragmentsOpcode: WebSocketOpcode = .text
    /// A flush is queued on the event loop behind the writes queued so far.
    private var flushScheduled = false
    /// Packets held while the channel is not writable (the client reads slower than it is sent to), and the bytes
    /// of their messages, bounded by `maxOutboundBytes`.
    private var held: [EnginePacket] = []
    private var heldBytes = 0
    private let maxOutboundBytes: Int?
    /// The session was cut off as a slow consumer: nothing more is written.
    private var cutOff = false
    /// The open packet of a new session, written first (and then let go).
    private var open: EnginePacket?
    /// How a connection that starts `.closed` is closed.
    private let refusalCode: WebSocketErrorCode

    init(
        server: EngineServer,
        phase: Phase,
        open: EnginePacket?,
        refusalCode: WebSocketErrorCode = .unknown(1013)
    ) {
        self.server = server
        self.maxPayload = server.configuration.maxPayload
        self.maxOutboundBytes = server.configuration.maxOutboundBytes
        self.phase = phase
        self.open = open
        self.refusalCode = refusalCode
    }

    func handlerAdded(context: ChannelHandlerContext) {
        switch phase {
        case .serving(let session):
            if let open {
                self.open = nil
                write([open], context: context)
            }
            startServing(session, context: context)
        case .closed:
            // No session could be opened (the server filled up or began stopping: 1013, try again later), or the
            // connection is not needed (its session already upgraded: a normal closure).
            closeChannel(context, code: refusalCode)
        case .awaitingProbe(let session), .awaitingUpgrade(let session):
            // A WebSocket that does not complete the upgrade in time is closed, the session going on over polling;
            // one whose session ends first goes with it.
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let channelContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let loop = context.eventLoop
            let abandon: @Sendable () -> Void = {
                loop.execute {
                    switch handler.value.phase {
                    case .awaitingProbe, .awaitingUpgrade:
                        handler.value.fail(channelContext.value, code: .normalClosure)
                    case .serving, .closed: break
                    }
                }
            }
            guard session.whileUpgrading(close: abandon) else { return fail(context, code: .normalClosure) }
            loop.scheduleTask(in: TimeAmount(server.configuration.upgradeTimeout), abandon)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard fragments == nil else { return fail(context, code: .protocolError) }
            if frame.fin {
                message(frame.unmaskedData, opcode: frame.opcode, context: context)
            } else {
                fragments = frame.unmaskedData
                fragmentsOpcode = frame.opcode
            }
        case .continuation:
            guard var buffer = fragments else { return fail(context, code: .protocolError) }
            var part = frame.unmaskedData
            guard buffer.readableBytes + part.readableBytes <= maxPayload else {
                EngineMetrics.limitHit("max_payload")
                return fail(context, code: .messageTooLarge)
            }
            buffer.writeBuffer(&part)
            if frame.fin {
                fragments = nil
                message(buffer, opcode: fragmentsOpcode, context: context)
            } else {
                fragments = buffer
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            // Answer the close with a close and hang up; the session ends as the client closed it.
            var data = frame.unmaskedData
            let code =
                data.readInteger(as: UInt16.self).map { WebSocketErrorCode(codeNumber: Int($0)) } ?? .normalClosure
            closeChannel(context, code: code)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch phase {
        case .serving(let session):
            server.close(session, .transportClose)
        case .awaitingProbe(let session), .awaitingUpgrade(let session):
            session.upgradeAborted()
        case .closed:
            break
        }
        phase = .closed
        context.fireChannelInactive()
    }

    /// Writable again: what was held goes out, in order.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, !held.isEmpty {
            let packets = held
            held = []
            heldBytes = 0
            writeFrames(packets, context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .serving(let session) = phase { server.close(session, .transportError) }
        phase = .closed
        context.close(promise: nil)
    }

    // MARK: Messages

    private func message(_ buffer: ByteBuffer, opcode: WebSocketOpcode, context: ChannelHandlerContext) {
        guard buffer.readableBytes <= maxPayload else {
            EngineMetrics.limitHit("max_payload")
            return fail(context, code: .messageTooLarge)
        }
        let packet: EnginePacket
        if opcode == .binary {
            packet = .message(.binary(Array(buffer.readableBytesView)))
        } else if buffer.readableBytes > 0,
            buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == UInt8(ascii: "4"),
            let text = buffer.getString(at: buffer.readerIndex + 1, length: buffer.readableBytes - 1)
        {
            // A message, the common case: its text is read once, straight from the frame.
            packet = .message(.text(text))
        } else {
            guard let decoded = try? EnginePacket.decode(Substring(String(buffer: buffer))) else {
                if case .serving(let session) = phase { server.close(session, .parseError) }
                return
            }
            packet = decoded
        }
        switch phase {
        case .serving(let session):
            server.receive(CollectionOfOne(packet), on: session)
        case .awaitingProbe(let session):
            guard packet == .ping("probe") else { return fail(context, code: .protocolError) }
            write([.pong("probe")], context: context)
            session.probeReceived()
            phase = .awaitingUpgrade(session)
        case .awaitingUpgrade(let session):
            guard packet == .upgrade else {
                session.upgradeAborted()
                return fail(context, code: .protocolError)
            }
            session.upgradeReceived()
            phase = .serving(session)
            startServing(session, context: context)
        case .closed:
            break
        }
    }

    /// From now on the session's packets go out over this channel and the client's packets to the server.
    private func startServing(_ session: EngineConnection, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let channelContext = NIOLoopBound(context, eventLoop: loop)
        session.push(over: .websocket, on: loop) { packets in
            // Packets queued on this loop are written at once (the flush comes later in this turn); a write never
            // calls back into the session. Those queued elsewhere, and the end, go through the loop.
            if let packets, loop.inEventLoop {
                handler.value.write(packets, context: channelContext.value)
                return
            }
            loop.execute {
                let handler = handler.value
                let context = channelContext.value
                if let packets {
                    handler.write(packets, context: context)
                } else {
                    handler.phase = .closed
                    handler.closeChannel(context, code: .normalClosure)
                }
            }
        }
    }

    /// Writes packets, or holds them while the channel is not writable; a client that lets more than
    /// `maxOutboundBytes` wait is cut off (its session closed as a slow consumer, the connection closed without a
    /// close frame it would not read).
    private func write(_ packets: [EnginePacket], context: ChannelHandlerContext) {
        guard context.channel.isActive, !cutOff else { return }
        guard held.isEmpty, context.channel.isWritable else {
            held += packets
            for case .message(let message) in packets { heldBytes += message.byteCount }
            if let maxOutboundBytes, heldBytes > maxOutboundBytes { cutOffSlowConsumer(context) }
            return
        }
        writeFrames(packets, context: context)
    }

    private func cutOffSlowConsumer(_ context: ChannelHandlerContext) {
        cutOff = true
        held = []
        heldBytes = 0
        let session: EngineConnection?
        switch phase {
        case .serving(let serving): session = serving
        default: session = nil
        }
        phase = .closed
        context.close(promise: nil)
        // Writes can run inside the session's push (its lock held): the session is closed after this turn.
        if let session {
            let server = server
            context.eventLoop.execute { server.close(session, .slowConsumer) }
        }
    }

    private func writeFrames(_ packets: [EnginePacket], context: ChannelHandlerContext) {
        for packet in packets {
            let frame: WebSocketFrame
            switch packet {
            case .message(.binary(let bytes)):
                frame = WebSocketFrame(fin: true, opcode: .binary, data: context.channel.allocator.buffer(bytes: bytes))
            case .message(.text(let text)):
                var data = context.channel.allocator.buffer(capacity: text.utf8.count + 1)
                data.writeInteger(UInt8(ascii: "4"))
                data.writeString(text)
                frame = WebSocketFrame(fin: true, opcode: .text, data: data)
            default:
                frame = WebSocketFrame(
                    fin: true,
                    opcode: .text,
                    data: context.channel.allocator.buffer(string: packet.text)
                )
            }
            context.write(wrapOutboundOut(frame), promise: nil)
        }
        // One flush for everything written in this turn of the event loop: a send gives its sender a `new_message`
        // and an ack one after the other, and they leave in one system call.
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }

    private func fail(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
        switch phase {
        case .serving(let session): server.close(session, .transportError)
        case .awaitingProbe(let session), .awaitingUpgrade(let session): session.upgradeAborted()
        case .closed: break
        }
        phase = .closed
        closeChannel(context, code: code)
    }

    /// Sends a close frame with `code` and closes the connection once it is written.
    private func closeChannel(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
        guard context.channel.isActive else { return }
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
    }
}
