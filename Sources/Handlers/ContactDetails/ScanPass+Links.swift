import Generated

/// Links and email addresses: domains written with dots, with "dot" spelled out or bracketed, behind a scheme,
/// `www`, or an at sign (`@`, `(at)`, or a plain "at" before a well-known top-level domain).
extension ScanPass {
    struct Domain {
        var labels: [String]
        var start: Int
        var end: Int
        /// Whether a dot of it was spelled out or bracketed (`mysite dot com`).
        var spelled: Bool
    }

    // MARK: Links

    /// `http://…`, `https://…`, `ftp://…` and `www.…` links, with their paths.
    mutating func findLinksWithScheme() {
        var index = 0
        while index < tokens.count {
            guard let (host, www) = hostAfterScheme(at: index),
                let domain = domain(
                    from: host,
                    minimumLabels: www ? 2 : 1,
                    fits: { label, spelled, _ in !www || Self.fitsAfterMarker(label, spelled) }
                ),
                isFree(index, domain.end)
            else {
                index += 1
                continue
            }
            let end = endOfPath(domain.end)
            record(.link, index, end, allowed: isAllowed(domain.labels))
            index = end
        }
    }

    /// Domains without a scheme, such as `example.com` or `mysite dot com`: the top-level domain must be a
    /// well-known one that is not also a common word, and programming names (ASP.NET) are not domains.
    mutating func findBareDomains() {
        var index = 0
        while index < tokens.count {
            guard isFree(index, index + 1), startsLabelRun(index),
                let domain = domain(from: index, fits: { label, spelled, end in fitsBare(label, spelled, end) })
            else {
                index += 1
                continue
            }
            let spelledOut = domain.spelled
            let name = domain.labels.joined(separator: ".")
            if (spelledOut && Self.phraseWords.contains(domain.labels[0])) || Self.technologyNames.contains(name)
                || !isFree(domain.start, domain.end)
            {
                index = domain.end
                continue
            }
            let end = spelledOut ? domain.end : endOfPath(domain.end)
            record(.link, domain.start, end, allowed: isAllowed(domain.labels))
            index = end
        }
    }

    /// The first token of the host when a scheme (`https://`, then any host: a name, an address, `localhost`) or
    /// `www.` (a domain) starts at `index`.
    private func hostAfterScheme(at index: Int) -> (Int, www: Bool)? {
        guard let first = token(index), first.kind == .word, !isSolid(index - 1) else { return nil }
        if Self.schemes.contains(first.text), token(index + 1)?.isSymbol(":") == true,
            token(index + 2)?.isSymbol("/") == true, token(index + 3)?.isSymbol("/") == true
        {
            return (index + 4, false)
        }
        if first.text == "www", dot(at: index + 1) != nil { return (index, true) }
        return nil
    }

    /// The end of a link's path, port or query after its domain, less trailing punctuation.
    private func endOfPath(_ end: Int) -> Int {
        guard let next = token(end), next.isSymbol(in: "/?#:") else { return end }
        var last = end
        while last < tokens.count, last - end < 200, tokens[last].kind != .space { last += 1 }
        while last > end + 1, let token = token(last - 1), token.isSymbol(in: ".,;:!?)]}\"'") {
            last -= 1
        }
        return last
    }

    private func startsLabelRun(_ index: Int) -> Bool {
        guard isSolid(index), !isSolid(index - 1) else { return false }
        guard let before = token(index - 1) else { return true }
        return !(before.isSymbol(in: "-.@_/"))
    }

    // MARK: Emails

    /// Email addresses: a local part, an at sign in any of its disguises, and a domain.
    mutating func findEmails() {
        var index = 0
        while index < tokens.count {
            guard let marker = atMarker(at: index), let start = localPart(endingAt: marker.start, weak: marker.weak),
                let domain = domain(
                    from: marker.end,
                    fits: { label, spelled, _ in
                        marker.weak || spelled ? Self.fitsSpelledOut(label) : Self.fitsAfterMarker(label, false)
                    }
                ),
                isFree(start, domain.end)
            else {
                index += 1
                continue
            }
            record(.email, start, domain.end, allowed: false)
            index = domain.end
        }
    }

