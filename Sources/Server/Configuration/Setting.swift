import APIRuntime
import Configuration

/// A bad or missing setting; its description is one line naming the variable.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String
}

/// One setting of the server, declared once: its name (the environment variable, and the key in the `.env` file),
/// its default, what it means, and how its text becomes a value. `Settings` lists them all; the configuration reads
/// through them and the README's table is printed from them (`messaging-server settings --markdown`).
struct Setting<Value: Sendable>: Sendable {
    /// The variable's name, and older names read when it is unset (the first alias that is set wins).
    let name: String
    var aliases: [String] = []
    /// The value when the variable is unset or empty.
    let defaultValue: Value
    /// The default as the README shows it.
    let defaultText: String
    /// What the setting does, one paragraph of Markdown.
    let meaning: String
    /// A secret's value is never echoed in an error and is redacted by the configuration reader.
    var isSecret = false
    /// What a valid value looks like, for the error message: "must be <expectation>, not '<text>'".
    let expectation: String
    /// The value of a text, nil when the text is not valid; a parser with a more precise complaint throws a
    /// `ConfigurationError` itself.
    let parse: @Sendable (String) throws -> Value?

    /// The value in `reader`, the default when it is unset or empty, or a `ConfigurationError` naming the variable.
    func read(from reader: ConfigReader) throws -> Value {
        for key in [name] + aliases {
            guard let text = reader.string(forKey: ConfigKey([key]), isSecret: isSecret), !text.isEmpty else {
                continue
            }
            guard let value = try parse(text) else {
                let shown = isSecret ? "" : ", not '\(text)'"
                throw ConfigurationError(description: "\(key) must be \(expectation)\(shown)")
            }
            return value
        }
        return defaultValue
    }

    /// The row of this setting in the README's table.
    var documentation: SettingDocumentation {
        SettingDocumentation(
            names: [name] + aliases,
            defaultText: defaultText,
            meaning: meaning,
            isSecret: isSecret
        )
    }
}

/// What the README's configuration table shows of a setting.
struct SettingDocumentation: Sendable {
    let names: [String]
    let defaultText: String
    let meaning: String
    let isSecret: Bool
}

// The kinds of value settings hold, each with its parser and its wording.
extension Setting where Value == Int {
    /// A whole number from 1 (or `minimum`) to `maximum`.
    static func count(
        _ name: String,
        default value: Int,
        in range: ClosedRange<Int> = 1...Int.max,
        aliases: [String] = [],
        _ meaning: String
    ) -> Setting {
        Setting(
            name: name,
            aliases: aliases,
            defaultValue: value,
            defaultText: "`\(value)`",
            meaning: meaning,
            expectation: range.upperBound == .max
                ? "a positive whole number" : "a whole number from \(range.lowerBound) to \(range.upperBound)",
            parse: { text in Int(text).flatMap { range.contains($0) ? $0 : nil } }
        )
    }
}

extension Setting where Value == Duration {
    /// A positive whole number of milliseconds (`unit` 0.001) or seconds (`unit` 1), by the variable's suffix.
    static func duration(_ name: String, default value: Duration, _ meaning: String) -> Setting {
        let inMilliseconds = name.hasSuffix("_MS")
        let scale: Int64 = inMilliseconds ? 1 : 1_000
        return Setting(
            name: name,
            defaultValue: value,
            defaultText: "`\(value.wholeMilliseconds / scale)`",
            meaning: meaning,
            expectation: inMilliseconds
                ? "a positive whole number of milliseconds" : "a positive whole number of seconds",
            parse: { text in
                guard let number = Int64(text), number > 0, number <= Int64(Int32.max) else { return nil }
                return inMilliseconds ? .milliseconds(number) : .seconds(number)
            }
        )
    }
}

extension Setting where Value == String? {
    /// Any text; unset means nil.
    static func text(
        _ name: String,
        unset: String,
        secret: Bool = false,
        expectation: String = "a text",
        _ meaning: String,
        valid: @escaping @Sendable (String) -> Bool = { _ in true }
    ) -> Setting {
        Setting(
            name: name,
            defaultValue: nil,
            defaultText: unset,
            meaning: meaning,
            isSecret: secret,
            expectation: expectation,
            parse: { text -> String?? in
                guard valid(text) else { return .none }
                return .some(text)
            }
        )
    }
}

extension Setting where Value == String {
    /// Any text, with a default.
    static func text(_ name: String, default value: String, _ meaning: String) -> Setting {
        Setting(
            name: name,
            defaultValue: value,
            defaultText: "`\(value)`",
            meaning: meaning,
            expectation: "a text",
            parse: { $0 }
        )
    }
}

extension Setting where Value == [String] {
    /// A comma-separated list; blanks around items are dropped, and so are empty items.
    static func list(_ name: String, unset: String, _ meaning: String) -> Setting {
        Setting(
            name: name,
            defaultValue: [],
            defaultText: unset,
            meaning: meaning,
            expectation: "a comma-separated list",
            parse: { text in
                text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
        )
    }
}

extension Setting where Value == Bool {
    /// `true`, `1` or `yes` turn it on; `false`, `0` or `no` off.
    static func flag(_ name: String, _ meaning: String) -> Setting {
        Setting(
            name: name,
            defaultValue: false,
            defaultText: "off",
            meaning: meaning,
            expectation: "true or false",
            parse: { text in
                switch text.lowercased() {
                case "1", "true", "yes", "on": true
                case "0", "false", "no", "off": false
                default: nil
                }
            }
        )
    }
}

extension Setting where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of the enumeration's names, in any case.
    static func choice(_ name: String, default value: Value, _ meaning: String) -> Setting {
        let names = Value.allCases.map(\.rawValue)
        let expectation =
            names.count == 2
            ? "\(names[0]) or \(names[1])"
            : "one of " + names.dropLast().joined(separator: ", ") + " or " + names.last!
        return Setting(
            name: name,
            defaultValue: value,
            defaultText: "`\(value.rawValue)`",
            meaning: meaning,
            expectation: expectation,
            parse: { Value(rawValue: $0.lowercased()) }
        )
    }
}
