/// A JSON schema in the subset the generator supports (see Sources/codegen/README.md).
public struct Schema: Sendable {
    public indirect enum Kind: Sendable {
        case string(StringRules)
        case integer(NumberRules)
        case number(NumberRules)
        /// `allowed` is set when the schema pins the value with a one-element `enum`.
        case boolean(allowed: Bool?)
        case array(items: Schema, minItems: Int?, maxItems: Int?)
        case object([Property])
        /// A named schema of `components/schemas` in openapi.yaml.
        case reference(String)
    }

    public var kind: Kind
    /// The value may be JSON `null` (`type: [T, 'null']` or `oneOf: [T, {type: 'null'}]`).
    public var nullable: Bool
    public var description: String?
    public var defaultValue: DefaultValue?
    public var location: SourceLocation

    public init(
        kind: Kind,
        nullable: Bool = false,
        description: String? = nil,
        defaultValue: DefaultValue? = nil,
        location: SourceLocation
    ) {
        self.kind = kind
        self.nullable = nullable
        self.description = description
        self.defaultValue = defaultValue
        self.location = location
    }
}

public struct StringRules: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case uuid
        case dateTime = "date-time"
        case uri
        case email
    }

    public var format: Format?
    public var minLength: Int?
    public var maxLength: Int?
    /// The `enum` values, when the schema has one.
    public var allowedValues: [String]?

    public init(format: Format? = nil, minLength: Int? = nil, maxLength: Int? = nil, allowedValues: [String]? = nil) {
        self.format = format
        self.minLength = minLength
        self.maxLength = maxLength
        self.allowedValues = allowedValues
    }
}

public struct NumberRules: Sendable {
    public var minimum: Double?
    public var maximum: Double?

    public init(minimum: Double? = nil, maximum: Double? = nil) {
        self.minimum = minimum
        self.maximum = maximum
    }
}

public struct Property: Sendable {
    /// The JSON name.
    public var name: String
    public var schema: Schema
    public var required: Bool

    public init(name: String, schema: Schema, required: Bool) {
        self.name = name
        self.schema = schema
        self.required = required
    }
}

/// A `default` value of a scalar schema.
public enum DefaultValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
}

/// A schema of `components/schemas`, the unit that becomes one named type.
public struct NamedSchema: Sendable {
    public var name: String
    public var schema: Schema
}
