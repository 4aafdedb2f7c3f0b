/// One problem with one input field; `field` is a path such as `attachments[0].url` (empty for the whole input).
public struct FieldProblem: Sendable, Hashable, CustomStringConvertible, JSONWritable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { object in
            object.member("field", field)
            object.member("message", message)
        }
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// Builds field paths the same way everywhere: `a.b`, `a[0]`.
public enum FieldPath {
    public static func member(_ base: String, _ name: String) -> String {
        base.isEmpty ? name : base + "." + name
    }

    public static func element(_ base: String, _ index: Int) -> String {
        base + "[\(index)]"
    }
}
