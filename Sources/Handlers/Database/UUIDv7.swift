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
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8((milliseconds >> (8 * (5 - UInt64(index)))) & 0xFF) }
        bytes[6] = 0x70 | UInt8((counter >> 8) & 0x0F)
        bytes[7] = UInt8(counter & 0xFF)
        var random = SystemRandomNumberGenerator()
        for index in 8..<16 { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}

extension UUID {
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
