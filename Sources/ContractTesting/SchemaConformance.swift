import APIRuntime
import CodegenCore
import Foundation

/// Checks a JSON value against a schema of the model; each problem names the JSON path that breaks it.
struct SchemaConformance {
    let model: APIModel

    func problems(_ value: JSONValue, against schema: Schema, at path: String) -> [String] {
        if value == .null {
            return schema.nullable ? [] : ["\(label(path)): is null but the schema does not allow null"]
        }
        switch schema.kind {
        case .reference(let name):
            guard let target = model.schema(named: name)?.schema else {
                return ["\(label(path)): unknown schema \(name)"]
            }
            return problems(value, against: target, at: path)
        case .string(let rules):
            guard let text = value.string else { return [mismatch(path, "string", value)] }
            return stringProblems(text, rules, at: path)
        case .integer(let rules):
            guard let number = value.int else { return [mismatch(path, "integer", value)] }
            return rangeProblems(Double(number), rules, at: path)
        case .number(let rules):
            switch value {
            case .integer(let number): return rangeProblems(Double(number), rules, at: path)
            case .number(let number): return rangeProblems(number, rules, at: path)
            default: return [mismatch(path, "number", value)]
            }
        case .boolean(let allowed):
            guard let flag = value.bool else { return [mismatch(path, "boolean", value)] }
            if let allowed, flag != allowed { return ["\(label(path)): must be \(allowed)"] }
            return []
        case .array(let items, let minItems, let maxItems):
            guard let elements = value.array else { return [mismatch(path, "array", value)] }
            var result: [String] = []
            if let minItems, elements.count < minItems { result.append("\(label(path)): fewer than \(minItems) items") }
            if let maxItems, elements.count > maxItems { result.append("\(label(path)): more than \(maxItems) items") }
            for (index, element) in elements.enumerated() {
                result += problems(element, against: items, at: "\(path)[\(index)]")
            }
            return result
        case .object(let properties):
            guard case .object(let members) = value else { return [mismatch(path, "object", value)] }
            var result: [String] = []
            for property in properties {
                let childPath = path.isEmpty ? property.name : "\(path).\(property.name)"
                guard let member = members[property.name] else {
                    if property.required { result.append("\(childPath): is required but missing") }
                    continue
                }
                result += problems(member, against: property.schema, at: childPath)
            }
            for condition in schema.conditions {
                result += conditionProblems(condition, members: members, properties: properties, at: path)
            }
            return result
        }
    }

    /// An `{if, then}` rule: when the tested member holds the value (or is absent and defaults to it), the required
    /// members are present and the constraints hold.
    private func conditionProblems(
        _ condition: Condition,
        members: [String: JSONValue],
        properties: [Property],
        at path: String
    ) -> [String] {
        let tested = members[condition.property]
        let defaultValue = properties.first { $0.name == condition.property }?.schema.defaultValue
        let applies = tested.map { $0.string == condition.value } ?? (defaultValue == .string(condition.value))
        guard applies else { return [] }
        let prefix = path.isEmpty ? "" : path + "."
        var result: [String] = []
        for name in condition.required where members[name] == nil {
            result.append("\(prefix)\(name): is required when \(condition.property) is \(condition.value)")
        }
        for (name, constraint) in condition.constraints {
            guard let member = members[name] else { continue }
            switch constraint {
            case .minItems(let count):
                if let elements = member.array, elements.count < count {
                    result.append(
                        "\(prefix)\(name): fewer than \(count) items when \(condition.property) is \(condition.value)"
                    )
                }
            case .pattern(let pattern):
                if let text = member.string, !Self.accepts(text, pattern) {
                    result.append("\(prefix)\(name): does not match \(pattern.rawValue)")
                }
            }
        }
        return result
    }

    /// The runtime's check of a pattern (the one implementation of its meaning).
    static func accepts(_ text: String, _ pattern: StringRules.Pattern) -> Bool {
        StringPattern(rawValue: pattern.caseName)?.accepts(text) ?? false
    }

    private func stringProblems(_ text: String, _ rules: StringRules, at path: String) -> [String] {
        var result: [String] = []
        let length = text.unicodeScalars.count
        if let minLength = rules.minLength, length < minLength {
            result.append("\(label(path)): shorter than \(minLength)")
        }
        if let maxLength = rules.maxLength, length > maxLength {
            result.append("\(label(path)): longer than \(maxLength)")
        }
        if let pattern = rules.pattern, !Self.accepts(text, pattern) {
            result.append("\(label(path)): does not match \(pattern.rawValue)")
        }
        if let allowed = rules.allowedValues, !allowed.contains(text) {
            result.append("\(label(path)): '\(text)' is not one of \(allowed.joined(separator: ", "))")
        }
        switch rules.format {
        case .uuid?:
            if UUID(uuidString: text) == nil { result.append("\(label(path)): '\(text)' is not a UUID") }
        case .dateTime?:
            if !Self.isDateTime(text) { result.append("\(label(path)): '\(text)' is not an RFC 3339 date-time") }
        case .uri?:
            if URL(string: text)?.scheme == nil { result.append("\(label(path)): '\(text)' is not an absolute URI") }
        case .email?:
            if !text.contains("@") { result.append("\(label(path)): '\(text)' is not an email address") }
        case .emoji?:
            if !StringFormat.emoji.accepts(text) { result.append("\(label(path)): '\(text)' is not a single emoji") }
        case nil:
            break
        }
        return result
    }

    private func rangeProblems(_ number: Double, _ rules: NumberRules, at path: String) -> [String] {
        var result: [String] = []
        if let minimum = rules.minimum, number < minimum {
            result.append("\(label(path)): \(number) is below \(minimum)")
        }
        if let maximum = rules.maximum, number > maximum {
            result.append("\(label(path)): \(number) is above \(maximum)")
        }
        return result
    }

    private func mismatch(_ path: String, _ expected: String, _ value: JSONValue) -> String {
        "\(label(path)): expected \(expected), found \(value.typeName)"
    }

    private func label(_ path: String) -> String {
        path.isEmpty ? "(root)" : path
    }

    static func isDateTime(_ text: String) -> Bool {
        if (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) != nil { return true }
        return (try? Date.ISO8601FormatStyle().parse(text)) != nil
    }
}
