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

    public init(kind: Kind, namespace: String = "/", id: Int? = nil, attachments: Int = 0, json: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.id = id
        self.attachments = attachments
        self.json = json
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

    /// Parses and checks a packet; the JSON must be valid and of the shape the packet kind requires.
    public static func decode(_ text: String) throws -> SocketPacket {
        var rest = Substring(text)
        guard let first = rest.first, let digit = first.wholeNumberValue, let kind = Kind(rawValue: digit) else {
            throw DecodingError(description: "unknown packet type")
        }
        rest = rest.dropFirst()
        var attachments = 0
        if kind == .binaryEvent || kind == .binaryAck {
            guard let dash = rest.firstIndex(of: "-"), let count = Int(rest[..<dash]), count >= 0, count <= 1000 else {
                throw DecodingError(description: "invalid attachment count")
            }
            attachments = count
            rest = rest[rest.index(after: dash)...]
        }
        var namespace = "/"
        if rest.first == "/" {
            let end = rest.firstIndex(of: ",") ?? rest.endIndex
            namespace = String(rest[..<end])
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        var id: Int?
        if !digits.isEmpty {
            guard digits.count <= 15, let value = Int(digits) else {
                throw DecodingError(description: "invalid ack id")
            }
            id = value
            rest = rest.dropFirst(digits.count)
        }
        let json: String? = rest.isEmpty ? nil : String(rest)
        let packet = SocketPacket(kind: kind, namespace: namespace, id: id, attachments: attachments, json: json)
        try packet.checkPayload()
        return packet
    }

    /// The payload rules of the reference parser, per packet kind.
    private func checkPayload() throws {
        let value = try json.map { try JSONScanner.topLevel(Array($0.utf8)) }
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
        case .ack, .binaryAck:
            guard id != nil, case .array? = value else {
                throw DecodingError(description: "ACK needs an id and an array")
            }
        case .connectError:
            guard value == .object || value?.isString == true else {
                throw DecodingError(description: "CONNECT_ERROR payload must be an object or a string")
            }
        }
    }
}
