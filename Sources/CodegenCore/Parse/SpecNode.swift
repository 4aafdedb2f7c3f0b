import Yams

/// A YAML node of a spec file together with where it stands, so every problem can name a file and line.
struct SpecNode {
    let node: Node
    let file: String
    /// JSON pointer of this node inside its file, used to resolve and to describe references.
    let pointer: String
    /// Where this node is written; for a mapping value, the line of its key.
    let location: SourceLocation

    var string: String? {
        guard case .scalar(let scalar) = node else { return nil }
        return scalar.string
    }

    var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    var bool: Bool? {
        guard case .scalar = node else { return nil }
        return node.bool
    }

    var int: Int? {
        guard case .scalar = node else { return nil }
        return node.int
    }

    var double: Double? {
        guard case .scalar = node else { return nil }
        return node.float ?? node.int.map(Double.init)
    }

    /// The entries of a mapping in written order, each with the location of its key.
    var entries: [(key: String, value: SpecNode)] {
        guard case .mapping(let mapping) = node else { return [] }
        return mapping.compactMap { key, value in
            guard let name = key.string else { return nil }
            let mark = key.mark ?? value.mark
            let location = SourceLocation(
                file: file,
                line: mark?.line ?? location.line,
                column: mark?.column ?? location.column
            )
            return (
                name, SpecNode(node: value, file: file, pointer: pointer + "/" + Self.escape(name), location: location)
            )
        }
    }

    var keys: [String] { entries.map(\.key) }

    /// The elements of a sequence, each at its own line.
    var elements: [SpecNode] {
        guard case .sequence(let sequence) = node else { return [] }
        return sequence.enumerated().map { index, element in
            let location = element.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) } ?? location
            return SpecNode(node: element, file: file, pointer: pointer + "/\(index)", location: location)
        }
    }

    var isSequence: Bool {
        if case .sequence = node { return true }
        return false
    }

    subscript(key: String) -> SpecNode? {
        entries.first { $0.key == key }?.value
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ token: Substring) -> String {
        token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
}
