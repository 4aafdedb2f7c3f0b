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
            key.string.map { (key: $0, value: child(named: $0, key: key, value: value)) }
        }
    }

    /// The node of one entry, located at its key.
    private func child(named name: String, key: Node, value: Node) -> SpecNode {
        let mark = key.mark ?? value.mark
        let location = SourceLocation(
            file: file,
            line: mark?.line ?? location.line,
            column: mark?.column ?? location.column
        )
        return SpecNode(node: value, file: file, pointer: pointer + "/" + Self.escape(name), location: location)
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

    /// One entry of a mapping; only its node is built (lookups run once per property while the spec is read).
    subscript(key: String) -> SpecNode? {
        guard case .mapping(let mapping) = node else { return nil }
        for (name, value) in mapping where name.string == key {
            return child(named: key, key: name, value: value)
        }
        return nil
    }

    static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ token: Substring) -> String {
        token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
}
