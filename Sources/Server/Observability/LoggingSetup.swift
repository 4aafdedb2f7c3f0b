import Logging

/// Installs the process's log handler once, before anything logs: text (swift-log's stream handler) or JSON lines,
/// at the configured level for every logger, including the task-local default.
enum LoggingSetup {
    static func bootstrap(format: ServerConfiguration.LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, level: level)
            case .text:
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