    /// An at sign whose core token is at `index`: `@`, `(at)`, `[@]`, or a plain " at " (weak: it needs a
    /// well-known top-level domain after it and a local part that is not a common word). Inline spaces on either
    /// side belong to the marker.
    private func atMarker(at index: Int) -> (start: Int, end: Int, weak: Bool)? {
        guard let core = token(index) else { return nil }
        var end: Int
        if core.isSymbol("@") {
            end = index + 1
        } else if let bracketEnd = bracketed(at: index, { $0.isWord("at") || $0.isSymbol("@") }) {
            end = bracketEnd
        } else if core.isWord("at"), token(index - 1)?.isInlineSpace == true, token(index + 1)?.isInlineSpace == true {
            return (index - 1, index + 2, true)
        } else {
            return nil
        }
        let spaceBefore = token(index - 1)?.isInlineSpace == true
        let spaceAfter = token(end)?.isInlineSpace == true
        // "name @ mail.com" and "name@mail.com" are addresses; "ping @anna.smith" is a mention.
        if core.isSymbol("@"), spaceBefore != spaceAfter { return nil }
        if spaceAfter { end += 1 }
        return (spaceBefore ? index - 1 : index, end, false)
    }

    /// The first token of the local part that ends right before `end` (`john.smith`, `j_smith+work`,
    /// `john dot smith`), or nil when there is none.
    private func localPart(endingAt end: Int, weak: Bool) -> Int? {
        guard isSolid(end - 1) else { return nil }
        var start = end - 1
        while isSolid(start - 1) { start -= 1 }
        let lastWord = start
        for _ in 0..<16 {
            if let separator = token(start - 1), separator.isSymbol(in: "._-+"),
                isSolid(start - 2)
            {
                start -= 2
            } else if token(start - 1)?.isInlineSpace == true, token(start - 2)?.isWord("dot") == true,
                token(start - 3)?.isInlineSpace == true, isSolid(start - 4)
            {
                start -= 4
            } else {
                break
            }
            while isSolid(start - 1) { start -= 1 }
        }
        if weak, start == lastWord, end - start == 1, Self.commonWords.contains(tokens[start].text) { return nil }
        return start
    }

    // MARK: Domains

    /// The longest domain from `index` (of `minimumLabels` labels or more) whose last label `fits` (given whether a dot before
    /// it was spelled out, and where the label ends).
    private func domain(from index: Int, minimumLabels: Int = 2, fits: (String, Bool, Int) -> Bool) -> Domain? {
        guard var end = endOfLabel(index) else { return nil }
        // Most words are followed by no dot: no label text is made for them.
        if minimumLabels >= 2, dot(at: end) == nil { return nil }
        var labels = [text(index, end)]
        var ends = [end]
        var spelled = [false]
        while labels.count < 12, let (afterDot, spelledDot) = dot(at: end), let labelEnd = endOfLabel(afterDot) {
            labels.append(text(afterDot, labelEnd))
            ends.append(labelEnd)
            spelled.append(spelled.last! || spelledDot)
            end = labelEnd
        }
        for count in stride(from: labels.count, through: minimumLabels, by: -1)
        where fits(labels[count - 1], spelled[count - 1], ends[count - 1]) {
            return Domain(
                labels: Array(labels[0..<count]),
                start: index,
                end: ends[count - 1],
                spelled: spelled[count - 1]
            )
        }
        return nil
    }

    /// A dot between two labels at `index`: `.`, or a spelled-out or bracketed one (` dot `, `(dot)`, ` . `).
    /// Answers where the next label starts and whether the dot was spelled out.
    private func dot(at index: Int) -> (Int, Bool)? {
        guard let first = token(index) else { return nil }
        if first.isSymbol(".") { return (index + 1, false) }
        let spaced = first.isInlineSpace
        let core = spaced ? index + 1 : index
        if var end = bracketed(at: core, { $0.isWord("dot") || $0.isSymbol(".") }) {
            if token(end)?.isInlineSpace == true { end += 1 }
            return (end, true)
        }
        guard spaced, let word = token(core), word.isWord("dot") || word.isSymbol("."),
            token(core + 1)?.isInlineSpace == true
        else { return nil }
        return (core + 2, true)
    }

    /// `(x)`, `[x]`, `{x}` or `<x>` (inner spaces allowed) at `index` where `x` is a token that `matches`:
    /// the index after the closing bracket.
    private func bracketed(at index: Int, _ matches: (ContactToken) -> Bool) -> Int? {
        guard let open = token(index), open.kind == .symbol, let close = Self.brackets[open.text] else { return nil }
        var inner = index + 1
        if token(inner)?.isInlineSpace == true { inner += 1 }
        guard let word = token(inner), matches(word) else { return nil }
        var end = inner + 1
        if token(end)?.isInlineSpace == true { end += 1 }
        guard token(end)?.text == close else { return nil }
        return end + 1
    }

