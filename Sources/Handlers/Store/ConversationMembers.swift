import Foundation
import Synchronization

/// The parties of conversations this node has seen, so a send checks its sender without a database round trip.
/// A conversation's contract and participants never change once it exists (provisioning refuses changed parties),
/// so an entry stays true for as long as it is kept. Whether the contract is still active is not kept: the insert
/// statement checks it, under the conversation's lock.
final class ConversationMembers: Sendable {
    struct Entry: Sendable {
        var contractId: String
        var milestoneId: String?
        var isDispute: Bool
        var participants: [String]
    }

    /// Entries kept at most; when full, the table starts over (a miss costs one query).
    static let capacity = 100_000

    private let entries = Mutex<[UUID: Entry]>([:])

    func entry(for conversation: UUID) -> Entry? {
        entries.withLock { $0[conversation] }
    }

    func remember(_ entry: Entry, for conversation: UUID) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[conversation] = entry
        }
    }
}
