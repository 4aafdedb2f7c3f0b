/// Translates an object's `allOf: [{if, then}, …]` into `Condition`s, in the one form the generator supports:
///
/// ```yaml
/// allOf:
///   - if: {properties: {messageType: {const: file}}, required: [messageType]}
///     then: {required: [attachments], properties: {attachments: {minItems: 1}}}
/// ```
///
/// `if` tests one string property for one value. Without `required`, JSON Schema's `if` also matches when the
/// property is absent, which the generated code (where an absent property holds its default) means only when the
/// default is that value; so `required` must be left out exactly when the default is the tested value. `then` may
/// require properties and constrain them with `minItems` (arrays) or a supported `pattern` (strings).
struct ConditionTranslator {
    let diagnostics: DiagnosticCollector

    func conditions(_ allOf: SpecNode, properties: [Property]) -> [Condition] {
        guard allOf.isSequence else {
            diagnostics.error("'allOf' must be a list of {if, then} rules", at: allOf.location)
            return []
        }
        return allOf.elements.compactMap { condition($0, properties: properties) }
    }

    private func condition(_ node: SpecNode, properties: [Property]) -> Condition? {
        guard node.isMapping, Set(node.keys).isSubset(of: ["if", "then", "description"]),
            let ifNode = node["if"], let thenNode = node["then"]
        else {
            diagnostics.error("each 'allOf' item must be {if, then} (optionally with a description)", at: node.location)
            return nil
        }
        guard let (name, value) = test(ifNode), let tested = properties.first(where: { $0.name == name }) else {
            diagnostics.error(
                "'if' must be {properties: {<string property>: {const: <string>}}} with an optional 'required'",
                at: ifNode.location
            )
            return nil
        }
        guard case .string = tested.schema.kind else {
            diagnostics.error("the 'if' must test a string property; '\(name)' is not one", at: ifNode.location)
            return nil
        }
        let listsRequired = ifNode["required"] != nil
        if ifNode["required"].map({ $0.elements.compactMap(\.string) != [name] }) ?? false {
            diagnostics.error("the 'if' may require only '\(name)'", at: ifNode.location)
        }
        let defaultMatches = tested.schema.defaultValue == .string(value)
        if !tested.required, listsRequired == defaultMatches {
            diagnostics.error(
                defaultMatches
                    ? "'\(name)' defaults to '\(value)': leave 'required' out of the 'if' so an absent value matches"
                    : "'\(name)' may be absent: add required: [\(name)] to the 'if'",
                at: ifNode.location
            )
        }
        guard let (required, constraints) = consequence(thenNode, properties: properties) else { return nil }
        return Condition(
            property: name,
            value: value,
            required: required,
            constraints: constraints,
            location: node.location
        )
    }

    /// `{properties: {<name>: {const: <value>}}, required?: [<name>]}` → (name, value).
    private func test(_ node: SpecNode) -> (String, String)? {
        guard node.isMapping, Set(node.keys).isSubset(of: ["properties", "required"]),
            let entries = node["properties"]?.entries, entries.count == 1,
            Set(entries[0].value.keys) == ["const"], let value = entries[0].value["const"]?.string
        else { return nil }
        return (entries[0].key, value)
    }

    private func consequence(
        _ node: SpecNode,
        properties: [Property]
    ) -> ([String], [(property: String, constraint: Condition.Constraint)])? {
        guard node.isMapping, Set(node.keys).isSubset(of: ["properties", "required"]) else {
            diagnostics.error("'then' may hold only 'required' and 'properties'", at: node.location)
            return nil
        }
        let names = Set(properties.map(\.name))
        let required = (node["required"]?.elements ?? []).compactMap(\.string)
        for name in required where !names.contains(name) {
            diagnostics.error("'then' requires '\(name)', which the object does not define", at: node.location)
        }
        var constraints: [(property: String, constraint: Condition.Constraint)] = []
        for (name, rule) in node["properties"]?.entries ?? [] {
            guard let property = properties.first(where: { $0.name == name }) else {
                diagnostics.error("'then' constrains '\(name)', which the object does not define", at: rule.location)
                continue
            }
            for (keyword, value) in rule.entries where keyword != "description" {
                switch (keyword, property.schema.kind) {
                case ("minItems", .array):
                    if let count = value.int, count >= 0 {
                        constraints.append((name, .minItems(count)))
                    } else {
                        diagnostics.error("'minItems' must be a non-negative integer", at: value.location)
                    }
                case ("pattern", .string):
                    if let pattern = SchemaTranslator.pattern(value, diagnostics: diagnostics) {
                        constraints.append((name, .pattern(pattern)))
                    }
                default:
                    diagnostics.error(
                        "'then' supports 'minItems' on arrays and 'pattern' on strings, not '\(keyword)' on '\(name)'",
                        at: value.location
                    )
                }
            }
        }
        return (required, constraints)
    }
}
