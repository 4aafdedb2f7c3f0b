extension DecodingError {
    /// Whether the input was not JSON at all (as opposed to JSON of the wrong shape).
    var isMalformedJSON: Bool {
        if case .dataCorrupted(let context) = self, context.codingPath.isEmpty {
            return true
        }
        return false
    }

    /// The field-level problem a client can act on: where, and what was expected.
    var fieldProblem: FieldProblem {
        switch self {
        case .typeMismatch(let type, let context):
            return FieldProblem(field: Self.path(context.codingPath), message: "must be \(Self.describe(type))")
        case .valueNotFound(_, let context):
            return FieldProblem(field: Self.path(context.codingPath), message: "must not be null")
        case .keyNotFound(let key, let context):
            return FieldProblem(field: Self.path(context.codingPath + [key]), message: "is required")
        case .dataCorrupted(let context):
            return FieldProblem(field: Self.path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return FieldProblem(field: "", message: "is invalid")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(into: "") { path, key in
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == String(index) {
                path = FieldPath.element(path, index)
            } else {
                path = FieldPath.member(path, key.stringValue)
            }
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "of type \(name)"
        }
    }
}
