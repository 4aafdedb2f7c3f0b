extension Settings {
    /// The README's configuration table.
    static var markdownTable: String {
        var table = "| Variable | Default | Meaning |\n|---|---|---|\n"
        for setting in all {
            let names = setting.names.map { "`\($0)`" }
            let name = names.count == 1 ? names[0] : "\(names[0]) (alias \(names.dropFirst().joined(separator: ", ")))"
            table += "| \(name) | \(setting.defaultText) | \(setting.meaning.replacingPipes) |\n"
        }
        return table
    }

    /// One block per setting, for a terminal.
    static var plainList: String {
        all.map { setting in
            "\(setting.names.joined(separator: ", ")) (default: \(setting.defaultText))\n    \(setting.meaning)\n"
        }.joined()
    }
}

extension String {
    /// A cell's text with its `|` escaped, so that it stays one cell.
    fileprivate var replacingPipes: String {
        var escaped = ""
        for character in self {
            if character == "|" { escaped += "\\|" } else { escaped.append(character) }
        }
        return escaped
    }
}
