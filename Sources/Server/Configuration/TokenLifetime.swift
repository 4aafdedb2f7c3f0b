import Foundation

/// Token lifetimes written as jsonwebtoken's `expiresIn` accepts them (the `ms` forms): `7d`, `12h`, `30m`, `45s`,
/// `2.5 hrs`, `1 week`, `500ms`, and plain numbers, which are seconds.
enum TokenLifetime {
    /// The lifetime in whole seconds (a fraction is dropped), or nil when the text is not one of the forms or is
    /// under a second.
    static func seconds(parsing text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let numberEnd =
            trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let (numberText, unitText) = (trimmed[..<numberEnd], trimmed[numberEnd...].trimmingCharacters(in: .whitespaces))
        guard !numberText.isEmpty, numberText.filter({ $0 == "." }).count <= 1, numberText.last != ".",
            let number = Double(numberText), let unit = unitSeconds[unitText]
        else { return nil }
        let seconds = number * unit
        guard seconds >= 1, seconds < Double(Int32.max) * 100 else { return nil }
        return Int(seconds)
    }

    /// Seconds per unit; the empty unit is seconds (an environment variable is always text, so a bare number there
    /// means what jsonwebtoken's numeric `expiresIn` means).
    private static let unitSeconds: [String: Double] = {
        var table: [String: Double] = ["": 1]
        let units: [(names: [String], seconds: Double)] = [
            (["ms", "msec", "msecs", "millisecond", "milliseconds"], 0.001),
            (["s", "sec", "secs", "second", "seconds"], 1),
            (["m", "min", "mins", "minute", "minutes"], 60),
            (["h", "hr", "hrs", "hour", "hours"], 3600),
            (["d", "day", "days"], 86400),
            (["w", "week", "weeks"], 604_800),
            (["y", "yr", "yrs", "year", "years"], 31_557_600),
        ]
        for unit in units { for name in unit.names { table[name] = unit.seconds } }
        return table
    }()
}
