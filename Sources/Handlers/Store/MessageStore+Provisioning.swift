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
            let known = try await connection.query(
                "SELECT id FROM users WHERE id = ANY(\([contract.clientId, contract.freelancerId]))",
                logger: logger
            )
            var found = Set<String>()
            for try await user in known.decode(String.self) { found.insert(user) }
            let missing = [contract.clientId, contract.freelancerId].filter { !found.contains($0) }
            if !missing.isEmpty { return .unknownUsers(missing) }
            let existing = try await connection.query(
                "SELECT client_id, freelancer_id, status FROM contracts WHERE id = \(id) FOR UPDATE",
                logger: logger
            )
            var previousStatus: String?
            for try await (clientId, freelancerId, status) in existing.decode((String, String, String).self) {
                if clientId != contract.clientId || freelancerId != contract.freelancerId { return .partiesChanged }
                previousStatus = status
            }
            var knownMilestones = Set<String>()
            let milestoneIds = try await connection.query(
                "SELECT id FROM milestones WHERE contract_id = \(id)",
                logger: logger
            )
            for try await milestone in milestoneIds.decode(String.self) { knownMilestones.insert(milestone) }
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
            if !written { return .partiesChanged }
            for milestone in contract.milestones ?? [] {
                _ = try await connection.query(
                    """
                    INSERT INTO milestones (contract_id, id, title) VALUES (\(id), \(milestone.id), \(milestone.title))
                    ON CONFLICT (contract_id, id) DO UPDATE SET title = coalesce(excluded.title, milestones.title)
                    """,
                    logger: logger
                )
            }
            let stored = try await connection.query(
                "SELECT title, status FROM contracts WHERE id = \(id)",
                logger: logger
            )
            var title: String?
            var storedStatus = "active"
            for try await (t, s) in stored.decode((String?, String).self) {
                title = t
                storedStatus = s
            }
            var milestones: [Milestone] = []
            let milestoneRows = try await connection.query(
                "SELECT id, title FROM milestones WHERE contract_id = \(id) ORDER BY id",
                logger: logger
            )
            for try await (milestoneId, milestoneTitle) in milestoneRows.decode((String, String?).self) {
                milestones.append(Milestone(id: milestoneId, title: milestoneTitle))
            }
            var added: [(id: String, title: String?)] = []
            for milestone in contract.milestones ?? [] where !knownMilestones.contains(milestone.id) {
                knownMilestones.insert(milestone.id)
                added.append((milestone.id, milestones.first { $0.id == milestone.id }?.title ?? milestone.title))
            }
            let texts = Self.contractNotices(previousStatus: previousStatus, status: storedStatus, newMilestones: added)
            let notices = try await writeContractNotices(
                contractId: id,
                statusText: texts.statusText,
                milestoneTexts: previousStatus == nil ? [] : texts.milestoneTexts,
                on: connection
            )
            let result = Contract(
                id: id,
                clientId: contract.clientId,
                freelancerId: contract.freelancerId,
                title: title,
                status: ContractStatus(rawValue: storedStatus) ?? .active,
                milestones: milestones
            )
            return .stored(result, notices: notices)
        }
    }
}
