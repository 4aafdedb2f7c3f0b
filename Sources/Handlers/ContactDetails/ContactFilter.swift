import APIRuntime
import Generated

/// Keeps deals on the platform: email addresses, phone numbers and links to other domains in message text are
/// masked, or the message is refused, while the contract's status is not one in which the parties may share them.
public struct ContactFilter: Sendable {
    /// What happens to contact details in a message (`CONTACT_FILTER`).
    public enum Mode: String, Sendable, CaseIterable {
        /// Messages are stored as written.
        case off
        /// Each piece is replaced by a marker such as `[email hidden]`; the sender is told in the ack.
        case mask
        /// The message is refused with `CONTACT_DETAILS`.
        case block
    }

    /// A text after screening, and which kinds of detail were hidden in it (empty when nothing was).
    public struct Screened: Sendable, Equatable {
        public var content: String
        public var hidden: [ContactDetailKind]
    }

    /// The spec's `maxLength` of a message's `content`: a masked text (markers are longer than a short address)
    /// must still fit it.
    static let maximumContentLength = 10_000

    public let mode: Mode
    let scanner: ContactScanner
    let sharingStatuses: Set<ContractStatus>

    /// - Parameters:
    ///   - mode: mask, block, or leave contact details alone.
    ///   - allowedDomains: links to these domains and their subdomains are never hidden (`CONTACT_ALLOWED_DOMAINS`).
    ///   - sharingStatuses: contract statuses in which contact details may be shared (`CONTACT_SHARING_STATUSES`).
    public init(mode: Mode = .mask, allowedDomains: [String] = [], sharingStatuses: Set<ContractStatus> = []) {
        self.mode = mode
        self.scanner = ContactScanner(allowedDomains: allowedDomains)
        self.sharingStatuses = sharingStatuses
    }

    /// The text to store for a message written in a contract of `status`: unchanged when the filter is off or the
    /// status allows sharing; masked, or refused with `CONTACT_DETAILS`, otherwise.
    public func screen(_ content: String, contractStatus status: ContractStatus) throws -> Screened {
        guard mode != .off, !sharingStatuses.contains(status) else { return Screened(content: content, hidden: []) }
        let findings = scanner.findings(in: content)
        guard !findings.isEmpty else { return Screened(content: content, hidden: []) }
        let kinds = ContactDetailKind.allCases.filter { kind in findings.contains { $0.kind == kind } }
        let action = mode == .block ? "blocked" : "masked"
        for finding in findings { ServiceMetrics.contactDetailFound(finding.kind.rawValue, action: action) }
        if mode == .block {
            throw APIError(
                .contactDetails,
                "Messages may not contain contact details (\(kinds.map(\.rawValue).joined(separator: ", "))) "
                    + "while the contract does not allow sharing them",
                details: [FieldProblem(field: "content", message: "contains contact details")]
            )
        }
        let masked = Self.mask(content, findings)
        guard masked.count <= Self.maximumContentLength else {
            throw APIError.validationFailed([
                FieldProblem(
                    field: "content",
                    message: "must be at most \(Self.maximumContentLength) characters once contact details are hidden"
                )
            ])
        }
        return Screened(content: masked, hidden: kinds)
    }

    /// The text with each finding replaced by its marker.
    static func mask(_ content: String, _ findings: [ContactFinding]) -> String {
        let scalars = Array(content.unicodeScalars)
        var result = String.UnicodeScalarView()
        var position = 0
        for finding in findings {
            // Two findings can share a scalar that folds into several characters (`½` is `1⁄2`): the first takes it.
            let lower = max(finding.scalars.lowerBound, position)
            guard finding.scalars.upperBound > lower else { continue }
            result.append(contentsOf: scalars[position..<lower])
            result.append(contentsOf: marker(finding.kind).unicodeScalars)
            position = finding.scalars.upperBound
        }
        result.append(contentsOf: scalars[position...])
        return String(result)
    }

    static func marker(_ kind: ContactDetailKind) -> String {
        switch kind {
        case .email: "[email hidden]"
        case .phone: "[phone hidden]"
        case .link: "[link hidden]"
        }
    }
}
