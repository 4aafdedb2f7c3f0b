import APIRuntime
import Foundation
import JSONEscaping
import Logging

/// Writes each log record as one JSON object per line: `ts`, `level`, `logger`, `message`, then the metadata
/// (handler, provider and call metadata merged, the call's winning). Values that are arrays or dictionaries stay
/// structured; everything else is a string.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let write: @Sendable (String) -> Void

    init(
        label: String,
        level: Logger.Level,
        metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var line = "{\"ts\":" + Self.quoted(Self.timestamp()) + ",\"level\":" + Self.quoted(event.level.rawValue)
        line += ",\"logger\":" + Self.quoted(label) + ",\"message\":" + Self.quoted(event.message.description)
        for key in merged.keys.sorted() where !["ts", "level", "logger", "message"].contains(key) {
            line += "," + Self.quoted(key) + ":" + Self.json(merged[key]!)
        }
        write(line + "}\n")
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values):
            "{" + values.keys.sorted().map { quoted($0) + ":" + json(values[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal, escaped as every JSON this server writes.
    static func quoted(_ text: String) -> String {
        JSONEscaping.quoted(text)
    }

    private static func timestamp() -> String {
        Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    @Sendable static func standardOutput(_ line: String) {
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}
