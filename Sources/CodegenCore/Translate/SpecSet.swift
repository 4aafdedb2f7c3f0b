import Foundation

/// The loaded spec files and `$ref` resolution inside and across them.
struct SpecSet {
    let openAPI: SpecDocument
    let asyncAPI: SpecDocument?

    private var documents: [SpecDocument] { [openAPI] + (asyncAPI.map { [$0] } ?? []) }

    /// Where a reference points: the document and the node, or nil when it leads nowhere.
    func resolve(_ reference: String, from node: SpecNode) -> SpecNode? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let filePart = parts.first.map(String.init) ?? ""
        let pointer = parts.count > 1 ? String(parts[1]) : ""
        guard let document = document(named: filePart, relativeTo: node.file) else { return nil }
        var current = document.root
        for token in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            let key = SpecNode.unescape(token)
            if current.isSequence, let index = Int(key), current.elements.indices.contains(index) {
                current = current.elements[index]
            } else if let next = current[key] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }

    /// The node a `$ref` leads to (followed repeatedly), or the node itself when it is no reference.
    func follow(_ node: SpecNode, diagnostics: DiagnosticCollector) -> SpecNode? {
        var current = node
        for _ in 0..<8 {
            guard let reference = current["$ref"] else { return current }
            guard let target = reference.string.flatMap({ resolve($0, from: reference) }) else {
                diagnostics.error("unresolved reference '\(reference.string ?? "")'", at: reference.location)
                return nil
            }
            current = target
        }
        diagnostics.error("reference chain too long", at: node.location)
        return nil
    }

    /// The name of the openapi.yaml component schema a reference points at, if it points at one.
    func componentSchemaName(_ reference: String, from node: SpecNode) -> String? {
        guard let target = resolve(reference, from: node), target.file == openAPI.path else { return nil }
        let prefix = "/components/schemas/"
        guard target.pointer.hasPrefix(prefix) else { return nil }
        let name = String(target.pointer.dropFirst(prefix.count))
        return name.contains("/") ? nil : SpecNode.unescape(Substring(name))
    }

    private func document(named file: String, relativeTo referrer: String) -> SpecDocument? {
        if file.isEmpty { return documents.first { $0.path == referrer } }
        let base = URL(fileURLWithPath: referrer).deletingLastPathComponent()
        let target = URL(fileURLWithPath: file, relativeTo: base).standardizedFileURL.path
        return documents.first { URL(fileURLWithPath: $0.path).standardizedFileURL.path == target }
    }
}
