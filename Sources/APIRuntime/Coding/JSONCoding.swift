import Foundation

/// The JSON encoding and decoder shared by REST bodies and socket payloads.
///
/// Keys are sorted so the same value always encodes to the same bytes. Dates travel as RFC 3339 strings in UTC with milliseconds (`2026-11-25T10:00:00.123Z`); both forms,
/// with and without fractional seconds, are accepted on input.
public enum JSONCoding {
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "must be an RFC 3339 date-time"
                )
            }
            return date
        }
        return decoder
    }()

    /// The JSON text of a value: generated types, the runtime's own and the standard ones write themselves
    /// (`JSONWritable`), with sorted keys, so the same value always gives the same bytes.
    public static func encode(_ value: some JSONWritable) -> Data {
        var writer = JSONWriter()
        value.writeJSON(to: &writer)
        return Data(writer.bytes)
    }

    /// RFC 3339 in UTC with milliseconds, truncated (`2026-11-25T10:00:00.123Z`), as
    /// `Date.ISO8601FormatStyle(includingFractionalSeconds: true)` writes it, without its formatting machinery:
    /// every message carries a date, and a page of history carries fifty.
    public static func formatDate(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let wholeSeconds = interval.rounded(.down)
        var seconds = time_t(wholeSeconds)
        let milliseconds = min(Int((interval - wholeSeconds) * 1000), 999)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func parseDate(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
