import APIRuntime
import Foundation
import Generated

extension MessagingService {
    /// The webhook events in one delivery state, newest first (for the marketplace, which holds the service key).
    public func webhookEvents(state: WebhookState, limit: Int) async throws -> [WebhookDelivery] {
        try await database { try await store.webhookEvents(state: state, limit: limit) }
    }

    /// Sends an event again from its first attempt, keeping its id.
    public func replayWebhookEvent(_ eventId: String) async throws -> WebhookDelivery {
        guard let id = UUID(parsing: eventId),
            let event = try await database({ try await store.replayWebhookEvent(id) })
        else { throw APIError.notFound("Webhook event not found") }
        return event
    }
}
