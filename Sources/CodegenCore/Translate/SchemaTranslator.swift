/// Turns schema nodes into `Schema` values, reporting every keyword outside the supported subset.
struct SchemaTranslator {
    let specs: SpecSet
    let diagnostics: DiagnosticCollector

    static let supportedKeywords: Set<String> = [
        "type", "properties", "required", "items", "enum", "format", "minLength", "maxLength", "minimum",
        "maximum", "minItems", "maxItems", "default", "description", "title", "example", "examples", "$ref",
        "oneOf", "pattern", "allOf",
    ]

    func translate(_ node: SpecNode) -> Schema? {
        guard node.isMapping else {
            diagnostics.error("a schema must be a mapping", at: node.location)
            return nil
        }
        for key in node.keys where !Self.supportedKeywords.contains(key) && !key.hasPrefix("x-") {
            let location = node.entries.first { $0.key == key }?.value.location ?? node.location
            diagnostics.error("unsupported schema keyword '\(key)'", at: location)
        }
        let description = node["description"]?.string
        if let reference = node["$ref"] {
            return translateReference(reference, description: description)
        }
        if let oneOf = node["oneOf"] {
            return translateNullableOneOf(oneOf, description: description)
        }
        guard let (type, nullable) = typeOf(node) else { return nil }
        let kind: Schema.Kind
        switch type {
        case "string": kind = .string(stringRules(node))
        case "integer": kind = .integer(numberRules(node))
        case "number": kind = .number(numberRules(node))
        case "boolean": kind = .boolean(allowed: booleanEnum(node))
        case "array":
            guard let itemsNode = node["items"] else {
                diagnostics.error("an array schema needs 'items'", at: node.location)
                return nil
            }
            guard let items = translate(itemsNode) else { return nil }
            kind = .array(items: items, minItems: count(node, "minItems"), maxItems: count(node, "maxItems"))
        case "object": kind = .object(properties(node))
        default:
            diagnostics.error("unsupported type '\(type)'", at: node["type"]?.location ?? node.location)
            return nil
        }
        checkKeywords(of: type, in: node)
        var schema = Schema(
            kind: kind,
            nullable: nullable,
            description: description,
            defaultValue: defaultValue(node, type: type),
            location: node.location
        )
        if case .object(let properties) = kind, let allOf = node["allOf"] {
            schema.conditions = ConditionTranslator(diagnostics: diagnostics).conditions(allOf, properties: properties)
        }
        return schema
    }

    private func translateReference(_ reference: SpecNode, description: String?) -> Schema? {
        guard let target = reference.string else {
            diagnostics.error("'$ref' must be a string", at: reference.location)
            return nil
        }
        guard specs.resolve(target, from: reference) != nil else {
            diagnostics.error("unresolved reference '\(target)'", at: reference.location)
            return nil
        }
        guard let name = specs.componentSchemaName(target, from: reference) else {
            diagnostics.error(
                "schema reference '\(target)' must point at openapi.yaml#/components/schemas/<name>",
                at: reference.location
            )
            return nil
        }
        return Schema(kind: .reference(name), description: description, location: reference.location)
    }

    /// Accepts only `oneOf: [<schema>, {type: 'null'}]`, the 3.1 spelling of a nullable reference.
    private func translateNullableOneOf(_ oneOf: SpecNode, description: String?) -> Schema? {
        let options = oneOf.elements
        let nullIndex = options.firstIndex { $0["type"]?.string == "null" && $0.keys.count == 1 }
        guard options.count == 2, let nullIndex else {
            diagnostics.error("'oneOf' is supported only as [<schema>, {type: 'null'}]", at: oneOf.location)
            return nil
        }
        guard var schema = translate(options[1 - nullIndex]) else { return nil }
        schema.nullable = true
        if let description { schema.description = description }
        return schema
    }

    private func typeOf(_ node: SpecNode) -> (String, Bool)? {
        guard let typeNode = node["type"] else {
            diagnostics.error("a schema needs 'type' or '$ref'", at: node.location)
            return nil
        }
        if let type = typeNode.string { return (type, false) }
        let names = typeNode.elements.compactMap(\.string)
        let nonNull = names.filter { $0 != "null" }
        guard typeNode.isSequence, nonNull.count == 1, names.count <= 2 else {
            diagnostics.error("'type' must be one type, or one type and 'null'", at: typeNode.location)
            return nil
        }
        return (nonNull[0], names.count == 2)
    }

