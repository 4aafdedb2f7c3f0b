import APIRuntime
import Foundation
import Generated

/// A page of a transcript as plain text for a dispute file: a header (conversation, contract, participants), then a
/// line per message, `[time] Name (role): text`, with its earlier versions, its deletion and its attachments on
/// indented lines of their own. Line breaks inside a text are kept, indented, so that every line of the file
/// belongs visibly to one message.
enum TranscriptText {
    static func render(_ export: ConversationExport) -> String {
        var lines: [String] = []
        let scope =
            export.milestoneId.map { "milestone \($0) of contract \(export.contractId)" }
            ?? "contract \(export.contractId)"
        lines.append("Transcript of conversation \(export.conversationId) (\(export.kind.rawValue), \(scope))")
        let (created, exported) = (JSONCoding.formatDate(export.createdAt), JSONCoding.formatDate(export.exportedAt))
        lines.append("Created \(created); exported \(exported)")
        for participant in export.participants {
            let user = participant.user
            lines.append("Participant: \(name(user)) [\(user.id)], \(participant.role.rawValue)")
        }
        lines.append("")
        for message in export.messages { append(message, to: &lines) }
        if let next = export.nextCursor { lines.append("More messages follow: ?after=\(next)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func append(_ message: ExportedMessage, to lines: inout [String]) {
        let who =
            message.messageType == .system
            ? "System" : "\(name(message.sender)) (\(message.role?.rawValue ?? "former participant"))"
        let current = message.revisions.last?.content ?? message.content
        lines.append("[\(JSONCoding.formatDate(message.sentAt))] \(who): \(indented(current))")
        for attachment in message.attachments { lines.append("    attachment: \(attachment.name) <\(attachment.url)>") }
        for revision in message.revisions.dropLast() {
            lines.append(
                "    version \(revision.revision), written \(JSONCoding.formatDate(revision.writtenAt)): "
                    + indented(revision.content)
            )
        }
        if let editedAt = message.editedAt { lines.append("    edited \(JSONCoding.formatDate(editedAt))") }
        if let deletedAt = message.deletedAt { lines.append("    deleted \(JSONCoding.formatDate(deletedAt))") }
    }

    private static func name(_ user: UserSummary) -> String {
        user.lastName.isEmpty ? user.firstName : "\(user.firstName) \(user.lastName)"
    }

    /// A text whose later lines are indented under the line that starts it.
    private static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n        ")
    }
}
