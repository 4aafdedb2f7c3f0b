import Logging

/// Installs the process's log handler once, before anything logs: text (swift-log's stream handler) or JSON lines,
/// at the configured level for every logger, including the task-local default.
enum LoggingSetup {
    /// - Parameters:
    ///   - format: text or one JSON object per line.
    ///   - level: the level of every logger.
    ///   - metadataProvider: metadata added to every line, such as the current span's ids.
    static func bootstrap(
        format: ServerConfiguration.LogFormat,
        level: Logger.Level,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, level: level, metadataProvider: metadataProvider)
            case .text:
                var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: metadataProvider)
                handler.logLevel = level
                return handler
            }
        }
    }
}
