import Foundation
import JSONEscaping

/// One JSON value kept as its text: an event argument, an acknowledgement argument, a CONNECT payload.
///
/// It is valid JSON by construction: parsed from a client's packet (validated once, then handed on as the bytes the
/// client sent), checked with `init(validating:)`, or encoded from a value. So what a handler emits can never
/// corrupt a packet, and the application decodes arguments with whatever it likes (`decode(_:)` uses Foundation).
public struct JSONText: Sendable, Hashable, CustomStringConvertible {
    /// The JSON text.
    public let text: String

    public struct Invalid: Error, Sendable, Equatable {}

    /// Text already known to be one valid JSON value (a range the scanner validated, or an encoder's output).
    init(unchecked text: String) {
        self.text = text
    }

    /// Checks that `text` is exactly one JSON value.
    ///
    /// - Parameter text: the candidate JSON text.
    /// - Throws: `Invalid` when it is not exactly one JSON value.
    public init(validating text: String) throws(Invalid) {
        do {
            _ = try JSONScanner.topLevel(text)
        } catch {
            throw Invalid()
        }
        self.text = text
    }

    /// The JSON encoding of `value`.
    ///
    /// - Parameters:
    ///   - value: the value to encode.
    ///   - encoder: the encoder (default: compact, sorted keys, no slash escaping).
    public init(encoding value: some Encodable, encoder: JSONEncoder = JSONText.encoder) throws {
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the value with Foundation's decoder.
    ///
    /// - Parameters:
    ///   - type: the type to decode.
    ///   - decoder: the decoder to use.
    public func decode<Value: Decodable>(
        _ type: Value.Type = Value.self,
        decoder: JSONDecoder = JSONDecoder()
    ) throws
        -> Value
    {
        try decoder.decode(type, from: Data(text.utf8))
    }

    /// A JSON string, escaped as `JSON.stringify` escapes it.
    ///
    /// - Parameter value: any text.
    public static func string(_ value: String) -> JSONText {
        JSONText(unchecked: JSONEscaping.quoted(value))
    }

    /// A JSON number.
    /// - Parameter value: the integer.
    public static func number(_ value: Int) -> JSONText {
        JSONText(unchecked: String(value))
    }

    /// `true` or `false`.
    /// - Parameter value: the truth value.
    public static func bool(_ value: Bool) -> JSONText {
        value ? .true : .false
    }

    /// A JSON array of these values.
    ///
    /// - Parameter elements: the array's values, in order.
    public static func array(_ elements: [JSONText]) -> JSONText {
        JSONText(unchecked: "[" + elements.lazy.map(\.text).joined(separator: ",") + "]")
    }

    /// A JSON object of these members, in this order.
    ///
    /// - Parameter members: names and values; names are escaped here.
    public static func object(_ members: KeyValuePairs<String, JSONText>) -> JSONText {
        let fields = members.lazy.map { JSONEscaping.quoted($0.key) + ":" + $0.value.text }
        return JSONText(unchecked: "{" + fields.joined(separator: ",") + "}")
    }

    public static let null = JSONText(unchecked: "null")
    public static let `true` = JSONText(unchecked: "true")
    public static let `false` = JSONText(unchecked: "false")

    /// Encodes without escaping slashes, as JavaScript does.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public var description: String { text }
}
