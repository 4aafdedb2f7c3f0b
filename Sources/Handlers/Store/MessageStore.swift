import Foundation
import Generated
import Logging
import PostgresNIO

/// Every SQL statement of the service. Values travel only as bind parameters (`PostgresQuery` interpolation).
public struct MessageStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// Sends go through one batcher per store, so concurrent sends share statements and commits.
    let inserts: InsertBatcher
    /// The parties of conversations seen before, for the send path.
    let members = ConversationMembers()
    /// Marked when messages were stored, for `SearchIndexer`.
    let pendingSearch: PendingSearch

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        let pendingSearch = PendingSearch()
        self.pendingSearch = pendingSearch
        self.inserts = InsertBatcher(client: client, pendingSearch: pendingSearch, logger: logger)
    }

    /// What the service needs to authorize an action on a conversation, seen from one user.
    struct Access: Sendable {
        var conversationId: UUID
        var contractId: String
        var milestoneId: String?
        var write: WriteState
        var participants: [String]
    }

    /// The conversation if `userId` takes part in it; nil otherwise (a foreign conversation looks missing).
    func access(conversation id: UUID, for userId: String) async throws -> Access? {
        let rows = try await client.execute(
            PreparedStatements.Access(conversationId: id, userId: userId),
            logger: logger
        )
        for try await (contractId, milestoneId, writable, isDispute, participants) in rows {
            return Access(
                conversationId: id,
                contractId: contractId,
                milestoneId: milestoneId,
                write: WriteState(writable: writable, isDispute: isDispute),
                participants: participants
            )
        }
        return nil
    }

    /// A send's access from memory, when this node has seen the conversation: the access for a participant, nil
    /// inside for anyone else, nil outside when the conversation is unknown here. It reads as writable: the insert
    /// statement refuses a conversation that no longer takes writes.
    func rememberedAccess(conversation id: UUID, for userId: String) -> Access?? {
        guard let entry = members.entry(for: id) else { return nil }
        guard entry.participants.contains(userId) else { return .some(nil) }
        return Access(
            conversationId: id,
            contractId: entry.contractId,
            milestoneId: entry.milestoneId,
            write: WriteState(writable: true, isDispute: entry.isDispute),
            participants: entry.participants
        )
    }

    /// Keeps a conversation's parties for later sends.
    func remember(_ access: Access) {
        members.remember(
            .init(
                contractId: access.contractId,
                milestoneId: access.milestoneId,
                isDispute: access.write.isDispute,
                participants: access.participants
            ),
            for: access.conversationId
        )
    }

    struct ContractParties: Sendable {
        var clientId: String
        var freelancerId: String
        var active: Bool
    }

    /// The contract's parties when `userId` is one of them and the milestone (if any) belongs to it.
    func contract(_ contractId: String, milestone: String?, for userId: String) async throws -> ContractParties? {
        let rows = try await client.query(
            """
            SELECT k.client_id, k.freelancer_id, k.status = 'active'
            FROM contracts k
            WHERE k.id = \(contractId) AND \(userId) IN (k.client_id, k.freelancer_id)
              AND (\(milestone)::text IS NULL
                   OR EXISTS (SELECT 1 FROM milestones m WHERE m.contract_id = k.id AND m.id = \(milestone)))
            """,
            logger: logger
        )
        for try await (clientId, freelancerId, active) in rows.decode((String, String, Bool).self) {
            return ContractParties(clientId: clientId, freelancerId: freelancerId, active: active)
        }
        return nil
    }

    /// The conversation of a contract (or milestone), created with its two participants when missing. When another
    /// call creates it at the same moment, this statement's insert waits for that one and then does nothing, and its
    /// snapshot, older than that commit, cannot see the new row: a second statement reads it.
    func ensureConversation(contractId: String, milestoneId: String?, parties: ContractParties) async throws -> UUID {
        let newId = UUIDv7.make()
        let logger = logger
        let created = try await write { connection in
            let rows = try await connection.query(
                """
                WITH created AS (
                    INSERT INTO conversations (id, contract_id, milestone_id) VALUES (\(newId), \(contractId), \(milestoneId))
                    ON CONFLICT (contract_id, milestone_id, kind) DO NOTHING
                    RETURNING id
                ), members AS (
                    INSERT INTO conversation_participants (conversation_id, user_id, role)
                    SELECT created.id, member.user_id, member.role FROM created,
                        (VALUES (\(parties.clientId), 'client'), (\(parties.freelancerId), 'freelancer')) AS member (user_id, role)
                    RETURNING conversation_id
                )
                SELECT id FROM created
                UNION ALL
                SELECT id FROM conversations
                WHERE contract_id = \(contractId) AND milestone_id IS NOT DISTINCT FROM \(milestoneId) AND kind = 'direct'
                LIMIT 1
                """,
                logger: logger
            )
            for try await id in rows.decode(UUID.self) { return Optional(id) }
            return nil
        }
        if let created { return created }
        let rows = try await client.query(
            """
            SELECT id FROM conversations
            WHERE contract_id = \(contractId) AND milestone_id IS NOT DISTINCT FROM \(milestoneId) AND kind = 'direct'
            """,
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        throw StoreError.conversationNotCreated
    }

    enum StoreError: Error {
        /// The conversation could not be created or found again.
        case conversationNotCreated
        /// A row the same call just wrote (or found by its idempotency key) could not be read back.
        case rowMissing
    }
}
