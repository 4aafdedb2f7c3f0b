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

    /// The smallest version-7 id of the millisecond `time`: every id minted at or after it is not below it, and
    /// every id minted before it is below it (as UUIDs and in their lowercase text).
    public static func earliest(at time: Date) -> UUID {
        let milliseconds = UInt64(max(0, time.timeIntervalSince1970 * 1000))
        func byte(_ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        return UUID(
            uuid: (byte(0), byte(1), byte(2), byte(3), byte(4), byte(5), 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0)
        )
    }
}
