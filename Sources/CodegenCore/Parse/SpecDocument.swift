import Foundation
import Yams

/// One loaded spec file: its text, its root node and the name diagnostics use for it.
struct SpecDocument {
    /// The path as given (diagnostics print it unchanged).
    let path: String
    let root: SpecNode

    /// Reads and parses a YAML file; a syntax error becomes a diagnostic at the line the parser names.
    static func load(path: String, diagnostics: DiagnosticCollector) -> SpecDocument? {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            diagnostics.error("cannot read the file", at: start)
            return nil
        }
        return parse(text: text, path: path, diagnostics: diagnostics)
    }

    static func parse(text: String, path: String, diagnostics: DiagnosticCollector) -> SpecDocument? {
        let start = SourceLocation(file: path, line: 1, column: 1)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                diagnostics.error("the file is empty", at: start)
                return nil
            }
            let root = SpecNode(node: node, file: path, pointer: "", location: start)
            guard root.isMapping else {
                diagnostics.error("the document must be a mapping", at: start)
                return nil
            }
            return SpecDocument(path: path, root: root)
        } catch let error as YamlError {
            diagnostics.error("invalid YAML: \(Self.describe(error))", at: Self.location(of: error, in: path) ?? start)
            return nil
        } catch {
            diagnostics.error("invalid YAML: \(error)", at: start)
            return nil
        }
    }

    private static func location(of error: YamlError, in path: String) -> SourceLocation? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: path, line: mark.line, column: mark.column)
        default:
            return nil
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(error)"
        }
    }
}
