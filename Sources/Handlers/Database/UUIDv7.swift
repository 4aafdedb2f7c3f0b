import Foundation
import Synchronization

/// Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. Ids minted in one
/// process are strictly increasing, so they order messages and serve as cursors; the B-tree stays append-mostly.
public enum UUIDv7 {
    private static let last = Mutex<(milliseconds: UInt64, counter: UInt16)>((0, 0))

    public static func make(now: Date = Date()) -> UUID {
        var milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let counter: UInt16 = last.withLock { last in
            if milliseconds <= last.milliseconds {
                // Same (or an earlier) millisecond: keep ordering with a 12-bit counter, borrowing the next ms.
                milliseconds = last.milliseconds
                if last.counter >= 0x0FFF {
                    milliseconds += 1
                    last = (milliseconds, 0)
                } else {
                    last.counter += 1
                }
            } else {
                last = (milliseconds, UInt16.random(in: 0..<0x0400))
            }
            return last.counter
        }
        // One draw from the system generator (a `getrandom` call) for the 62 random bits.
        var generator = SystemRandomNumberGenerator()
        let random: UInt64 = generator.next()
        func time(_ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        func tail(_ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: random >> (8 * index)) }
        return UUID(
            uuid: (
                time(0), time(1), time(2), time(3), time(4), time(5),
                0x70 | UInt8((counter >> 8) & 0x0F), UInt8(truncatingIfNeeded: counter),
                0x80 | (tail(0) & 0x3F), tail(1), tail(2), tail(3), tail(4), tail(5), tail(6), tail(7)
            )
        )
    }
}

extension UUID {
    /// Reads the 36-character text form (`8-4-4-4-12` hexadecimal digits, either case), as `UUID(uuidString:)`
    /// does, without going through `sscanf` (every event and request that names a conversation parses its id).
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

    /// The lowercase text form used on the wire (Foundation's `uuidString` is uppercase and formats through
    /// `snprintf`; a history page formats a hundred ids, so this writes the 36 bytes directly).
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
