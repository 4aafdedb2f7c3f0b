import Foundation

/// A message of the layer above Engine.IO: text, or binary bytes.
public enum EngineMessage: Equatable, Sendable {
    case text(String)
    case binary([UInt8])

    /// The size the message counts for against `maxPayload`, in bytes.
    public var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        }
    }
}

/// One Engine.IO v4 packet.
///
/// Text form: the type digit followed by the data (`4hello`, `2probe`). A binary message travels as a binary
/// WebSocket frame holding only its bytes, or in a polling payload as `b` followed by base64.
public enum EnginePacket: Equatable, Sendable {
    case open(String)
    case close
    case ping(String)
    case pong(String)
    case message(EngineMessage)
    case upgrade
    case noop

    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The text form; binary messages are `b` + base64 as the polling transport carries them.
    public var text: String {
        switch self {
        case .open(let json): return "0" + json
        case .close: return "1"
        case .ping(let data): return "2" + data
        case .pong(let data): return "3" + data
        case .message(.text(let text)): return "4" + text
        case .message(.binary(let bytes)): return "b" + Data(bytes).base64EncodedString()
        case .upgrade: return "5"
        case .noop: return "6"
        }
    }

    /// Parses the text form (including `b…` base64 binary messages).
    ///
    /// - Parameter text: one packet, without the polling separator.
    /// - Throws: `DecodingError` for an empty packet, an unknown type or bad base64.
    public static func decode(_ text: Substring) throws(DecodingError) -> EnginePacket {
        guard let first = text.first else { throw DecodingError(description: "empty packet") }
        let data = text.dropFirst()
        switch first {
        case "0": return .open(String(data))
        case "1": return .close
        case "2": return .ping(String(data))
        case "3": return .pong(String(data))
        case "4": return .message(.text(String(data)))
        case "5": return .upgrade
        case "6": return .noop
        case "b":
            guard let bytes = Data(base64Encoded: String(data)) else {
                throw DecodingError(description: "invalid base64 in binary packet")
            }
            return .message(.binary(Array(bytes)))
        default:
            throw DecodingError(description: "unknown packet type '\(first)'")
        }
    }
}

/// The polling transport's payload: packets joined by the record separator (0x1E).
public enum PollingPayload {
    public static let separator: Character = "\u{1e}"

    /// The payload of `packets`, in order.
    /// - Parameter packets: the packets of one poll response.
    public static func encode(_ packets: [EnginePacket]) -> String {
        packets.map(\.text).joined(separator: String(separator))
    }

    /// The packets of a payload, in order.
    /// - Parameter text: a polling request body.
    /// - Throws: `EnginePacket.DecodingError` when any packet is malformed.
    public static func decode(_ text: String) throws(EnginePacket.DecodingError) -> [EnginePacket] {
        var packets: [EnginePacket] = []
        for part in text.split(separator: separator, omittingEmptySubsequences: false) {
            packets.append(try EnginePacket.decode(part))
        }
        return packets
    }
}
