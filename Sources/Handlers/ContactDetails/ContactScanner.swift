import Generated

/// One piece of contact information found in a text: what it is and the original unicode scalars it covers.
struct ContactFinding: Sendable, Equatable {
    var kind: ContactDetailKind
    /// Offsets into the original text's unicode scalars.
    var scalars: Range<Int>
}

/// Finds email addresses, phone numbers and links in message text, including the usual disguises: "at" and
/// "dot" spelled out or bracketed, digits spelled as words, spaces and dashes between digits, full-width and
/// look-alike letters, invisible characters between letters. Prices, dates, version numbers, years and
/// references (order and invoice numbers) are not phone numbers; programming names such as ASP.NET are not links.
///
/// Every walk over the text is bounded, so a text of n characters is scanned in O(n).
struct ContactScanner: Sendable {
    /// Links to these domains (or their subdomains) are allowed.
    let allowedDomains: [String]

    init(allowedDomains: [String] = []) {
        self.allowedDomains = allowedDomains.map { $0.lowercased() }
    }

    /// The findings in `text`, in text order, never overlapping.
    func findings(in text: String) -> [ContactFinding] {
        guard ContactPrescreen.mayHoldContactDetails(text) else { return [] }
        return scanWhole(text)
    }

    /// The full scan, without the prescreen (which the fuzz target checks against it).
    func scanWhole(_ text: String) -> [ContactFinding] {
        let folded = FoldedText(text)
        var pass = ScanPass(tokens: ContactToken.tokens(of: folded), allowedDomains: allowedDomains)
        pass.findLinksWithScheme()
        pass.findEmails()
        pass.findBareDomains()
        pass.findPhones()
        return pass.found.sorted { $0.start < $1.start }.map { found in
            let first = pass.tokens[found.start]
            let last = pass.tokens[found.end - 1]
            return ContactFinding(kind: found.kind, scalars: folded.originalRange(first.start, last.end))
        }
    }
}

/// One scan of one text: its tokens, which of them a finding has claimed, and the findings as token ranges.
struct ScanPass {
    struct Found {
        var kind: ContactDetailKind
        var start: Int
        var end: Int
    }

    let tokens: [ContactToken]
    let allowedDomains: [String]
    private(set) var claimed: [Bool]
    private(set) var found: [Found] = []

    init(tokens: [ContactToken], allowedDomains: [String]) {
        self.tokens = tokens
        self.allowedDomains = allowedDomains
        self.claimed = Array(repeating: false, count: tokens.count)
    }

    mutating func claim(_ kind: ContactDetailKind, _ start: Int, _ end: Int) {
        for index in start..<end { claimed[index] = true }
        found.append(Found(kind: kind, start: start, end: end))
    }

    /// Marks tokens as seen without a finding (an allowed link), so that no later pass reads them again.
    mutating func keep(_ start: Int, _ end: Int) {
        for index in start..<end { claimed[index] = true }
    }

    /// Whether tokens `start..<end` exist and none is claimed yet.
    func isFree(_ start: Int, _ end: Int) -> Bool {
        start >= 0 && end <= tokens.count && start < end && !claimed[start..<end].contains(true)
    }

    func token(_ index: Int) -> ContactToken? {
        index >= 0 && index < tokens.count ? tokens[index] : nil
    }

    /// Whether the token is part of a word or number (a label of a domain, a piece of a local part).
    func isSolid(_ index: Int) -> Bool {
        guard let token = token(index) else { return false }
        return token.kind == .word || token.kind == .digits
    }

    /// The end of the run of solid tokens and inner hyphens that starts at `index` (a domain label such as
    /// `my-site2`), or nil when no solid token starts there.
    func endOfLabel(_ index: Int) -> Int? {
        guard isSolid(index) else { return nil }
        var end = index + 1
        while end - index < 12 {
            if isSolid(end) {
                end += 1
            } else if token(end)?.isSymbol("-") == true, isSolid(end + 1) {
                end += 2
            } else {
                break
            }
        }
        return end
    }

    /// The folded text of tokens `start..<end`.
    func text(_ start: Int, _ end: Int) -> String {
        tokens[start..<end].map(\.text).joined()
    }

    /// Whether a domain (as lower-case labels) is an allowed domain or one of its subdomains.
    func isAllowed(_ labels: [String]) -> Bool {
        let domain = labels.joined(separator: ".")
        return allowedDomains.contains { domain == $0 || domain.hasSuffix("." + $0) }
    }
}
