import APIRuntime

/// Whether a conversation takes writes (messages, edits, deletions, reactions), and which rule closed it when it
/// does not: a direct conversation while its contract is not active, a dispute conversation once it was closed.
struct WriteState: Sendable, Hashable {
    var writable: Bool
    var isDispute: Bool

    /// The condition under which a conversation takes writes, over `conversations c` joined to `contracts k`.
    static let condition = "(CASE WHEN c.kind = 'dispute' THEN c.closed_at IS NULL ELSE k.status = 'active' END)"

    /// The two columns of a write state as SQL over the same tables: writable, then whether a dispute.
    static let columns = condition + ", c.kind = 'dispute'"

    /// FORBIDDEN unless the conversation takes writes.
    func require() throws {
        guard writable else {
            throw isDispute
                ? APIError.forbidden("The dispute is closed; its conversation is read-only")
                : APIError.forbidden("The contract is no longer active; its conversations are read-only")
        }
    }
}
