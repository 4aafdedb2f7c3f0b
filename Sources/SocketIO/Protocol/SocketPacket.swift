/// One Socket.IO v5 packet: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
public struct SocketPacket: Equatable, Sendable {
    public enum Kind: Int, Sendable {
        case connect = 0
        case disconnect = 1
        case event = 2
        case ack = 3
        case connectError = 4
        case binaryEvent = 5
        case binaryAck = 6
    }

    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public var kind: Kind
    public var namespace: String
    public var id: Int?
    /// Number of binary attachments that follow (binary kinds only).
    public var attachments: Int
    /// The JSON data as sent, or nil when the packet has none.
    public var json: String?
    /// Set by `decode`: an EVENT's name and the arguments after it, an ACK's arguments, each as the client wrote it.
    var eventName: String?
    var arguments: [JSONText] = []

    /// A packet to send.
    /// - Parameters:
    ///   - kind: CONNECT, EVENT, ACK, …
    ///   - namespace: the namespace (default `/`).
    ///   - id: the ack id, for an EVENT that expects one or an ACK.
    ///   - attachments: binary attachments that follow (binary kinds only).
    ///   - json: the JSON data, already encoded.
    public init(kind: Kind, namespace: String = "/", id: Int? = nil, attachments: Int = 0, json: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.id = id
        self.attachments = attachments
        self.json = json
    }

    public static func == (lhs: SocketPacket, rhs: SocketPacket) -> Bool {
        (lhs.kind, lhs.namespace, lhs.id, lhs.attachments, lhs.json)
            == (rhs.kind, rhs.namespace, rhs.id, rhs.attachments, rhs.json)
    }

    /// The compact text form, byte for byte as the reference implementation writes it.
    public func encode() -> String {
        var text = String(kind.rawValue)
        if kind == .binaryEvent || kind == .binaryAck { text += "\(attachments)-" }
        if namespace != "/" { text += namespace + "," }
        if let id { text += String(id) }
        if let json { text += json }
        return text
    }

    /// Parses and checks a packet; the JSON must be valid and of the shape the packet kind requires. The JSON is
    /// scanned once, over the text's UTF-8 bytes, and an EVENT's or ACK's arguments are kept as the bytes sent.
    ///
    /// - Parameter text: one Socket.IO packet (an Engine.IO message's text).
    /// - Throws: `DecodingError` for a malformed packet or JSON of the wrong shape.
    public static func decode(_ text: String) throws(DecodingError) -> SocketPacket {
        var text = text
        let result = text.withUTF8 { bytes in Result { () throws(DecodingError) in try decode(bytes) } }
        return try result.get()
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(DecodingError) -> SocketPacket {
        var index = 0
        func integer(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while index < bytes.count, bytes[index] &- 48 < 10, digits < maxDigits {
                value = value * 10 + Int(bytes[index] &- 48)
                index += 1
                digits += 1
            }
            return digits == 0 ? nil : value
        }
        guard let first = bytes.first, first &- 48 < 10, let kind = Kind(rawValue: Int(first &- 48)) else {
            throw DecodingError(description: "unknown packet type")
        }
        index = 1
        var attachments = 0
        if kind == .binaryEvent || kind == .binaryAck {
            guard let count = integer(maxDigits: 4), count <= 1000, index < bytes.count,
                bytes[index] == UInt8(ascii: "-")
            else {
                throw DecodingError(description: "invalid attachment count")
            }
            attachments = count
            index += 1
        }
        var namespace = "/"
        if index < bytes.count, bytes[index] == UInt8(ascii: "/") {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ",") { index += 1 }
            namespace = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if index < bytes.count { index += 1 }
        }
        let id = integer(maxDigits: 15)
        if id != nil, index < bytes.count, bytes[index] &- 48 < 10 {
            throw DecodingError(description: "invalid ack id")
        }
        var packet = SocketPacket(kind: kind, namespace: namespace, id: id, attachments: attachments)
        guard index < bytes.count else {
            try packet.check(nil, bytes: bytes)
            return packet
        }
        let payload = UnsafeBufferPointer(rebasing: bytes[index...])
        packet.json = String(decoding: payload, as: UTF8.self)
        let value: JSONScanner.TopLevel
        do {
            value = try JSONScanner.topLevel(payload)
        } catch {
            throw DecodingError(description: "invalid JSON")
        }
        try packet.check(value, bytes: payload)
        return packet
    }

    /// The payload rules of the reference parser, per packet kind; keeps an EVENT's name and arguments and an
    /// ACK's arguments.
    private mutating func check(_ value: JSONScanner.TopLevel?, bytes: UnsafeBufferPointer<UInt8>) throws(DecodingError)
    {
        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        switch kind {
        case .connect:
            guard value == nil || value == .object else {
                throw DecodingError(description: "CONNECT payload must be an object")
            }
        case .disconnect:
            guard value == nil else { throw DecodingError(description: "DISCONNECT carries no payload") }
        case .event, .binaryEvent:
            guard case .array(let elements)? = value, let first = elements.first, first.kind == .string else {
                throw DecodingError(description: "EVENT payload must be an array starting with the event name")
            }
            let quoted = bytes[first.range]
            if quoted.contains(UInt8(ascii: "\\")) {
                eventName = (try? JSONText(validating: text(first.range)).decode(String.self)) ?? ""
            } else {
                eventName = text(first.range.lowerBound + 1..<first.range.upperBound - 1)
            }
            arguments = elements.dropFirst().map { JSONText(unchecked: text($0.range)) }
        case .ack, .binaryAck:
            guard id != nil, case .array(let elements)? = value else {
                throw DecodingError(description: "ACK needs an id and an array")
            }
            arguments = elements.map { JSONText(unchecked: text($0.range)) }
        case .connectError:
            guard value == .object || value?.isString == true else {
                throw DecodingError(description: "CONNECT_ERROR payload must be an object or a string")
            }
        }
    }
}
