import APIRuntime
import Foundation
import Generated
import PostgresNIO

extension MessageStore {
    /// One page of a conversation's transcript: every message after `after` in order, at most `limit`, each with
    /// every version of its text (deleted ones included). Nil when the conversation does not exist.
    func export(conversation id: UUID, after: UUID?, limit: Int) async throws -> ConversationExport? {
        let header = try await client.query(
            """
            SELECT c.contract_id, c.milestone_id, c.kind, c.created_at, \(unescaped: Self.participantsColumn)
            FROM conversations c WHERE c.id = \(id)
            """,
            logger: logger
        )
        var export: ConversationExport?
        for try await (contract, milestone, kind, createdAt, participants) in header.decode(
            (String, String?, String, Date, String?).self
        ) {
            export = ConversationExport(
                conversationId: id.lowercased,
                contractId: contract,
                milestoneId: milestone,
                kind: ConversationKind(rawValue: kind) ?? .direct,
                createdAt: createdAt,
                participants: Self.participants(fromJSON: participants),
                exportedAt: Date(),
                messages: [],
                nextCursor: nil
            )
        }
        guard var export else { return nil }
        let rows = try await client.query(
            """
            SELECT m.id, m.sender_id, u.first_name, u.last_name, u.avatar, p.role, m.message_type, m.sent_at,
                   m.content, m.attachments::text, m.edited_at, m.deleted_at,
                   (SELECT json_agg(json_build_object('revision', r.revision, 'content', r.content,
                                                      'attachments', r.attachments,
                                                      'writtenAt', to_char(r.written_at AT TIME ZONE 'UTC',
                                                                           'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                                    ORDER BY r.revision)::text
                    FROM message_revisions r WHERE r.message_id = m.id)
            FROM messages m LEFT JOIN users u ON u.id = m.sender_id
            LEFT JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = m.sender_id
            WHERE m.conversation_id = \(id) AND (\(after)::uuid IS NULL OR m.id > \(after))
            ORDER BY m.id
            LIMIT \(limit + 1)
            """,
            logger: logger
        )
        for try await row in rows {
            // One more than the page holds tells whether more follow.
            guard export.messages.count < limit else {
                export.nextCursor = export.messages.last?.id
                break
            }
            export.messages.append(try Self.exportedMessage(row.makeRandomAccess()))
        }
        return export
    }

    private static func exportedMessage(_ columns: PostgresRandomAccessRow) throws -> ExportedMessage {
        let sender: UserSummary
        if let id = try columns[1].decode(String?.self) {
            sender = UserSummary(
                id: id,
                firstName: try columns[2].decode(String?.self) ?? "",
                lastName: try columns[3].decode(String?.self) ?? "",
                avatar: try columns[4].decode(String?.self)
            )
        } else {
            sender = systemSender
        }
        let sentAt = try columns[7].decode(Date.self)
        let content = try columns[8].decode(String.self)
        let attachments = try columns[9].decode(String.self)
        let editedAt = try columns[10].decode(Date?.self)
        var revisions = earlierRevisions(try columns[12].decode(String?.self))
        revisions.append(
            MessageRevision(
                revision: revisions.count + 1,
                content: content,
                attachments: decodeAttachments(attachments),
                writtenAt: editedAt ?? sentAt
            )
        )
        return ExportedMessage(
            id: try columns[0].decode(UUID.self).lowercased,
            sender: sender,
            role: try columns[5].decode(String?.self).flatMap(ParticipantRole.init(rawValue:)),
            messageType: MessageType(rawValue: try columns[6].decode(String.self)) ?? .text,
            sentAt: sentAt,
            content: content,
            attachments: decodeAttachments(attachments),
            editedAt: editedAt,
            deletedAt: try columns[11].decode(Date?.self),
            revisions: revisions
        )
    }

    /// The stored earlier versions of a message (`message_revisions` as a JSON array), oldest first.
    private static func earlierRevisions(_ json: String?) -> [MessageRevision] {
        guard let json, let data = json.data(using: .utf8) else { return [] }
        return (try? JSONCoding.decoder.decode([MessageRevision].self, from: data)) ?? []
    }
}
