import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// What opening or closing a dispute did: the dispute as stored, and the system messages it wrote (their events
    /// are the caller's to emit).
    struct DisputeChange: Sendable {
        var dispute: Dispute
        var notices: [SystemNotice]
    }

    /// Opens a contract's dispute, or reopens it when closed, in one transaction under the contract's row lock (so
    /// two calls at once do one after the other). Creates the dispute conversation with the client, the freelancer
    /// and the mediator the first time.
    func openDispute(contractId: String, mediatorId: String, reason: String) async throws -> DisputeChange {
        let logger = logger
        return try await writeTransaction { connection in
            let parties = try await connection.query(
                "SELECT client_id, freelancer_id FROM contracts WHERE id = \(contractId) FOR UPDATE",
                logger: logger
            )
            var contract: (client: String, freelancer: String)?
            for try await row in parties.decode((String, String).self) { contract = row }
            guard let contract else { throw APIError.notFound("Contract not found") }
            guard mediatorId != contract.client, mediatorId != contract.freelancer else {
                throw APIError.conflict("The mediator must be neither the contract's client nor its freelancer")
            }
            let mediator = try await userName(mediatorId, on: connection)
            guard let mediator else { throw APIError.notFound("Unknown user: \(mediatorId); provision them first") }
            var notices: [SystemNotice] = []
            if let existing = try await storedDispute(contractId, on: connection) {
                guard existing.mediatorId == mediatorId else {
                    throw APIError.conflict("The contract's dispute has another mediator (\(existing.mediatorId))")
                }
                guard existing.status == .closed else { return DisputeChange(dispute: existing, notices: []) }
                let conversation = try UUID(parsing: existing.conversationId).orThrow(StoreError.rowMissing)
                _ = try await connection.query(
                    "UPDATE conversations SET closed_at = NULL WHERE id = \(conversation)",
                    logger: logger
                )
                _ = try await connection.query(
                    """
                    UPDATE disputes SET reason = \(reason), opened_at = now(), resolution = NULL
                    WHERE contract_id = \(contractId)
                    """,
                    logger: logger
                )
                notices.append(
                    try await writeSystemMessage(
                        "The dispute was reopened. Reason: \(reason)",
                        conversation: conversation,
                        on: connection
                    )
                )
            } else {
                let conversation = UUIDv7.make()
                _ = try await connection.query(
                    """
                    WITH created AS (
                        INSERT INTO conversations (id, contract_id, milestone_id, kind)
                        VALUES (\(conversation), \(contractId), NULL, 'dispute')
                        RETURNING id
                    ), members AS (
                        INSERT INTO conversation_participants (conversation_id, user_id, role)
                        SELECT created.id, member.user_id, member.role FROM created,
                            (VALUES (\(contract.client), 'client'), (\(contract.freelancer), 'freelancer'),
                                    (\(mediatorId), 'mediator')) AS member (user_id, role)
                    )
                    INSERT INTO disputes (contract_id, conversation_id, mediator_id, reason)
                    SELECT \(contractId), created.id, \(mediatorId), \(reason) FROM created
                    """,
                    logger: logger
                )
                notices.append(
                    try await writeSystemMessage(
                        "\(mediator) joined this conversation as the mediator of the dispute. Reason: \(reason)",
                        conversation: conversation,
                        on: connection
                    )
                )
            }
            pendingSearch.added()
            let stored = try await storedDispute(contractId, on: connection)
            return DisputeChange(dispute: try stored.orThrow(StoreError.rowMissing), notices: notices)
        }
    }

    /// Closes a contract's dispute with a system message; nil when the contract has no dispute. A closed dispute
    /// stays as it is.
    func closeDispute(contractId: String, resolution: String?) async throws -> DisputeChange? {
        let logger = logger
        return try await writeTransaction { connection in
            _ = try await connection.query(
                "SELECT 1 FROM contracts WHERE id = \(contractId) FOR UPDATE",
                logger: logger
            )
            guard let existing = try await storedDispute(contractId, on: connection) else { return nil }
            guard existing.status == .open else { return DisputeChange(dispute: existing, notices: []) }
            let conversation = try UUID(parsing: existing.conversationId).orThrow(StoreError.rowMissing)
            let text = resolution.map { "The dispute was closed. Resolution: \($0)" } ?? "The dispute was closed."
            let notice = try await writeSystemMessage(text, conversation: conversation, on: connection)
            _ = try await connection.query(
                "UPDATE conversations SET closed_at = now() WHERE id = \(conversation)",
                logger: logger
            )
            _ = try await connection.query(
                "UPDATE disputes SET resolution = \(resolution) WHERE contract_id = \(contractId)",
                logger: logger
            )
            pendingSearch.added()
            let stored = try await storedDispute(contractId, on: connection)
            return DisputeChange(dispute: try stored.orThrow(StoreError.rowMissing), notices: [notice])
        }
    }

    /// The contract's dispute, open or closed; nil when it has none.
    func dispute(contractId: String) async throws -> Dispute? {
        try await client.withConnection { connection in try await storedDispute(contractId, on: connection) }
    }

    /// Access to a conversation for the mediator of an open dispute of its contract (read-only: the conversation
    /// is not theirs); nil for anyone else, and for the dispute conversation itself (its participants' own).
    func mediatedAccess(conversation id: UUID, for userId: String) async throws -> Access? {
        let rows = try await client.query(
            """
            SELECT c.contract_id, c.milestone_id,
                   array(SELECT p.user_id FROM conversation_participants p WHERE p.conversation_id = c.id ORDER BY p.role)
            FROM conversations c
            JOIN disputes d ON d.contract_id = c.contract_id AND d.mediator_id = \(userId) AND d.conversation_id <> c.id
            JOIN conversations dc ON dc.id = d.conversation_id AND dc.closed_at IS NULL
            WHERE c.id = \(id)
            """,
            logger: logger
        )
        for try await (contract, milestone, participants) in rows.decode((String, String?, [String]).self) {
            return Access(
                conversationId: id,
                contractId: contract,
                milestoneId: milestone,
                write: WriteState(writable: false, isDispute: false),
                participants: participants
            )
        }
        return nil
    }

    /// Whether the viewer is the mediator of an open dispute of the conversation's contract: SQL over
    /// `conversations c`, with the viewer in the bind parameter `viewerParameter` (such as `$2`).
    static func mediatesCondition(viewerParameter: String) -> String {
        """
        EXISTS (SELECT 1 FROM disputes d JOIN conversations dc ON dc.id = d.conversation_id
                WHERE d.contract_id = c.contract_id AND d.mediator_id = \(viewerParameter) AND dc.closed_at IS NULL)
        """
    }

    private func userName(_ id: String, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query(
            "SELECT first_name, last_name FROM users WHERE id = \(id)",
            logger: logger
        )
        for try await (first, last) in rows.decode((String, String).self) {
            return last.isEmpty ? first : "\(first) \(last)"
        }
        return nil
    }

    private func storedDispute(_ contractId: String, on connection: PostgresConnection) async throws -> Dispute? {
        let rows = try await connection.query(
            """
            SELECT d.conversation_id, d.mediator_id, d.reason, d.opened_at, c.closed_at, d.resolution,
                   array(SELECT o.id FROM conversations o
                         WHERE o.contract_id = d.contract_id AND o.id <> d.conversation_id ORDER BY o.id)
            FROM disputes d JOIN conversations c ON c.id = d.conversation_id
            WHERE d.contract_id = \(contractId)
            """,
            logger: logger
        )
        for try await (conversation, mediator, reason, openedAt, closedAt, resolution, others) in rows.decode(
            (UUID, String, String, Date, Date?, String?, [UUID]).self
        ) {
            return Dispute(
                contractId: contractId,
                conversationId: conversation.lowercased,
                mediatorId: mediator,
                reason: reason,
                status: closedAt == nil ? .open : .closed,
                openedAt: openedAt,
                closedAt: closedAt,
                resolution: resolution,
                evidenceConversationIds: others.map(\.lowercased)
            )
        }
        return nil
    }
}

extension Optional {
    /// The value, or `error` when there is none.
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