    private static let keywordsByType: [String: Set<String>] = [
        "string": ["format", "minLength", "maxLength", "enum", "pattern"],
        "integer": ["minimum", "maximum", "format"],
        "number": ["minimum", "maximum", "format"],
        "boolean": ["enum"],
        "array": ["items", "minItems", "maxItems"],
        "object": ["properties", "required", "allOf"],
    ]

    /// A keyword that is supported but means nothing for this type is an error, not a silent no-op.
    private func checkKeywords(of type: String, in node: SpecNode) {
        let specific = Self.keywordsByType.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        let allowed = Self.keywordsByType[type] ?? []
        for (key, value) in node.entries where specific.contains(key) && !allowed.contains(key) {
            diagnostics.error("'\(key)' does not apply to type '\(type)'", at: value.location)
        }
        if type == "integer" || type == "number", let format = node["format"] {
            if !["int32", "int64", "float", "double"].contains(format.string ?? "") {
                diagnostics.error("unsupported number format '\(format.string ?? "")'", at: format.location)
            }
        }
    }

    private func stringRules(_ node: SpecNode) -> StringRules {
        var rules = StringRules(minLength: count(node, "minLength"), maxLength: count(node, "maxLength"))
        if let format = node["format"] {
            if let value = format.string.flatMap(StringRules.Format.init(rawValue:)) {
                rules.format = value
            } else {
                let known = StringRules.Format.allCases.map(\.rawValue).joined(separator: ", ")
                diagnostics.error(
                    "unsupported string format '\(format.string ?? "")' (supported: \(known))",
                    at: format.location
                )
            }
        }
        if let pattern = node["pattern"] {
            rules.pattern = Self.pattern(pattern, diagnostics: diagnostics)
        }
        if let values = node["enum"] {
            let strings = values.elements.compactMap(\.string)
            if !values.isSequence || strings.isEmpty || strings.count != values.elements.count {
                diagnostics.error("'enum' must be a non-empty list of strings", at: values.location)
            } else {
                rules.allowedValues = strings
            }
        }
        return rules
    }

    /// One of the patterns the runtime implements; any other is an error naming the supported ones.
    static func pattern(_ node: SpecNode, diagnostics: DiagnosticCollector) -> StringRules.Pattern? {
        if let text = node.string, let pattern = StringRules.Pattern(rawValue: text) { return pattern }
        let known = StringRules.Pattern.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        diagnostics.error("unsupported pattern '\(node.string ?? "")' (supported: \(known))", at: node.location)
        return nil
    }

    private func numberRules(_ node: SpecNode) -> NumberRules {
        NumberRules(minimum: number(node, "minimum"), maximum: number(node, "maximum"))
    }

    private func booleanEnum(_ node: SpecNode) -> Bool? {
        guard let values = node["enum"] else { return nil }
        let elements = values.elements
        guard elements.count == 1, let value = elements[0].bool else {
            diagnostics.error("a boolean 'enum' must hold exactly one value", at: values.location)
            return nil
        }
        return value
    }

    private func properties(_ node: SpecNode) -> [Property] {
        let required = Set((node["required"]?.elements ?? []).compactMap(\.string))
        let entries = node["properties"]?.entries ?? []
        let names = Set(entries.map(\.key))
        for name in required.subtracting(names).sorted() {
            diagnostics.error(
                "required property '\(name)' is not defined",
                at: node["required"]?.location ?? node.location
            )
        }
        return entries.compactMap { name, value in
            translate(value).map { Property(name: name, schema: $0, required: required.contains(name)) }
        }
    }

    private func count(_ node: SpecNode, _ key: String) -> Int? {
        guard let value = node[key] else { return nil }
        guard let int = value.int, int >= 0 else {
            diagnostics.error("'\(key)' must be a non-negative integer", at: value.location)
            return nil
        }
        return int
    }

    private func number(_ node: SpecNode, _ key: String) -> Double? {
        guard let value = node[key] else { return nil }
        guard let double = value.double else {
            diagnostics.error("'\(key)' must be a number", at: value.location)
            return nil
        }
        return double
    }

    private func defaultValue(_ node: SpecNode, type: String) -> DefaultValue? {
        guard let value = node["default"] else { return nil }
        let result: DefaultValue?
        switch type {
        case "string": result = value.string.map(DefaultValue.string)
        case "integer": result = value.int.map(DefaultValue.integer)
        case "number": result = value.double.map(DefaultValue.number)
        case "boolean": result = value.bool.map(DefaultValue.boolean)
        default: result = nil
        }
        if result == nil { diagnostics.error("unsupported 'default' for type '\(type)'", at: value.location) }
        return result
    }
}
