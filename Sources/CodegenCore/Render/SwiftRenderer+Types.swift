/// DTOs: one Swift type per schema of components/schemas, decoded through `Decodable`, written through
/// `JSONWritable`, checked through `Validatable`.
extension SwiftRenderer {
    func renderTypes() -> String {
        var writer = header(imports: ["APIRuntime", "Foundation"])
        for (index, named) in model.schemas.enumerated() {
            if index > 0 { writer.line() }
            declare(named.schema, name: Naming.typeName(named.name), into: &writer)
        }
        return writer.text
    }

    /// Declares the type a schema needs under `name`: a struct, an enum, or a typealias.
    private func declare(_ schema: Schema, name: String, into writer: inout CodeWriter) {
        switch schema.kind {
        case .object(let properties):
            declareStruct(name: name, schema: schema, properties: properties, into: &writer)
        case .string(let rules) where rules.allowedValues != nil:
            declareEnum(name: name, values: rules.allowedValues ?? [], description: schema.description, into: &writer)
        default:
            writer.doc(schema.description)
            writer.line("public typealias \(name) = \(swiftType(schema, nestedName: name + "Item"))")
        }
    }

    private func declareEnum(name: String, values: [String], description: String?, into writer: inout CodeWriter) {
        writer.doc(description)
        writer.block(
            "public enum \(name): String, Decodable, Hashable, Sendable, CaseIterable, Validatable, JSONWritable {"
        ) { w in
            for value in values {
                let caseName = Naming.swiftIdentifier(value)
                w.line(
                    Naming.memberName(value) == value
                        ? "case \(caseName)" : "case \(caseName) = \(Naming.literal(value))"
                )
            }
            w.line()
            w.block("public init(from decoder: any Decoder) throws {") { w in
                w.line("self = try decodeStringEnum(from: decoder)")
            }
            w.line()
            w.line("public func validate(at path: String, into validator: inout Validator) {}")
        }
    }

    private func declareStruct(name: String, schema: Schema, properties: [Property], into writer: inout CodeWriter) {
        writer.doc(schema.description)
        writer.block("public struct \(name): Decodable, Hashable, Sendable, Validatable, JSONWritable {") { w in
            for property in properties {
                if let nested = nestedType(of: property) {
                    declare(nested.schema, name: nested.name, into: &w)
                    w.line()
                }
            }
            for property in properties {
                w.doc(property.schema.description)
                w.line("public var \(Naming.swiftIdentifier(property.name)): \(propertyType(property))")
            }
            w.line()
            writeInitializer(properties, into: &w)
            w.line()
            w.block("enum CodingKeys: String, CodingKey {") { w in
                for property in properties {
                    let member = Naming.swiftIdentifier(property.name)
                    w.line(
                        Naming.memberName(property.name) == property.name
                            ? "case \(member)" : "case \(member) = \(Naming.literal(property.name))"
                    )
                }
            }
            w.line()
            writeDecoder(properties, into: &w)
            w.line()
            writeJSONWriter(properties, into: &w)
            w.line()
            let lines =
                properties.flatMap { property in
                    checks(
                        property.schema,
                        value: "self.\(Naming.swiftIdentifier(property.name))",
                        optional: propertyType(property).hasSuffix("?"),
                        path: "FieldPath.member(path, \(Naming.literal(property.name)))",
                        depth: 0
                    )
                } + schema.conditions.flatMap { conditionChecks($0, properties: properties) }
            if lines.isEmpty {
                w.line("public func validate(at path: String, into validator: inout Validator) {}")
            } else {
                w.block("public func validate(at path: String, into validator: inout Validator) {") { w in
                    for line in lines { w.line(line) }
                }
            }
        }
    }

    private func writeInitializer(_ properties: [Property], into writer: inout CodeWriter) {
        let parameters = properties.map { property -> String in
            let name = Naming.swiftIdentifier(property.name)
            var parameter = "\(name): \(propertyType(property))"
            if let value = defaultLiteral(property) {
                parameter += " = \(value)"
            } else if !property.required {
                parameter += " = nil"
            }
            return parameter
        }
        writer.block("public init(\(parameters.joined(separator: ", "))) {") { w in
            for property in properties {
                let name = Naming.swiftIdentifier(property.name)
                w.line("self.\(name) = \(name)")
            }
        }
    }

