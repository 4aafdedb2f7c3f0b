import Foundation
import Handlers
import Synchronization

/// Tokens that passed every check, with the user id and expiry they carry. A REST client sends the same token with
/// each request, and checking its signature and decoding its claims every time was a visible part of a history
/// request's CPU (optimisation record, step 21). Only verified tokens are kept (nobody can fill the table without the secret), a kept token still stops
/// working at its `exp`, and the table is bounded: when it is full, an eighth of it is dropped.
final class VerifiedTokens: Sendable {
    struct Entry: Sendable {
        var userId: String
        var expires: Date
    }

    /// Tokens kept at most.
    let capacity: Int
    /// Longer tokens are verified every time rather than kept.
    static let maxTokenBytes = 2048

    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int = 10_000) {
        precondition(capacity >= 8, "a table of verified tokens holds at least 8")
        self.capacity = capacity
    }

    /// The user of a token verified before and not yet expired at `now`; nil means verify it (again).
    func userId(for token: String, now: Date = Date()) -> String? {
        identity(for: token, now: now)?.userId
    }

    func identity(for token: String, now: Date = Date()) -> TokenIdentity? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries.removeValue(forKey: token)
                return nil
            }
            return TokenIdentity(userId: entry.userId, expiresAt: entry.expires)
        }
    }

    func remember(_ token: String, userId: String, expires: Date) {
        guard token.utf8.count <= Self.maxTokenBytes else { return }
        entries.withLock { entries in
            if entries.count >= capacity, entries[token] == nil {
                // Dictionary order has nothing to do with age or use: this drops an arbitrary eighth.
                for key in Array(entries.keys.prefix(capacity / 8)) { entries.removeValue(forKey: key) }
            }
            entries[token] = Entry(userId: userId, expires: expires)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
