/// Which page of a conversation's history a caller asks for: exclusive cursors (message ids; one that is not an id
/// counts as absent) and paging. The REST layer fills it from its query string, with the spec's defaults.
public struct HistoryQuery: Sendable, Equatable {
    public var before: String?
    public var after: String?
    /// From 1.
    public var page: Int
    public var limit: Int

    public init(before: String? = nil, after: String? = nil, page: Int, limit: Int) {
        self.before = before
        self.after = after
        self.page = page
        self.limit = limit
    }
}

/// Which page of a user's conversations a caller asks for, optionally of one contract only.
public struct ConversationQuery: Sendable, Equatable {
    public var contractId: String?
    public var includeArchived: Bool
    /// From 1.
    public var page: Int
    public var limit: Int

    public init(contractId: String? = nil, includeArchived: Bool = false, page: Int, limit: Int) {
        self.contractId = contractId
        self.includeArchived = includeArchived
        self.page = page
        self.limit = limit
    }
}

/// What a caller searches for (the REST layer fills it with the spec's defaults): the text, read as a web search,
/// optionally within one contract or conversation and before a message, and the page.
public struct MessageSearch: Sendable, Equatable {
    public var text: String
    public var contractId: String?
    public var conversationId: String?
    public var before: String?
    /// From 1.
    public var page: Int
    public var limit: Int

    public init(
        text: String,
        contractId: String? = nil,
        conversationId: String? = nil,
        before: String? = nil,
        page: Int,
        limit: Int
    ) {
        self.text = text
        self.contractId = contractId
        self.conversationId = conversationId
        self.before = before
        self.page = page
        self.limit = limit
    }
}
