import Foundation
import HTTPTypes
import Hummingbird

/// A type a path, query or header parameter can be read as.
public protocol ParameterValue: Sendable {
    /// Parses the parameter text; nil when it is not of this type.
    init?(parameter text: Substring)
    /// What a client must send, for the error message.
    static var expectation: String { get }
    /// A stand-in returned after a problem was recorded; `finish()` throws before it is ever used.
    static var placeholder: Self { get }
}

extension String: ParameterValue {
    public init?(parameter text: Substring) { self = String(text) }
    public static var expectation: String { "a string" }
    public static var placeholder: String { "" }
}

extension Int: ParameterValue {
    public init?(parameter text: Substring) { self.init(text, radix: 10) }
    public static var expectation: String { "an integer" }
    public static var placeholder: Int { 0 }
}

extension Double: ParameterValue {
    public init?(parameter text: Substring) {
        guard let value = Double(String(text)), value.isFinite else { return nil }
        self = value
    }
    public static var expectation: String { "a number" }
    public static var placeholder: Double { 0 }
}

extension Bool: ParameterValue {
    public init?(parameter text: Substring) {
        switch text {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public static var expectation: String { "true or false" }
    public static var placeholder: Bool { false }
}

/// A generated string enum read as a parameter: exactly one of its values (the generated code declares the
/// conformance for the enums parameters name).
extension ParameterValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    public init?(parameter text: Substring) { self.init(rawValue: String(text)) }
    public static var expectation: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
    public static var placeholder: Self { allCases[allCases.startIndex] }
}

/// Reads the path, query and header parameters of a request, collecting every problem before failing.
public struct ParameterReader {
    let request: Request
    let pathParameters: Parameters
    public private(set) var validator = Validator()

    public init(request: Request, context: some RequestContext) {
        self.request = request
        self.pathParameters = context.parameters
    }

    public mutating func path<V: ParameterValue>(_ name: String, as type: V.Type = V.self) -> V {
        let raw = pathParameters.get(name).map { $0.removingPercentEncoding ?? $0 }
        return required(raw.map { Substring($0) }, name)
    }

    public mutating func query<V: ParameterValue>(_ name: String, as type: V.Type = V.self) -> V? {
        optional(request.uri.queryParameters.get(name).map { Substring($0) }, name)
    }

    public mutating func requiredQuery<V: ParameterValue>(_ name: String, as type: V.Type = V.self) -> V {
        required(request.uri.queryParameters.get(name).map { Substring($0) }, name)
    }

    public mutating func header<V: ParameterValue>(_ name: String, as type: V.Type = V.self) -> V? {
        optional(headerText(name), name)
    }

    public mutating func requiredHeader<V: ParameterValue>(_ name: String, as type: V.Type = V.self) -> V {
        required(headerText(name), name)
    }

    /// Throws `VALIDATION_FAILED` when a parameter was missing or of the wrong type.
    public func finish() throws {
        try validator.finish()
    }

    private func headerText(_ name: String) -> Substring? {
        HTTPField.Name(name).flatMap { request.headers[$0] }.map { Substring($0) }
    }

    private mutating func required<V: ParameterValue>(_ text: Substring?, _ name: String) -> V {
        guard let text else {
            validator.add(name, "is required")
            return V.placeholder
        }
        return optional(text, name) ?? V.placeholder
    }

    private mutating func optional<V: ParameterValue>(_ text: Substring?, _ name: String) -> V? {
        guard let text else { return nil }
        guard !text.contains("\u{0}") else {
            validator.add(name, "must not contain NUL characters")
            return nil
        }
        guard let value = V(parameter: text) else {
            validator.add(name, "must be \(V.expectation)")
            return nil
        }
        return value
    }
}
