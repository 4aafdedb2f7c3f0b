import Foundation
import Testing

@testable import SocketIO

/// Arguments and acks are JSON values by construction: validated, encoded or built, never arbitrary text.
@Suite struct JSONTextTests {
    @Test(arguments: ["", "{", "[1,]", "nul", "\"unterminated", "1 2", "{\"a\":1}}", "'x'"])
    func invalidTextIsRefused(text: String) {
        #expect(throws: JSONText.Invalid.self) { try JSONText(validating: text) }
    }

    @Test(arguments: ["null", "true", "-1.5e3", "\"x\"", " [1, {\"a\": [null]}] ", "{}"])
    func oneValueIsAccepted(text: String) throws {
        #expect(try JSONText(validating: text).text == text)
    }

    @Test func valuesEncodeAndDecodeWithCodable() throws {
        struct Payload: Codable, Equatable {
            var room: String
            var url: String
        }
        let payload = Payload(room: "a\"b", url: "https://x/y")
        let json = try JSONText(encoding: payload)
        #expect(!json.text.contains("\\/"))
        #expect(try json.decode(Payload.self) == payload)
    }

    @Test func builtValuesAreValidJSON() throws {
        let built = JSONText.object([
            "s": .string("line\n\"quoted\"\u{01}"), "n": .number(-3), "b": .true, "z": .null,
            "a": .array([.false, .object([:])]),
        ])
        #expect(try JSONText(validating: built.text) == built)
        let decoded = try JSONSerialization.jsonObject(with: Data(built.text.utf8)) as? [String: Any]
        #expect(decoded?["s"] as? String == "line\n\"quoted\"\u{01}")
        #expect(decoded?["n"] as? Int == -3)
    }
}
