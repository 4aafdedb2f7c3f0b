import APIRuntime
import Foundation
import Generated
import PostgresNIO

/// One emoji on a message and who gave it; each viewer sees it as a `Reaction` with `mine` of their own.
struct ReactionGroup: Sendable, Decodable, Equatable {
    var emoji: String
    var users: [String]

    func reaction(for viewer: String) -> Reaction {
        Reaction(emoji: emoji, count: users.count, mine: users.contains(viewer))
    }
}

extension [ReactionGroup] {
    func reactions(for viewer: String) -> [Reaction] { map { $0.reaction(for: viewer) } }
}

extension MessageStore {
    /// A message holds at most this many distinct emoji.
    static let maxDistinctReactions = 20

    /// The reactions of a message as JSON text, `[{emoji, users}]` in the order each emoji was first given, or null
    /// when it has none (then no lookup runs: `reaction_count` says so). `m` is the message's alias.
    static let reactionsColumn = """
        CASE WHEN m.reaction_count > 0 THEN (
            SELECT json_agg(json_build_object('emoji', g.emoji, 'users', g.users) ORDER BY g.first, g.emoji)::text
            FROM (SELECT r.emoji, array_agg(r.user_id ORDER BY r.user_id) AS users, min(r.created_at) AS first
                  FROM message_reactions r WHERE r.message_id = m.id GROUP BY r.emoji) g)
        END
        """

    /// Adds (`on`) or takes back the user's reaction; returns the message's reactions and whether they changed.
    /// Nil when the message is not in the conversation.
    func react(
        message id: UUID,
        conversation: UUID,
        by user: String,
        emoji: String,
        on: Bool
    ) async throws -> (reactions: [ReactionGroup], changed: Bool)? {
        let logger = logger
        return try await writeTransaction { connection in
            guard let target = try await lockForChange(message: id, conversation: conversation, on: connection) else {
                return nil
            }
            try target.write.require()
            guard target.deletedAt == nil else { throw APIError.conflict("The message was deleted") }
            var changed = false
            if on {
                let counts = try await connection.query(
                    """
                    SELECT count(DISTINCT emoji)::integer, coalesce(bool_or(emoji = \(emoji)), false)
                    FROM message_reactions WHERE message_id = \(id)
                    """,
                    logger: logger
                )
                for try await (distinct, present) in counts.decode((Int, Bool).self)
                where !present && distinct >= Self.maxDistinctReactions {
                    throw APIError.conflict("A message holds at most \(Self.maxDistinctReactions) distinct reactions")
                }
                let inserted = try await connection.query(
                    """
                    INSERT INTO message_reactions (message_id, emoji, user_id) VALUES (\(id), \(emoji), \(user))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """,
                    logger: logger
                )
                for try await _ in inserted { changed = true }
            } else {
                let deleted = try await connection.query(
                    """
                    DELETE FROM message_reactions WHERE message_id = \(id) AND emoji = \(emoji) AND user_id = \(user)
                    RETURNING 1
                    """,
                    logger: logger
                )
                for try await _ in deleted { changed = true }
            }
            if changed {
                _ = try await connection.query(
                    """
                    UPDATE messages SET reaction_count = reaction_count + \(on ? 1 : -1),
                                        change_seq = nextval('message_changes')
                    WHERE id = \(id)
                    """,
                    logger: logger
                )
            }
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.reactionsColumn) FROM messages m WHERE m.id = \(id)
                """,
                logger: logger
            )
            var groups: [ReactionGroup] = []
            for try await json in rows.decode(String?.self) { groups = Self.decodeReactions(json) }
            return (groups, changed)
        }
    }

    /// The reactions column's JSON, decoded; none for null.
    static func decodeReactions(_ json: String?) -> [ReactionGroup] {
        guard let json else { return [] }
        return (try? JSONCoding.decoder.decode([ReactionGroup].self, from: Data(json.utf8))) ?? []
    }
}
