import APIRuntime
import Foundation
import Generated

extension MessagingService {
    /// Opens (or reopens) a contract's dispute and announces it in the dispute conversation.
    public func openDispute(contractId: String, _ request: OpenDisputeRequest) async throws -> Dispute {
        guard request.reason.contains(where: { !$0.isWhitespace }) else {
            throw APIError.validationFailed([FieldProblem(field: "reason", message: "must not be blank")])
        }
        let change = try await database {
            try await store.openDispute(contractId: contractId, mediatorId: request.mediatorId, reason: request.reason)
        }
        await announce(change.notices)
        return change.dispute
    }

    /// Closes a contract's dispute; its conversation becomes read-only.
    public func closeDispute(contractId: String, _ request: CloseDisputeRequest) async throws -> Dispute {
        guard
            let change = try await database({
                try await store.closeDispute(contractId: contractId, resolution: request.resolution ?? nil)
            })
        else { throw APIError.notFound("The contract has no dispute") }
        await announce(change.notices)
        return change.dispute
    }

    public func dispute(contractId: String) async throws -> Dispute {
        guard let dispute = try await database({ try await store.dispute(contractId: contractId) }) else {
            throw APIError.notFound("The contract has no dispute")
        }
        return dispute
    }

    /// One page of a conversation's transcript, for the marketplace (the caller holds the service key).
    public func export(_ conversationId: String, after: String?, limit: Int) async throws -> ConversationExport {
        guard let id = UUID(parsing: conversationId),
            let export = try await database({
                try await store.export(conversation: id, after: after.flatMap(UUID.init(parsing:)), limit: limit)
            })
        else { throw APIError.notFound("Conversation not found") }
        return export
    }

    /// The same page as plain text.
    public func exportText(_ conversationId: String, after: String?, limit: Int) async throws -> String {
        TranscriptText.render(try await export(conversationId, after: after, limit: limit))
    }

    private func announce(_ notices: [MessageStore.SystemNotice]) async {
        for notice in notices {
            ServiceMetrics.messagePersisted()
            await events.messageSent(notice.message, participants: notice.participants)
        }
    }
}
