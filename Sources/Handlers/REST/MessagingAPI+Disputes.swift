import APIRuntime
import Generated
import Hummingbird

/// The dispute and transcript operations (service key).
extension MessagingAPI {
    public func openDispute(
        _ input: Operations.OpenDispute.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.OpenDispute.Output {
        let dispute = try await service.openDispute(contractId: input.path.contractId, input.body)
        return .ok(DisputeResponse(message: "Dispute open", data: dispute))
    }

    public func getDispute(
        _ input: Operations.GetDispute.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.GetDispute.Output {
        let dispute = try await service.dispute(contractId: input.path.contractId)
        return .ok(DisputeResponse(message: "Dispute retrieved", data: dispute))
    }

    public func closeDispute(
        _ input: Operations.CloseDispute.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.CloseDispute.Output {
        let dispute = try await service.closeDispute(contractId: input.path.contractId, input.body)
        return .ok(DisputeResponse(message: "Dispute closed", data: dispute))
    }

    public func exportConversation(
        _ input: Operations.ExportConversation.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ExportConversation.Output {
        let export = try await service.export(input.path.id, after: input.query.after, limit: input.query.limit)
        return .ok(ConversationExportResponse(message: "Transcript exported", data: export))
    }

    public func exportConversationText(
        _ input: Operations.ExportConversationText.Input,
        identity: String,
        context: Context
    ) async throws -> Operations.ExportConversationText.Output {
        .ok(try await service.exportText(input.path.id, after: input.query.after, limit: input.query.limit))
    }
}
