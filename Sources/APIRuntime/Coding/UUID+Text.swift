import Foundation

/// The text form of UUIDs on the wire, read and written without Foundation's `sscanf`/`snprintf` paths: every event
/// and request that names a conversation parses its id, and a history page writes a hundred of them.
extension UUID {
    /// Reads the 36-character text form (`8-4-4-4-12` hexadecimal digits, either case), as `UUID(uuidString:)`
    /// does.
    public init?(parsing text: String) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
            var utf8 = text.utf8.makeIterator()
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard utf8.next() == UInt8(ascii: "-") else { return false }
                }
                guard let high = utf8.next().flatMap(Self.hexValue), let low = utf8.next().flatMap(Self.hexValue)
                else { return false }
                output[index] = high << 4 | low
            }
            return utf8.next() == nil
        }
        guard valid else { return nil }
        self.init(uuid: bytes)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The lowercase text form used on the wire (Foundation's `uuidString` is uppercase).
    public var lowercased: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                let digits: StaticString = "0123456789abcdef"
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let byte = Int(bytes[index])
                    text[position] = digits.utf8Start[byte >> 4]
                    text[position + 1] = digits.utf8Start[byte & 0x0F]
                    position += 2
                }
                return position
            }
        }
    }
}