    private mutating func record(_ kind: ContactDetailKind, _ start: Int, _ end: Int, allowed: Bool) {
        if allowed {
            keep(start, end)
        } else {
            claim(kind, start, end)
        }
    }

    // MARK: Top-level domains and words

    /// After `@`, a scheme or `www.`: any alphabetic label of 2 to 24 letters.
    static func fitsAfterMarker(_ label: String, _ spelled: Bool) -> Bool {
        if spelled { return fitsSpelledOut(label) }
        return (2...24).contains(label.count) && label.allSatisfy { $0.isASCII && $0.isLetter }
    }

    /// Spelled-out dots and a plain "at": well-known top-level domains, common words among them included.
    static func fitsSpelledOut(_ label: String) -> Bool {
        wellKnownDomains.contains(label) || wordLikeDomains.contains(label)
    }

    /// Without a scheme: a well-known top-level domain; one that is also a word or a file extension only after a
    /// spelled-out dot or before a path (`t.me/name`, `wa.me/15551234567`).
    func fitsBare(_ label: String, _ spelled: Bool, _ end: Int) -> Bool {
        if Self.wellKnownDomains.contains(label) { return true }
        guard Self.wordLikeDomains.contains(label) else { return false }
        return spelled || (token(end)?.isSymbol("/") == true && isSolid(end + 1))
    }

    static let schemes: Set<String> = ["http", "https", "ftp", "hxxp", "hxxps"]

    static let brackets: [String: String] = ["(": ")", "[": "]", "{": "}", "<": ">"]

    /// Top-level domains that stand for a link wherever they follow a dot.
    static let wellKnownDomains: Set<String> = [
        "com", "net", "org", "info", "biz", "io", "co", "app", "dev", "xyz", "online", "site", "website", "store",
        "shop", "tech", "page", "link", "email", "chat", "live", "space", "club", "pro", "tv", "gg", "ly", "us",
        "uk", "ca", "au", "de", "fr", "ru", "nl", "es", "ch", "se", "eu", "br", "ua", "cz", "jp", "cn", "kr", "za",
        "ng", "ke", "pk", "tr", "gr", "pt", "ro", "hu", "dk", "fi", "ie", "nz", "sg", "hk", "mx", "ar", "cl", "ph",
        "vn", "ws", "im", "fm", "vc", "gl", "top", "icu",
    ]

    /// Top-level domains that are also words or file extensions (`it`, `me`, `logo.ai`, `run.sh`): links only
    /// after a scheme, an at sign or a spelled-out dot.
    static let wordLikeDomains: Set<String> = [
        "in", "it", "me", "to", "my", "is", "be", "at", "no", "so", "do", "go", "ai", "cc", "sh", "pl", "id", "am",
        "tk", "la", "as",
    ]

    /// Names from programming that look like domains.
    static let technologyNames: Set<String> = ["asp.net", "vb.net", "ado.net", "dot.net", "socket.io", "f.net"]

    /// Words that start a phrase rather than a domain: "the dot com bubble".
    static let phraseWords: Set<String> = [
        "the", "a", "an", "this", "that", "these", "those", "our", "your", "my", "their", "his", "her", "its", "any",
        "every", "each", "some", "no", "one", "new", "old", "big", "first", "last", "whole", "of", "and",
    ]

    /// Words that come before a plain "at" in ordinary sentences ("look at example.com", "good at it").
    static let commonWords: Set<String> = [
        "look", "looks", "looked", "looking", "meet", "meeting", "see", "stay", "staying", "arrive", "arrived",
        "arriving", "be", "is", "am", "are", "was", "were", "been", "available", "good", "great", "better", "best",
        "bad", "work", "works", "worked", "working", "live", "lives", "based", "me", "us", "him", "her", "them",
        "it", "this", "that", "here", "there", "and", "or", "not", "only", "start", "starts", "starting", "end",
        "ends", "done", "i", "you", "we", "they", "he", "she", "aim", "aimed", "aiming", "hit", "call", "reach",
        "contact", "email", "mail", "write", "find", "found", "located", "hosted", "deployed", "published",
        "posted", "online", "price", "priced", "rate", "rated", "charge", "charged", "sell", "sold",
        "buy", "bought", "even", "just", "right", "least", "most", "all", "once", "home", "office", "up", "out",
        "back", "laugh", "smile", "glance", "point", "pointed", "stare", "shop", "shopping", "expert", "skilled",
        "fast", "quick", "slow", "launch", "launched", "release", "released", "run", "running", "runs",
    ]
}
