import APIRuntime
import Foundation
import Generated

/// What happens to a message after it is sent: edits, deletion, reactions, and the catch-up and search over them.
/// Every change is made under its conversation's lock and announced to the participants after its commit.
extension MessagingService {
    // MARK: Edit and delete

    /// Replaces the text of the caller's message (the rules are `MessageStore.checkEdit`'s); an unchanged text
    /// changes and announces nothing.
    public func edit(
        _ messageId: String,
        in conversationId: String?,
        by user: String,
        content: String
    ) async throws -> Written {
        guard StringPattern.notBlank.accepts(content) else {
            throw APIError.validationFailed([FieldProblem(field: "content", message: "must not be blank")])
        }
        try limiters.send.check(user)
        let (access, id) = try await target(messageId, in: conversationId, user: user)
        // A closed contract's conversation refuses the edit in the store, whatever the text holds.
        let screened = try contactFilter.screen(content, contractStatus: .active)
        let window = editWindow
        guard
            let changed = try await database({
                try await store.edit(
                    message: id,
                    conversation: access.conversationId,
                    by: user,
                    content: screened.content,
                    window: window
                )
            })
        else { throw APIError.notFound("Message not found") }
        if changed.changed {
            await events.messageUpdated(
                changed.message,
                reactions: changed.reactions,
                participants: access.participants
            )
        }
        return Written(
            message: changed.message,
            contactDetailsHidden: screened.hidden.isEmpty ? nil : screened.hidden
        )
    }

    /// Makes the caller's message a tombstone; deleting it again answers the tombstone and announces nothing.
    public func delete(_ messageId: String, in conversationId: String?, by user: String) async throws -> Message {
        try limiters.send.check(user)
        let (access, id) = try await target(messageId, in: conversationId, user: user)
        guard
            let changed = try await database({
                try await store.delete(message: id, conversation: access.conversationId, by: user)
            })
        else { throw APIError.notFound("Message not found") }
        if changed.changed {
            await events.messageDeleted(changed.message, participants: access.participants)
        }
        return changed.message
    }

    // MARK: Reactions

    /// Adds (`on`) or takes back the caller's reaction with one emoji; a repeat changes and announces nothing.
    public func react(
        _ messageId: String,
        in conversationId: String?,
        by user: String,
        emoji: String,
        on: Bool
    ) async throws -> MessageReactions {
        let (access, id) = try await target(messageId, in: conversationId, user: user)
        guard
            let (groups, changed) = try await database({
                try await store.react(message: id, conversation: access.conversationId, by: user, emoji: emoji, on: on)
            })
        else { throw APIError.notFound("Message not found") }
        let conversation = access.conversationId.lowercased
        if changed {
            await events.reactionsChanged(
                conversation: conversation,
                message: id.lowercased,
                by: user,
                emoji: emoji,
                on: on,
                reactions: groups,
                participants: access.participants
            )
        }
        return MessageReactions(
            conversationId: conversation,
            messageId: id.lowercased,
            reactions: groups.reactions(for: user)
        )
    }

    // MARK: Catch-up, evidence, search

    /// The conversation's changes after a cursor (see `MessageStore.changes`); without one, from the beginning.
    public func changes(
        in conversationId: String,
        viewer: String,
        since: Int?,
        limit: Int
    ) async throws
        -> MessageChanges
    {
        let access = try await readAccess(conversationId, user: viewer)
        let (messages, cursor, hasMore) = try await database {
            try await store.changes(
                conversation: access.conversationId,
                viewer: viewer,
                since: Int64(since ?? 0),
                limit: limit
            )
        }
        return MessageChanges(messages: messages, cursor: Int(cursor), hasMore: hasMore)
    }

    /// Every version of a message, for the marketplace (the caller holds the service key).
    public func revisions(of messageId: String, in conversationId: String) async throws -> MessageRevisions {
        guard let conversation = UUID(parsing: conversationId), let id = UUID(parsing: messageId),
            let revisions = try await database({ try await store.revisions(message: id, conversation: conversation) })
        else { throw APIError.notFound("Message not found") }
        return revisions
    }

    /// One page of the viewer's messages that match a search.
    public func search(_ query: MessageSearch, viewer: String) async throws -> SearchResults {
        let storeQuery = MessageStore.SearchQuery(
            text: query.text,
            contractId: query.contractId,
            conversationId: query.conversationId.flatMap(UUID.init(parsing:)),
            before: query.before.flatMap(UUID.init(parsing:)),
            page: query.page,
            limit: query.limit
        )
        let (hits, hasMore) = try await database { try await store.search(storeQuery, viewer: viewer) }
        return SearchResults(results: hits, page: query.page, limit: query.limit, hasMore: hasMore)
    }

    // MARK: Finding the message

    /// The caller's access to a message's conversation and the message's id. A socket event may leave the
    /// conversation out: it is then the message's own. A message outside the caller's conversations, or outside
    /// the named one, is NOT_FOUND, as a missing one is.
    func target(
        _ messageId: String,
        in conversationId: String?,
        user: String
    ) async throws
        -> (MessageStore.Access, UUID)
    {
        guard let id = UUID(parsing: messageId) else { throw APIError.notFound("Message not found") }
        if let conversationId { return (try await access(conversationId, user: user), id) }
        guard let conversation = try await database({ try await store.conversation(ofMessage: id) }) else {
            throw APIError.notFound("Message not found")
        }
        do {
            return (try await access(conversation.lowercased, user: user), id)
        } catch let error as APIError where error.code == .notFound {
            throw APIError.notFound("Message not found")
        }
    }
}
