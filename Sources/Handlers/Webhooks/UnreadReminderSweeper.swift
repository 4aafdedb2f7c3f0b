import Logging
import Metrics
import ServiceLifecycle

/// Writes `message.unread_reminder` events (`MessageStore.writeUnreadReminders`) and removes delivered and dead
/// events past their retention. It runs on every node with webhooks; one sweeps at a time (an advisory lock), the
/// others skip that turn. A reminder is written within a quarter of `UNREAD_REMINDER_S` (at most 30 s) of being due.
public final class UnreadReminderSweeper: Service, Sendable {
    let store: MessageStore
    let settings: WebhookSettings
    let logger: Logger
    /// Reminders written per statement.
    static let batch = 1_000
    private let reminders = Counter(label: "messaging_webhook_unread_reminders_total")

    public init(store: MessageStore, settings: WebhookSettings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    var interval: Duration {
        guard let delay = settings.unreadReminder else { return .seconds(30) }
        return min(max(delay / 4, .seconds(1)), .seconds(30))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.store.waitUntilMigrated() }
        var sincePurge = Duration.seconds(600)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            do {
                if let delay = settings.unreadReminder {
                    while true {
                        let written = try await store.writeUnreadReminders(after: delay, limit: Self.batch)
                        if written > 0 { reminders.increment(by: Int64(written)) }
                        if written < Self.batch { break }
                    }
                }
                sincePurge += interval
                if sincePurge >= .seconds(600) {
                    sincePurge = .zero
                    while try await store.purgeWebhookEvents(finishedBefore: settings.retention) > 0 {}
                }
            } catch {
                logger.warning(
                    "Sweeping unread reminders failed; trying again at the next turn",
                    metadata: ["error": "\(String(reflecting: type(of: error)))"]
                )
            }
        }
    }
}
