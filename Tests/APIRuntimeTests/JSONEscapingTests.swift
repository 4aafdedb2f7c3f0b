import Foundation
import JSONEscaping
import Testing

@Suite struct JSONEscapingTests {
    /// The escaping is `JSONEncoder`'s without slash escaping (and `JSON.stringify`'s): compared on every control
    /// character and on random texts that mix them with quotes, backslashes, slashes and non-ASCII characters.
    @Test func escapesAsJSONEncoderDoes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var texts = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        let pieces = ["\"", "\\", "/", "a", "é", "日本", "👍🏽", "\u{7F}", "\u{2028}", "\n", "\u{01}", " "]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            texts.append((0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement()! }.joined())
        }
        for text in texts {
            let expected = String(decoding: try encoder.encode(text), as: UTF8.self)
            #expect(JSONEscaping.quoted(text) == expected, "\(Array(text.unicodeScalars))")
        }
    }

    @Test func appendsToWhatIsThere() {
        var bytes = Array("[".utf8)
        JSONEscaping.appendQuoted("a\"b", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"["a\"b""#)
    }
}
