import Foundation

/// A value that checks the schema keywords a `Codable` decode cannot (lengths, ranges, formats, counts).
public protocol Validatable {
    func validate(at path: String, into validator: inout Validator)
}

extension Validatable {
    /// Throws `VALIDATION_FAILED` with every problem found.
    public func validated() throws -> Self {
        var validator = Validator()
        validate(at: "", into: &validator)
        try validator.finish()
        return self
    }
}

extension Array: Validatable where Element: Validatable {
    public func validate(at path: String, into validator: inout Validator) {
        for (index, element) in enumerated() {
            element.validate(at: FieldPath.element(path, index), into: &validator)
        }
    }
}

extension Optional: Validatable where Wrapped: Validatable {
    public func validate(at path: String, into validator: inout Validator) {
        self?.validate(at: path, into: &validator)
    }
}

/// Collects field problems; generated `validate` methods call its checks with the schema's bounds.
public struct Validator: Sendable {
    public private(set) var problems: [FieldProblem] = []

    public init() {}

    public mutating func add(_ path: String, _ message: String) {
        problems.append(FieldProblem(field: path, message: message))
    }

    /// Throws `VALIDATION_FAILED` listing every problem, when there is one.
    public func finish() throws {
        if !problems.isEmpty { throw APIError.validationFailed(problems) }
    }

    /// `minLength`/`maxLength`, counted in Unicode code points as JSON Schema does.
    public mutating func length(_ value: String?, min: Int?, max: Int?, at path: @autoclosure () -> String) {
        guard let value, min != nil || max != nil else { return }
        let count = value.unicodeScalars.count
        if let min, count < min {
            add(path(), min == 1 ? "must not be empty" : "must be at least \(min) characters")
        }
        if let max, count > max { add(path(), "must be at most \(max) characters") }
    }

    /// `minimum`/`maximum`.
    public mutating func range<N: BinaryInteger>(
        _ value: N?,
        min: Double?,
        max: Double?,
        at path: @autoclosure () -> String
    ) {
        range(value.map { Double($0) }, min: min, max: max, at: path())
    }

    public mutating func range(_ value: Double?, min: Double?, max: Double?, at path: @autoclosure () -> String) {
        guard let value else { return }
        if !value.isFinite { add(path(), "must be a finite number") }
        if let min, value < min { add(path(), "must be at least \(Self.format(min))") }
        if let max, value > max { add(path(), "must be at most \(Self.format(max))") }
    }

    /// `minItems`/`maxItems`.
    public mutating func count<C: Collection>(_ value: C?, min: Int?, max: Int?, at path: @autoclosure () -> String) {
        guard let value else { return }
        if let min, value.count < min { add(path(), "must have at least \(min) items") }
        if let max, value.count > max { add(path(), "must have at most \(max) items") }
    }

    /// A one-value boolean `enum` (`success: true`).
    public mutating func equals(_ value: Bool?, _ expected: Bool, at path: @autoclosure () -> String) {
        guard let value, value != expected else { return }
        add(path(), "must be \(expected)")
    }

    /// String `format` keywords.
    public mutating func format(_ value: String?, _ format: StringFormat, at path: @autoclosure () -> String) {
        guard let value, !format.accepts(value) else { return }
        add(path(), format.requirement)
    }

    /// String `pattern` keywords.
    public mutating func pattern(_ value: String?, _ pattern: StringPattern, at path: @autoclosure () -> String) {
        guard let value, !pattern.accepts(value) else { return }
        add(path(), pattern.requirement)
    }

    /// Nested values validate themselves under their own path.
    public mutating func nested<V: Validatable>(_ value: V?, at path: @autoclosure () -> String) {
        value?.validate(at: path(), into: &self)
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
