import Generated

/// Phone numbers: 7 to 15 digits, written as digits or as words ("five five five"), in groups separated by a
/// space, dashes, dots or parentheses, with an optional leading "+". A run of digits is judged whole: amounts,
/// dates, year ranges, versions, decimals, thousands and references (order or invoice numbers) are not phones.
extension ScanPass {
    struct DigitGroup {
        var digits: String
        /// The separator before the group: "" for the first or a glued one, " ", "-", ".", "()", ",", "/".
        var separator: String
        var spelled: Bool
    }

    struct DigitRun {
        var groups: [DigitGroup]
        var start: Int
        var end: Int
        var plus: Bool
        var digitCount: Int { groups.reduce(0) { $0 + $1.digits.count } }
    }

    mutating func findPhones() {
        var index = 0
        while index < tokens.count {
            guard isFree(index, index + 1), let run = digitRun(from: index) else {
                index += 1
                continue
            }
            if isFree(run.start, run.end), isPhone(run) { claim(.phone, run.start, run.end) }
            index = max(run.end, index + 1)
        }
    }

    // MARK: Reading a run

    private func digitRun(from index: Int) -> DigitRun? {
        var cursor = index
        let plus = token(index)?.isSymbol("+") == true
        if plus || token(index)?.isSymbol("(") == true { cursor += 1 }
        guard let first = group(at: cursor) else { return nil }
        var groups = [DigitGroup(digits: first.digits, separator: "", spelled: first.spelled)]
        var digits = first.digits.count
        cursor = first.end
        // The whole run is read, so that no tail of a long number is judged alone; past 16 digits it is too long
        // for a phone and its groups are no longer kept.
        while let (separator, next) = separator(at: cursor, afterSpelled: groups.last!.spelled),
            let group = group(at: next)
        {
            digits += group.digits.count
            if digits <= 16 {
                groups.append(DigitGroup(digits: group.digits, separator: separator, spelled: group.spelled))
            } else {
                groups[groups.count - 1].digits += group.digits
            }
            cursor = group.end
        }
        if token(cursor)?.isSymbol(")") == true, groups.contains(where: { $0.separator == "()" }) == false,
            token(index)?.isSymbol("(") == true
        {
            cursor += 1
        }
        return DigitRun(groups: groups, start: index, end: cursor, plus: plus)
    }

    /// A number token or one spelled-out digit at `index`.
    private func group(at index: Int) -> (digits: String, end: Int, spelled: Bool)? {
        guard let token = token(index) else { return nil }
        if token.kind == .digits { return (token.text, index + 1, false) }
        if token.kind == .word, let digit = Self.digitWords[token.text] { return (digit, index + 1, true) }
        return nil
    }

    /// The separator at `index` when a digit group follows it: the separator's kind and where the group starts.
    private func separator(at index: Int, afterSpelled: Bool) -> (String, Int)? {
        guard let token = token(index) else { return nil }
        if group(at: index) != nil { return ("", index) }
        if token.kind == .space {
            guard token.text == " " || token.text == "\t" else { return nil }
            if let next = self.token(index + 1), next.isSymbol(in: "-()") {
                return symbolSeparator(at: index + 1, afterSpelled: afterSpelled)
            }
            return (" ", index + 1)
        }
        return symbolSeparator(at: index, afterSpelled: afterSpelled)
    }

    /// A symbol between groups. A comma joins spelled-out digits ("five, five, five") and plain digits glued to
    /// it (thousands, which are then no phone); a comma and a space between plain numbers separates two numbers.
    private func symbolSeparator(at index: Int, afterSpelled: Bool) -> (String, Int)? {
        guard let token = token(index), token.kind == .symbol else { return nil }
        var next = index + 1
        let kind: String
        switch token.text {
        case "-", "–", "‐", "‑": kind = "-"
        case ".": kind = "."
        case "/": kind = "/"
        case ",": kind = ","
        case "(", ")":
            kind = "()"
            if self.token(next)?.isSymbol(token.text == "(" ? ")" : "(") == true { return nil }
        default: return nil
        }
        if kind != ".", kind != "/", self.token(next)?.isInlineSpace == true {
            next += 1
            if kind == ",", !afterSpelled || group(at: next)?.spelled != true { return nil }
        }
        return (kind, next)
    }

