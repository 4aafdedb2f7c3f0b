import Foundation

/// Builds and takes apart EVENT/ACK payloads while keeping each argument as its original JSON text.
enum EventCoding {
    /// `["name",arg1,arg2]` from an event name and raw JSON arguments.
    static func eventPayload(_ name: String, _ arguments: [JSONText]) -> String {
        var text = "[" + jsonString(name)
        for argument in arguments { text += "," + argument.text }
        return text + "]"
    }

    /// `[arg1,arg2]`.
    static func ackPayload(_ arguments: [JSONText]) -> String {
        "[" + arguments.lazy.map(\.text).joined(separator: ",") + "]"
    }

    /// The event name and the raw JSON text of each argument of an EVENT payload.
    static func splitEvent(_ json: String) throws -> (name: String, arguments: [JSONText]) {
        let bytes = Array(json.utf8)
        guard case .array(let elements) = try JSONScanner.topLevel(bytes), let first = elements.first,
            first.kind == .string
        else {
            throw SocketPacket.DecodingError(description: "EVENT payload must be an array starting with a string")
        }
        let name = try decodeString(bytes[first.range])
        return (
            name, elements.dropFirst().map { JSONText(unchecked: String(decoding: bytes[$0.range], as: UTF8.self)) }
        )
    }

    /// The raw JSON text of each element of an ACK payload.
    static func splitAck(_ json: String) throws -> [JSONText] {
        let bytes = Array(json.utf8)
        guard case .array(let elements) = try JSONScanner.topLevel(bytes) else {
            throw SocketPacket.DecodingError(description: "ACK payload must be an array")
        }
        return elements.map { JSONText(unchecked: String(decoding: bytes[$0.range], as: UTF8.self)) }
    }

    /// A JSON string literal of `text`, escaped as JSON.stringify escapes it.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func decodeString(_ bytes: ArraySlice<UInt8>) throws -> String {
        if !bytes.contains(UInt8(ascii: "\\")) {
            return String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
        }
        return try JSONDecoder().decode(String.self, from: Data(bytes))
    }
}
