/// A cheap look at a text, byte by byte and without allocating, that clears most messages without the full scan:
/// a text can hold contact details only if it has a character outside ASCII (a disguise the fold undoes), an at
/// sign, a scheme (`://`), a dot inside a word or after a space (`example.com`, `gmail . com`), the word "dot", or
/// seven digits and spelled-out digits in all (a phone number has at least seven).
enum ContactPrescreen {
    static func mayHoldContactDetails(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(scan)
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = 0
        var previous: UInt8 = 0x20
        var wordStart = 0
        var wordLength = 0
        for index in 0...bytes.count {
            let byte = index < bytes.count ? bytes[index] : 0x20
            if isLetter(byte) {
                if wordLength == 0 { wordStart = index }
                wordLength += 1
                previous = byte
                continue
            }
            if wordLength > 0 {
                switch spelledWord(bytes, wordStart, wordLength) {
                case .dot: return true
                case .digit: digits += 1
                case nil: break
                }
                wordLength = 0
            }
            switch byte {
            case 0x80...: return true
            case UInt8(ascii: "@"): return true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."):
                let next = index + 1 < bytes.count ? bytes[index + 1] : 0x20
                if !isSpace(next) || isSpace(previous) { return true }
            case UInt8(ascii: ":"):
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/")
                {
                    return true
                }
            default: break
            }
            if digits >= 7 { return true }
            previous = byte
        }
        return false
    }

    private enum Spelled { case dot, digit }

    /// Whether the word of `length` letters at `start` is "dot" or a spelled-out digit (`ScanPass.digitWords`), in
    /// any case: its lower-cased bytes packed into an integer and compared with the words' (ASCII, big-endian).
    private static func spelledWord(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Spelled? {
        guard (3...5).contains(length) else { return nil }
        var packed: UInt64 = 0
        for offset in 0..<length { packed = packed << 8 | UInt64(bytes[start + offset] | 0x20) }
        switch packed {
        case 0x646f74: return .dot
        case 0x7a65726f, 0x6f6e65, 0x74776f, 0x7468726565, 0x666f7572, 0x66697665, 0x736978, 0x736576656e,
            0x6569676874, 0x6e696e65:
            return .digit  // zero, one, two, three, four, five, six, seven, eight, nine
        default: return nil
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
}
