import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// What a search looks for, and where.
    struct SearchQuery: Sendable {
        var text: String
        var contractId: String?
        var conversationId: UUID?
        var before: UUID?
        var page: Int
        var limit: Int
    }

    /// The snippet's markers around each matched word: private-use characters, removed from the text first, so
    /// that the markers are the only ones and become `<mark>` elements once the rest is HTML-escaped. A `<` goes
    /// through the headline as `lessThan`: the parser would take `<word>` for markup and leave it out.
    static let markStart: Unicode.Scalar = "\u{E000}"
    static let markEnd: Unicode.Scalar = "\u{E001}"
    static let lessThan: Unicode.Scalar = "\u{E002}"
    static let headlineOptions =
        "StartSel=\"\u{E000}\", StopSel=\"\u{E001}\", MaxWords=35, MinWords=15"

    /// One page of the messages matching `query.text` in the viewer's conversations, best first (then newest). The
    /// text is read by `websearch_to_tsquery` in the stored search configuration (`messaging_search_config()`),
    /// which never fails on any input; deleted messages have no search vector. A message sent a moment ago may not be
    /// indexed yet (`SearchIndexer`). The matches are found with one scan of the GIN index, which holds a lexeme per
    /// participant (`Schema.v9`): the query and the viewer's lexeme
    /// together yield only the viewer's matches (narrowed to one conversation when one is given). The join on the
    /// participants then decides, as it always did, which of them the viewer may read. (Joining first made
    /// PostgreSQL scan the index once per conversation of the viewer.) The page is chosen next, and only its rows are
    /// joined and given a headline.
    func search(_ query: SearchQuery, viewer: String) async throws -> (hits: [SearchHit], hasMore: Bool) {
        let (offset, fetch) = ((query.page - 1) * query.limit, query.limit + 1)
        let rows = try await client.query(
            """
            WITH matches AS MATERIALIZED (
                SELECT m.id, m.conversation_id, s.search_vector
                FROM message_search s JOIN messages m ON m.id = s.message_id
                WHERE s.search_vector @@ websearch_to_tsquery(messaging_search_config(), \(query.text))
                  AND s.search_vector @@ quote_literal('~' || md5(\(viewer)))::tsquery
                  AND m.deleted_at IS NULL
                  AND (\(query.conversationId)::uuid IS NULL OR m.conversation_id = \(query.conversationId))
                  AND (\(query.before)::uuid IS NULL OR m.id < \(query.before))
            ), hits AS (
                SELECT matches.id,
                       ts_rank(matches.search_vector, websearch_to_tsquery(messaging_search_config(), \(query.text)))
                           AS rank
                FROM matches
                JOIN conversation_participants me
                  ON me.conversation_id = matches.conversation_id AND me.user_id = \(viewer)
                WHERE \(query.contractId)::text IS NULL OR me.conversation_id IN (
                      SELECT id FROM conversations WHERE contract_id = \(query.contractId))
                ORDER BY rank DESC, matches.id DESC
                LIMIT \(fetch) OFFSET \(offset)
            )
            SELECT 0, p.last_read_message_id, o.last_read_message_id, \(unescaped: Self.messageColumns),
                   m.conversation_id, c.contract_id, c.milestone_id, hits.rank::float8,
                   ts_headline(messaging_search_config(), translate(m.content, U&'<\\E000\\E001\\E002', U&'\\E002'),
                               websearch_to_tsquery(messaging_search_config(), \(query.text)), \(Self.headlineOptions))
            FROM hits
            JOIN messages m ON m.id = hits.id
            LEFT JOIN users u ON u.id = m.sender_id
            JOIN conversations c ON c.id = m.conversation_id
            JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = \(viewer)
            LEFT JOIN LATERAL (
                SELECT o.last_read_message_id FROM conversation_participants o
                WHERE o.conversation_id = m.conversation_id AND o.user_id <> \(viewer)
                ORDER BY o.last_read_message_id NULLS FIRST LIMIT 1
            ) o ON true
            ORDER BY hits.rank DESC, m.id DESC
            """,
            logger: logger
        )
        var hits: [SearchHit] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let conversation = try columns[16].decode(UUID.self)
            hits.append(
                SearchHit(
                    message: try message(in: columns, conversation: conversation, viewer: viewer).message,
                    contractId: try columns[17].decode(String.self),
                    milestoneId: try columns[18].decode(String?.self),
                    snippet: Self.snippetHTML(try columns[20].decode(String.self)),
                    rank: try columns[19].decode(Double.self)
                )
            )
        }
        let hasMore = hits.count > query.limit
        if hasMore { hits.removeLast() }
        return (hits, hasMore)
    }

    /// A headline as HTML: the text escaped, each marked word in `<mark>…</mark>`.
    static func snippetHTML(_ headline: String) -> String {
        var html = String.UnicodeScalarView()
        // Scalar by scalar: a marker followed by a combining mark would be one `Character` with it.
        for scalar in headline.unicodeScalars {
            switch scalar {
            case markStart: html.append(contentsOf: "<mark>".unicodeScalars)
            case markEnd: html.append(contentsOf: "</mark>".unicodeScalars)
            case "&": html.append(contentsOf: "&amp;".unicodeScalars)
            case "<", lessThan: html.append(contentsOf: "&lt;".unicodeScalars)
            case ">": html.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": html.append(contentsOf: "&quot;".unicodeScalars)
            case "'": html.append(contentsOf: "&#39;".unicodeScalars)
            default: html.append(scalar)
            }
        }
        return String(html)
    }
}

extension MessageStore {
    /// Writes the search vectors of up to `batch` queued messages (`Schema.v10`); returns how many queue entries it
    /// took, so a caller that got `batch` knows more are waiting.
    func indexPendingSearch(batch: Int) async throws -> Int {
        let rows = try await client.query(
            "SELECT messaging_search_index_pending(\(Int32(clamping: batch)))",
            logger: logger
        )
        var taken = 0
        for try await count in rows.decode(Int32.self) { taken = Int(count) }
        return taken
    }
}
