/// Accumulates generated source text with indentation.
struct CodeWriter {
    private(set) var text = ""
    private var level = 0
    let indentUnit: String

    init(indentUnit: String = "    ") {
        self.indentUnit = indentUnit
    }

    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: indentUnit, count: level) + content + "\n"
        }
    }

    /// Writes `opener`, the body one level deeper, then `closer`.
    mutating func block(_ opener: String, closer: String = "}", _ body: (inout CodeWriter) -> Void) {
        line(opener)
        level += 1
        body(&self)
        level -= 1
        line(closer)
    }

    /// `///` doc comment lines (nothing for nil or empty text).
    mutating func doc(_ text: String?) {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return }
        for row in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line(row.isEmpty ? "///" : "/// " + row)
        }
    }

    /// `/** … */` doc comment for TypeScript.
    mutating func jsDoc(_ text: String?) {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return }
        let rows = text.replacingOccurrences(of: "*/", with: "*\\/").split(
            separator: "\n",
            omittingEmptySubsequences: false
        )
        if rows.count == 1 {
            line("/** \(rows[0]) */")
        } else {
            line("/**")
            for row in rows { line(row.isEmpty ? " *" : " * " + row) }
            line(" */")
        }
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension Set where Element == Character {
    static let whitespacesAndNewlines: Set<Character> = [" ", "\t", "\n", "\r"]
}
