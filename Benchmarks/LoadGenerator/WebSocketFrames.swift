import NIOCore

/// The WebSocket framing (RFC 6455) a client needs: masked frames out, unmasked frames in.
enum WebSocketFrames {
    enum Opcode: UInt8 {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA
    }

    struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: ByteBuffer
    }

    /// Appends one masked frame. A client must mask every frame; the key only needs to vary, not be secret,
    /// for a load generator.
    static func write(_ opcode: Opcode, payload: some Collection<UInt8>, maskKey: UInt32, into out: inout ByteBuffer) {
        out.writeInteger(0x80 | opcode.rawValue)
        let count = payload.count
        if count < 126 {
            out.writeInteger(UInt8(0x80 | count))
        } else if count <= Int(UInt16.max) {
            out.writeInteger(UInt8(0x80 | 126))
            out.writeInteger(UInt16(count))
        } else {
            out.writeInteger(UInt8(0x80 | 127))
            out.writeInteger(UInt64(count))
        }
        out.writeInteger(maskKey)
        let mask = withUnsafeBytes(of: maskKey.bigEndian) { Array($0) }
        out.reserveCapacity(minimumWritableBytes: count)
        var index = 0
        for byte in payload {
            out.writeInteger(byte ^ mask[index & 3])
            index += 1
        }
    }

    /// Takes one whole frame off the front of `buffer`, or returns nil (consuming nothing) when it is incomplete.
    static func read(from buffer: inout ByteBuffer) throws -> Frame? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 2, let first = buffer.getInteger(at: start, as: UInt8.self),
            let second = buffer.getInteger(at: start + 1, as: UInt8.self)
        else { return nil }
        var headerLength = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = Int(extended)
            headerLength += 2
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            guard extended < 1 << 31 else { throw LoadError("WebSocket frame too large: \(extended) bytes") }
            length = Int(extended)
            headerLength += 8
        }
        guard second & 0x80 == 0 else { throw LoadError("the server sent a masked frame") }
        guard buffer.readableBytes >= headerLength + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength)
        let payload = buffer.readSlice(length: length)!
        return Frame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload)
    }
}

/// A failure of the load generator or of what it measured, with a readable reason.
struct LoadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
