import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    func upsertUser(id: String, _ user: UpsertUserRequest) async throws -> UserSummary {
        let logger = logger
        try await write { connection in
            _ = try await connection.query(
                """
                INSERT INTO users (id, first_name, last_name, avatar) VALUES (\(id), \(user.firstName), \(user.lastName), \(user.avatar))
                ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
                    avatar = excluded.avatar, updated_at = now()
                """,
                logger: logger
            )
        }
        return UserSummary(id: id, firstName: user.firstName, lastName: user.lastName, avatar: user.avatar)
    }

    enum ContractUpsert {
        /// Stored, with the system messages the change wrote (their events are the caller's to emit).
        case stored(Contract, notices: [SystemNotice])
        case unknownUsers([String])
        case partiesChanged
    }

    /// Creates or updates a contract and adds or renames its milestones, in one transaction. Of two concurrent
    /// creations of one contract with different parties, the first to commit is stored and the other is told
    /// `partiesChanged`: its insert waits for the first and then finds other parties.
    func upsertContract(id: String, _ contract: UpsertContractRequest) async throws -> ContractUpsert {
        let logger = logger
        return try await writeTransaction { connection in
            let missing = try await Self.missingUsers(
                [contract.clientId, contract.freelancerId],
                on: connection,
                logger
            )
            if !missing.isEmpty { return .unknownUsers(missing) }
            guard let previous = try await Self.lockContract(id, parties: contract, on: connection, logger) else {
                return .partiesChanged
            }
            guard try await Self.writeContract(id, contract, on: connection, logger) else { return .partiesChanged }
            let stored = try await Self.storedContract(id, parties: contract, on: connection, logger)
            // Each milestone the contract did not have, once (a request may name one twice).
            var seen = previous.milestones
            let added = (contract.milestones ?? []).compactMap { milestone -> (id: String, title: String?)? in
                guard seen.insert(milestone.id).inserted else { return nil }
                return (milestone.id, stored.milestones.first { $0.id == milestone.id }?.title ?? milestone.title)
            }
            let texts = Self.contractNotices(
                previousStatus: previous.status,
                status: stored.status.rawValue,
                newMilestones: added
            )
            let notices = try await writeContractNotices(
                contractId: id,
                statusText: texts.statusText,
                milestoneTexts: previous.status == nil ? [] : texts.milestoneTexts,
                on: connection
            )
            return .stored(stored, notices: notices)
        }
    }

    /// The ones of `users` that are not stored.
    private static func missingUsers(
        _ users: [String],
        on connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> [String] {
        let known = try await connection.query("SELECT id FROM users WHERE id = ANY(\(users))", logger: logger)
        var found = Set<String>()
        for try await user in known.decode(String.self) { found.insert(user) }
        return users.filter { !found.contains($0) }
    }

    /// What the contract was before this change (nil status and no milestones when it is new), its row locked
    /// until the commit; nil when it is stored with other parties.
    private static func lockContract(
        _ id: String,
        parties contract: UpsertContractRequest,
        on connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> (status: String?, milestones: Set<String>)? {
        let existing = try await connection.query(
            "SELECT client_id, freelancer_id, status FROM contracts WHERE id = \(id) FOR UPDATE",
            logger: logger
        )
        var status: String?
        for try await (clientId, freelancerId, stored) in existing.decode((String, String, String).self) {
            if clientId != contract.clientId || freelancerId != contract.freelancerId { return nil }
            status = stored
        }
        var milestones = Set<String>()
        let rows = try await connection.query("SELECT id FROM milestones WHERE contract_id = \(id)", logger: logger)
        for try await milestone in rows.decode(String.self) { milestones.insert(milestone) }
        return (status, milestones)
    }

    /// Inserts or updates the contract and its milestones; false when a concurrent creation stored it with other
    /// parties first.
    private static func writeContract(
        _ id: String,
        _ contract: UpsertContractRequest,
        on connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Bool {
        let status = contract.status?.rawValue
        let upserted = try await connection.query(
            """
            INSERT INTO contracts (id, client_id, freelancer_id, title, status)
            VALUES (\(id), \(contract.clientId), \(contract.freelancerId), \(contract.title), coalesce(\(status), 'active'))
            ON CONFLICT (id) DO UPDATE SET title = coalesce(excluded.title, contracts.title),
                status = coalesce(\(status), contracts.status), updated_at = now()
            WHERE contracts.client_id = excluded.client_id AND contracts.freelancer_id = excluded.freelancer_id
            RETURNING id
            """,
            logger: logger
        )
        var written = false
        for try await _ in upserted.decode(String.self) { written = true }
        guard written else { return false }
        for milestone in contract.milestones ?? [] {
            _ = try await connection.query(
                """
                INSERT INTO milestones (contract_id, id, title) VALUES (\(id), \(milestone.id), \(milestone.title))
                ON CONFLICT (contract_id, id) DO UPDATE SET title = coalesce(excluded.title, milestones.title)
                """,
                logger: logger
            )
        }
        return true
    }

    /// The contract as stored after the change.
    private static func storedContract(
        _ id: String,
        parties contract: UpsertContractRequest,
        on connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Contract {
        let stored = try await connection.query("SELECT title, status FROM contracts WHERE id = \(id)", logger: logger)
        var title: String?
        var status = "active"
        for try await (storedTitle, storedStatus) in stored.decode((String?, String).self) {
            title = storedTitle
            status = storedStatus
        }
        var milestones: [Milestone] = []
        let rows = try await connection.query(
            "SELECT id, title FROM milestones WHERE contract_id = \(id) ORDER BY id",
            logger: logger
        )
        for try await (milestoneId, milestoneTitle) in rows.decode((String, String?).self) {
            milestones.append(Milestone(id: milestoneId, title: milestoneTitle))
        }
        return Contract(
            id: id,
            clientId: contract.clientId,
            freelancerId: contract.freelancerId,
            title: title,
            status: ContractStatus(rawValue: status) ?? .active,
            milestones: milestones
        )
    }
}
