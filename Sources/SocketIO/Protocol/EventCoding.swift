import Foundation
import JSONEscaping

/// Builds EVENT/ACK payloads from JSON arguments; `SocketPacket.decode` takes them apart.
enum EventCoding {
    /// `["name",arg1,arg2]` from an event name and raw JSON arguments.
    static func eventPayload(_ name: String, _ arguments: [JSONText]) -> String {
        var text = "[" + JSONEscaping.quoted(name)
        for argument in arguments { text += "," + argument.text }
        return text + "]"
    }

    /// `[arg1,arg2]`.
    static func ackPayload(_ arguments: [JSONText]) -> String {
        "[" + arguments.lazy.map(\.text).joined(separator: ",") + "]"
    }
}