    // MARK: Judging a run

    private func isPhone(_ run: DigitRun) -> Bool {
        let count = run.digitCount
        guard (7...15).contains(count), !isReference(before: run.start), !isAmount(after: run.end) else {
            return false
        }
        let groups = run.groups
        let separators = Set(groups.dropFirst().map(\.separator))
        if separators.contains("/") { return false }
        if groups.count == 1 { return groups[0].spelled || count >= 8 }
        let plainPairs = zip(groups, groups.dropFirst()).filter { !$0.0.spelled && !$0.1.spelled }
        if plainPairs.contains(where: { $0.1.separator == "," }) { return false }
        if run.plus { return true }
        let lengths = groups.map(\.digits.count)
        if separators == ["."], lengths.allSatisfy({ $0 <= 3 }) { return false }
        if groups.count == 2, groups[1].separator == ".", lengths[1] <= 2 { return false }
        if separators.count == 1, separators.isSubset(of: [" ", "."]), (1...2).contains(lengths[0]),
            lengths.dropFirst().allSatisfy({ $0 == 3 })
        {
            return false
        }
        return !isDate(groups) && !isYearRange(groups)
    }

    private func isDate(_ groups: [DigitGroup]) -> Bool {
        guard groups.count == 3 else { return false }
        let lengths = groups.map(\.digits.count)
        if Self.isYear(groups[0].digits), lengths[1] <= 2, lengths[2] <= 2 { return true }
        return Self.isYear(groups[2].digits) && lengths[0] <= 2 && lengths[1] <= 2
    }

    private func isYearRange(_ groups: [DigitGroup]) -> Bool {
        groups.count == 2 && groups.allSatisfy { Self.isYear($0.digits) }
    }

    private static func isYear(_ digits: String) -> Bool {
        digits.count == 4 && (digits.hasPrefix("19") || digits.hasPrefix("20"))
    }

    /// A number glued to a word or `#`, or after a currency or a reference word ("invoice 12345678").
    private func isReference(before start: Int) -> Bool {
        guard let before = token(start - 1) else { return false }
        if before.kind == .word || before.kind == .digits { return true }
        if before.kind == .symbol { return before.isSymbol(in: "#$€£¥₹₽¢") }
        guard before.isInlineSpace, let word = token(start - 2) else { return false }
        if word.kind == .symbol { return word.isSymbol(in: "$€£¥₹₽¢#") }
        return word.kind == .word && (Self.referenceWords.contains(word.text) || Self.currencies.contains(word.text))
    }

    /// A number glued to a word or `%`, or followed by a currency.
    private func isAmount(after end: Int) -> Bool {
        guard let after = token(end) else { return false }
        if after.kind == .word || after.kind == .digits { return true }
        if after.kind == .symbol { return after.isSymbol(in: "%$€£¥₹₽¢") }
        guard after.isInlineSpace, let word = token(end + 1) else { return false }
        if word.kind == .symbol { return word.isSymbol(in: "$€£¥₹₽¢%") }
        return word.kind == .word && Self.currencies.contains(word.text)
    }

    static let digitWords: [String: String] = [
        "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
        "eight": "8", "nine": "9",
    ]

    static let currencies: Set<String> = [
        "usd", "eur", "gbp", "inr", "jpy", "cny", "aud", "cad", "chf", "rub", "uah", "pln", "brl", "dollars",
        "dollar", "euros", "euro", "pounds", "rupees", "usdt", "btc", "eth", "cents",
    ]

    /// Words before a number that make it a reference rather than a phone number.
    static let referenceWords: Set<String> = [
        "order", "invoice", "inv", "ref", "reference", "ticket", "tracking", "sku", "transaction", "tx", "id",
        "po", "receipt", "isbn", "build", "version", "issue", "pr", "commit", "case", "item", "batch", "serial",
        "milestone",
    ]
}
