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
    /// An object's `allOf: [{if, then}, …]` rules: constraints that hold when a property has a given value.
    public var conditions: [Condition] = []
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
        /// One Unicode emoji sequence: a format of this project's, checked by APIRuntime's `StringFormat.emoji`.
        case emoji
    }

    /// The `pattern`s the generator supports: each is a regular expression that means the same in ECMA-262 and
    /// Python (what client generators and contract testers use), with a check of the same meaning in APIRuntime's
    /// `StringPattern`, named by `caseName`.
    public enum Pattern: String, Sendable, CaseIterable {
        /// No NUL character anywhere (PostgreSQL text cannot hold one).
        case noNUL = "^[^\\u0000]*$"
        /// At least one character that is not white space (ECMA-262's WhiteSpace and LineTerminator, spelled out so
        /// that every regular-expression engine reads the same set).
        case notBlank = "[^\\u0009-\\u000d \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
        /// Starts with `http://` or `https://`, in any case.
        case httpURL = "^[Hh][Tt][Tt][Pp][Ss]?://"

        public var caseName: String {
            switch self {
            case .noNUL: "noNUL"
            case .notBlank: "notBlank"
            case .httpURL: "httpURL"
            }
        }
    }

    public var format: Format?
    public var minLength: Int?
    public var maxLength: Int?
    /// The `enum` values, when the schema has one.
    public var allowedValues: [String]?
    public var pattern: Pattern?

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

/// One `{if, then}` of an object's `allOf`: when `property` (a string) equals `value`, the properties in `required`
/// must be present and each constraint holds. `if: {properties: {<property>: {const: <value>}}, required: [...]}`.
public struct Condition: Sendable {
    public enum Constraint: Sendable {
        case minItems(Int)
        case pattern(StringRules.Pattern)
    }

    public var property: String
    public var value: String
    public var required: [String]
    public var constraints: [(property: String, constraint: Constraint)]
    public var location: SourceLocation

    public init(
        property: String,
        value: String,
        required: [String],
        constraints: [(property: String, constraint: Constraint)],
        location: SourceLocation
    ) {
        self.property = property
        self.value = value
        self.required = required
        self.constraints = constraints
        self.location = location
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