    private func writeDecoder(_ properties: [Property], into writer: inout CodeWriter) {
        writer.block("public init(from decoder: any Decoder) throws {") { w in
            w.line("let container = try decoder.container(keyedBy: CodingKeys.self)")
            for property in properties {
                let name = Naming.swiftIdentifier(property.name)
                let type = swiftType(property.schema, nestedName: nestedName(property))
                let key = "." + Naming.memberName(property.name)
                if property.required {
                    let decoded = property.schema.nullable ? "\(type)?" : type
                    w.line("self.\(name) = try container.decode(\(decoded).self, forKey: \(key))")
                } else if let value = defaultLiteral(property) {
                    w.line("self.\(name) = try container.decodeIfPresent(\(type).self, forKey: \(key)) ?? \(value)")
                } else {
                    w.line("self.\(name) = try container.decodeIfPresent(\(type).self, forKey: \(key))")
                }
            }
        }
    }

    /// The encoding: the members in sorted key order, written directly as JSON (the generated types have no
    /// `encode(to:)`; `JSONCoding.encode` writes them).
    private func writeJSONWriter(_ properties: [Property], into writer: inout CodeWriter) {
        writer.block("public func writeJSON(to writer: inout JSONWriter) {") { w in
            guard !properties.isEmpty else {
                w.line("writer.object { _ in }")
                return
            }
            w.block("writer.object { object in") { w in
                for property in properties.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes($1.name.utf8) }) {
                    let name = Naming.swiftIdentifier(property.name)
                    let key = Naming.literal(property.name)
                    // Optional members without a default are left out when nil; a nil nullable member otherwise is
                    // written as null.
                    if !property.required && defaultLiteral(property) == nil {
                        w.line("object.member(ifPresent: \(key), self.\(name))")
                    } else {
                        w.line("object.member(\(key), self.\(name))")
                    }
                }
            }
        }
    }

    /// The statements of one `{if, then}` rule: when the tested property holds the value, the required properties
    /// are present and the constraints hold.
    private func conditionChecks(_ condition: Condition, properties: [Property]) -> [String] {
        guard let tested = properties.first(where: { $0.name == condition.property }) else { return [] }
        let subject = "self.\(Naming.swiftIdentifier(tested.name))"
        let optional = propertyType(tested).hasSuffix("?") ? "?" : ""
        let isEnum = if case .string(let rules) = tested.schema.kind { rules.allowedValues != nil } else { false }
        let value = isEnum ? "\(subject)\(optional).rawValue" : subject
        var lines = ["if \(value) == \(Naming.literal(condition.value)) {"]
        let reason = "when \(condition.property) is \(condition.value)"
        for name in condition.required {
            guard let property = properties.first(where: { $0.name == name }),
                propertyType(property).hasSuffix("?")
            else { continue }
            let path = "FieldPath.member(path, \(Naming.literal(name)))"
            lines.append(
                "    if self.\(Naming.swiftIdentifier(name)) == nil { validator.add(\(path), \(Naming.literal("is required " + reason))) }"
            )
        }
        for (name, constraint) in condition.constraints {
            let member = "self.\(Naming.swiftIdentifier(name))"
            let path = "FieldPath.member(path, \(Naming.literal(name)))"
            switch constraint {
            case .minItems(let count):
                lines.append("    validator.count(\(member), min: \(count), max: nil, at: \(path))")
            case .pattern(let pattern):
                lines.append("    validator.pattern(\(member), .\(pattern.caseName), at: \(path))")
            }
        }
        lines.append("}")
        return lines
    }

    /// Validation statements for a value of `schema`, checked against the schema's keywords.
    func checks(_ schema: Schema, value: String, optional: Bool, path: String, depth: Int) -> [String] {
        switch schema.kind {
        case .string(let rules):
            return stringChecks(rules, value: value, path: path)
        case .integer(let rules), .number(let rules):
            guard rules.minimum != nil || rules.maximum != nil else { return [] }
            return [
                "validator.range(\(value), min: \(literal(rules.minimum)), max: \(literal(rules.maximum)), at: \(path))"
            ]
        case .boolean(let allowed):
            return allowed.map { ["validator.equals(\(value), \($0), at: \(path))"] } ?? []
        case .array(let items, let minItems, let maxItems):
            return arrayChecks(
                items: items,
                count: (minItems, maxItems),
                value: value,
                optional: optional,
                path: path,
                depth: depth
            )
        case .object:
            return ["validator.nested(\(value), at: \(path))"]
        case .reference(let name):
            guard let target = named(name) else { return [] }
            switch target.kind {
            case .object:
                return ["validator.nested(\(value), at: \(path))"]
            case .string(let rules) where rules.allowedValues != nil:
                return []
            default:
                return checks(target, value: value, optional: optional, path: path, depth: depth)
            }
        }
    }

    private func stringChecks(_ rules: StringRules, value: String, path: String) -> [String] {
        var lines: [String] = []
        if let format = rules.format, format != .dateTime {
            lines.append("validator.format(\(value), .\(Naming.memberName(format.rawValue)), at: \(path))")
        }
        if rules.allowedValues == nil, rules.minLength != nil || rules.maxLength != nil {
            lines.append(
                "validator.length(\(value), min: \(literal(rules.minLength)), max: \(literal(rules.maxLength)), at: \(path))"
            )
        }
        if let pattern = rules.pattern {
            lines.append("validator.pattern(\(value), .\(pattern.caseName), at: \(path))")
        }
        return lines
    }

    /// The count bounds of an array and its elements' checks in a loop (element and index named by depth).
    private func arrayChecks(
        items: Schema,
        count: (min: Int?, max: Int?),
        value: String,
        optional: Bool,
        path: String,
        depth: Int
    ) -> [String] {
        var lines: [String] = []
        if count.min != nil || count.max != nil {
            lines.append(
                "validator.count(\(value), min: \(literal(count.min)), max: \(literal(count.max)), at: \(path))"
            )
        }
        let element = "element\(depth)"
        let index = "index\(depth)"
        let inner = checks(
            items,
            value: element,
            optional: items.nullable,
            path: "FieldPath.element(\(path), \(index))",
            depth: depth + 1
        )
        if !inner.isEmpty {
            let sequence = optional ? "(\(value) ?? [])" : value
            lines.append("for (\(index), \(element)) in \(sequence).enumerated() {")
            lines += inner.map { "    " + $0 }
            lines.append("}")
        }
        return lines
    }

    /// The Swift type of a schema; inline objects and enums are named `nestedName`.
    func swiftType(_ schema: Schema, nestedName: String) -> String {
        switch schema.kind {
        case .string(let rules):
            if rules.allowedValues != nil { return nestedName }
            return rules.format == .dateTime ? "Date" : "String"
        case .integer: return "Int"
        case .number: return "Double"
        case .boolean: return "Bool"
        case .array(let items, _, _): return "[\(swiftType(items, nestedName: nestedName + "Item"))]"
        case .object: return nestedName
        case .reference(let name): return Naming.typeName(name)
        }
    }

    private func propertyType(_ property: Property) -> String {
        let base = swiftType(property.schema, nestedName: nestedName(property))
        let optional = property.schema.nullable || (!property.required && defaultLiteral(property) == nil)
        return optional ? base + "?" : base
    }

    private func nestedName(_ property: Property) -> String {
        Naming.typeName(property.name)
    }

    /// The inline object or enum a property declares, which becomes a nested type.
    private func nestedType(of property: Property) -> (name: String, schema: Schema)? {
        var schema = property.schema
        var name = nestedName(property)
        while case .array(let items, _, _) = schema.kind {
            schema = items
            name += "Item"
        }
        switch schema.kind {
        case .object: return (name, schema)
        case .string(let rules) where rules.allowedValues != nil: return (name, schema)
        default: return nil
        }
    }

    /// The Swift literal of a property's default: the schema's `default`, or the value a one-value boolean enum pins.
    func defaultLiteral(_ property: Property) -> String? {
        switch (property.schema.defaultValue, property.schema.kind) {
        case (.string(let value), .string(let rules)) where rules.allowedValues != nil:
            return "." + Naming.swiftIdentifier(value)
        case (.string(let value), .reference(let name)) where isEnum(name):
            return "." + Naming.swiftIdentifier(value)
        case (.string(let value), _): return Naming.literal(value)
        case (.integer(let value), _): return String(value)
        case (.number(let value), _): return String(value)
        case (.boolean(let value), _): return String(value)
        case (nil, .boolean(let allowed?)): return String(allowed)
        default: return nil
        }
    }

    private func isEnum(_ name: String) -> Bool {
        if case .string(let rules)? = named(name)?.kind { return rules.allowedValues != nil }
        return false
    }

    private func literal(_ value: Int?) -> String {
        value.map(String.init) ?? "nil"
    }

    private func literal(_ value: Double?) -> String {
        guard let value else { return "nil" }
        return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
