import Foundation
import Testing

@testable import APIRuntime

struct DateFormattingTests {
    /// The fast formatter writes exactly what Foundation's ISO 8601 style writes, for dates at microsecond
    /// precision (what PostgreSQL stores) across centuries, and at the edges of a second.
    @Test
    func formatDateMatchesFoundationsISO8601Style() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var generator = SystemRandomNumberGenerator()
        var intervals: [TimeInterval] = [0, 0.0005, 0.999, 0.9999, 59.999999, 951_782_400, 4_102_444_799.999999]
        for _ in 0..<2_000 {
            let microseconds = Int64.random(in: 0...4_102_444_800_000_000, using: &generator)
            intervals.append(TimeInterval(microseconds) / 1_000_000)
        }
        for interval in intervals {
            let date = Date(timeIntervalSince1970: interval)
            #expect(JSONCoding.formatDate(date) == date.formatted(style), "\(interval)")
        }
    }

    @Test
    func formattedDatesParseBackToTheSameMillisecond() throws {
        let date = Date(timeIntervalSince1970: 1_764_410_400.123_456)
        let text = JSONCoding.formatDate(date)
        #expect(text == "2025-11-29T10:00:00.123Z")
        let parsed = try #require(JSONCoding.parseDate(text))
        #expect(abs(parsed.timeIntervalSince1970 - 1_764_410_400.123) < 0.000_001)
    }
}
