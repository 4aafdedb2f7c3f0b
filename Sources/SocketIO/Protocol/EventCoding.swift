import Foundation

/// Builds EVENT/ACK payloads from JSON arguments; `SocketPacket.decode` takes them apart.
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
}
