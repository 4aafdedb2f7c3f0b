/// Reads openapi.yaml into schemas, security schemes and operations.
struct OpenAPITranslator {
    let specs: SpecSet
    let diagnostics: DiagnosticCollector

    private var root: SpecNode { specs.openAPI.root }
    private var schemaTranslator: SchemaTranslator { SchemaTranslator(specs: specs, diagnostics: diagnostics) }

    static let rootKeys: Set<String> = [
        "openapi", "info", "servers", "tags", "paths", "components", "security", "externalDocs", "jsonSchemaDialect",
    ]
    static let operationKeys: Set<String> = [
        "operationId", "summary", "description", "tags", "parameters", "requestBody", "responses", "security",
        "deprecated", "externalDocs",
    ]

    func title() -> String {
        root["info"]?["title"]?.string ?? "API"
    }

    func translateHeader() {
        rejectUnknownKeys(root, allowed: Self.rootKeys, diagnostics: diagnostics)
        guard let version = root["openapi"] else {
            diagnostics.error("missing 'openapi' version", at: root.location)
            return
        }
        if !(version.string ?? "").hasPrefix("3.1") {
            diagnostics.error("only OpenAPI 3.1 is supported (found '\(version.string ?? "")')", at: version.location)
        }
    }

    func schemas() -> [NamedSchema] {
        (root["components"]?["schemas"]?.entries ?? []).compactMap { name, node in
            guard isIdentifierLike(name) else {
                diagnostics.error("schema name '\(name)' must be letters and digits", at: node.location)
                return nil
            }
            return schemaTranslator.translate(node).map { NamedSchema(name: name, schema: $0) }
        }
    }

    func securitySchemes() -> [SecurityScheme] {
        (root["components"]?["securitySchemes"]?.entries ?? []).compactMap { name, node in
            let type = node["type"]?.string
            if type == "http", node["scheme"]?.string?.lowercased() == "bearer" {
                return SecurityScheme(name: name, kind: .bearer, description: node["description"]?.string)
            }
            if type == "apiKey", node["in"]?.string == "header", let header = node["name"]?.string {
                return SecurityScheme(name: name, kind: .apiKeyHeader(header), description: node["description"]?.string)
            }
            diagnostics.error(
                "unsupported security scheme '\(name)' (supported: http bearer, apiKey in header)",
                at: node.location
            )
            return nil
        }
    }

    func operations(schemes: [SecurityScheme]) -> [HTTPOperation] {
        guard let paths = root["paths"] else {
            diagnostics.error("missing 'paths'", at: root.location)
            return []
        }
        var defaultSecurity: String?
        if let node = root["security"], case .some(let value) = security(node, schemes: schemes) {
            defaultSecurity = value
        }
        var seen: [String: SourceLocation] = [:]
        var result: [HTTPOperation] = []
        for (path, item) in paths.entries {
            let shared = item["parameters"]?.elements ?? []
            for (key, node) in item.entries where !["parameters", "summary", "description"].contains(key) {
                guard let method = HTTPOperation.Method(rawValue: key.uppercased()), key == key.lowercased() else {
                    diagnostics.error("unsupported path item key '\(key)'", at: node.location)
                    continue
                }
                guard
                    let operation = operation(
                        method: method,
                        path: path,
                        node: node,
                        shared: shared,
                        defaultSecurity: defaultSecurity,
                        schemes: schemes
                    )
                else { continue }
                if let previous = seen[operation.id] {
                    diagnostics.error(
                        "duplicate operationId '\(operation.id)' (first at line \(previous.line))",
                        at: node.location
                    )
                    continue
                }
                seen[operation.id] = node.location
                result.append(operation)
            }
        }
        return result
    }

    private func operation(
        method: HTTPOperation.Method,
        path: String,
        node: SpecNode,
        shared: [SpecNode],
        defaultSecurity: String?,
        schemes: [SecurityScheme]
    ) -> HTTPOperation? {
        rejectUnknownKeys(node, allowed: Self.operationKeys, diagnostics: diagnostics)
        guard let id = node["operationId"]?.string else {
            diagnostics.error("\(method.rawValue) \(path): missing operationId", at: node.location)
            return nil
        }
        guard isIdentifierLike(id) else {
            diagnostics.error("operationId '\(id)' must be letters and digits", at: node["operationId"]!.location)
            return nil
        }
        var parameters: [Parameter] = []
        for parameterNode in shared + (node["parameters"]?.elements ?? []) {
            guard let parameter = parameter(parameterNode) else { continue }
            parameters.removeAll { $0.name == parameter.name && $0.location == parameter.location }
            parameters.append(parameter)
        }
        checkPathParameters(path: path, parameters: parameters, at: node.location)
        var security = defaultSecurity
        if let explicit = node["security"], case .some(let value) = self.security(explicit, schemes: schemes) {
            security = value
        }
        return HTTPOperation(
            id: id,
            method: method,
            path: path,
            summary: node["summary"]?.string,
            parameters: parameters,
            body: node["requestBody"].flatMap(requestBody),
            responses: responses(node["responses"], at: node.location),
            security: security,
            location: node.location
        )
    }

    private func parameter(_ node: SpecNode) -> Parameter? {
        guard let node = followReference(node) else { return nil }
        guard let name = node["name"]?.string, let place = node["in"]?.string else {
            diagnostics.error("a parameter needs 'name' and 'in'", at: node.location)
            return nil
        }
        guard let location = Parameter.Location(rawValue: place) else {
            diagnostics.error("unsupported parameter location '\(place)'", at: node["in"]!.location)
            return nil
        }
        guard let schemaNode = node["schema"], var schema = schemaTranslator.translate(schemaNode) else {
            diagnostics.error("parameter '\(name)' needs a schema", at: node.location)
            return nil
        }
        var namedEnum = false
        if case .reference(let target) = schema.kind,
            let targetNode = root["components"]?["schemas"]?[target],
            let resolved = schemaTranslator.translate(targetNode)
        {
            // A named string enum stays a reference: the parameter is read as that enum.
            if case .string(let rules) = resolved.kind, rules.allowedValues != nil {
                namedEnum = true
            } else {
                schema = resolved
            }
        }
        switch schema.kind {
        case .reference where namedEnum: break
        case .string(let rules) where rules.allowedValues != nil || rules.format == .dateTime:
            diagnostics.error(
                "parameter '\(name)': an enum must be a named schema ('$ref'); date-time is not supported",
                at: schemaNode.location
            )
            return nil
        case .string, .integer, .number, .boolean: break
        default:
            diagnostics.error(
                "parameter '\(name)' must have a string, integer, number or boolean schema",
                at: schemaNode.location
            )
            return nil
        }
        let required = node["required"]?.bool ?? false
        if location == .path && !required {
            diagnostics.error("path parameter '\(name)' must be required", at: node.location)
        }
        return Parameter(
            name: name,
            location: location,
            required: required,
            description: node["description"]?.string,
            schema: schema
        )
    }

    private func checkPathParameters(path: String, parameters: [Parameter], at location: SourceLocation) {
        let inPath = Set(
            path.split(separator: "/").compactMap { segment -> String? in
                guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return nil }
                return String(segment.dropFirst().dropLast())
            }
        )
        let declared = Set(parameters.filter { $0.location == .path }.map(\.name))
        for name in inPath.subtracting(declared).sorted() {
            diagnostics.error("path parameter '{\(name)}' of '\(path)' is not declared", at: location)
        }
        for name in declared.subtracting(inPath).sorted() {
            diagnostics.error("path parameter '\(name)' does not appear in '\(path)'", at: location)
        }
    }

    private func requestBody(_ node: SpecNode) -> RequestBody? {
        guard let node = followReference(node) else { return nil }
        guard let schemaName = jsonSchemaName(node, what: "request body") else { return nil }
        return RequestBody(required: node["required"]?.bool ?? false, schemaName: schemaName)
    }

    private func responses(_ node: SpecNode?, at location: SourceLocation) -> [Response] {
        guard let node, !node.entries.isEmpty else {
            diagnostics.error("an operation needs 'responses'", at: location)
            return []
        }
        let result = node.entries.compactMap { key, value -> Response? in
            guard let status = Int(key), (100..<600).contains(status) else {
                diagnostics.error("unsupported response key '\(key)' (use explicit status codes)", at: value.location)
                return nil
            }
            guard let response = followReference(value) else { return nil }
            let description = response["description"]?.string ?? ""
            if let content = response["content"], content["text/plain"] != nil {
                guard plainTextContent(content, what: "response \(status)") else { return nil }
                return Response(status: status, description: description, schemaName: nil, plainText: true)
            }
            let schemaName = response["content"] == nil ? nil : jsonSchemaName(response, what: "response \(status)")
            return Response(status: status, description: description, schemaName: schemaName)
        }
        return result.sorted { $0.status < $1.status }
    }

    /// Whether `content` is `text/plain` alone with a string schema, the one form of text body supported.
    private func plainTextContent(_ content: SpecNode, what: String) -> Bool {
        for (type, value) in content.entries where type != "text/plain" {
            diagnostics.error("\(what): text/plain cannot be offered beside '\(type)'", at: value.location)
            return false
        }
        guard let schemaNode = content["text/plain"]?["schema"], schemaNode["type"]?.string == "string" else {
            diagnostics.error("\(what): a text/plain body needs the schema 'type: string'", at: content.location)
            return false
        }
        return true
    }

    /// The named schema of `content: application/json: schema: $ref`, the JSON body form supported.
    private func jsonSchemaName(_ node: SpecNode, what: String) -> String? {
        guard let content = node["content"] else {
            diagnostics.error("\(what) needs 'content'", at: node.location)
            return nil
        }
        for (type, value) in content.entries where type != "application/json" {
            diagnostics.error("unsupported media type '\(type)' (only application/json)", at: value.location)
        }
        guard let schemaNode = content["application/json"]?["schema"] else {
            diagnostics.error("\(what) needs an application/json schema", at: content.location)
            return nil
        }
        guard let schema = schemaTranslator.translate(schemaNode) else { return nil }
        guard case .reference(let name) = schema.kind, !schema.nullable else {
            diagnostics.error("\(what) schema must be a '$ref' to components/schemas", at: schemaNode.location)
            return nil
        }
        return name
    }

    /// The single scheme a `security` list requires; `.some(nil)` for `[]` (public).
    private func security(_ node: SpecNode, schemes: [SecurityScheme]) -> String?? {
        let requirements = node.elements
        if requirements.isEmpty { return .some(nil) }
        let names = requirements.flatMap(\.keys)
        guard requirements.count == 1, names.count == 1 else {
            diagnostics.error("an operation may require exactly one security scheme", at: node.location)
            return nil
        }
        guard schemes.contains(where: { $0.name == names[0] }) else {
            diagnostics.error("unknown security scheme '\(names[0])'", at: node.location)
            return nil
        }
        return .some(names[0])
    }

    private func followReference(_ node: SpecNode) -> SpecNode? {
        specs.follow(node, diagnostics: diagnostics)
    }
}

func rejectUnknownKeys(_ node: SpecNode, allowed: Set<String>, diagnostics: DiagnosticCollector) {
    for (key, value) in node.entries where !allowed.contains(key) && !key.hasPrefix("x-") {
        diagnostics.error("unsupported key '\(key)'", at: value.location)
    }
}

func isIdentifierLike(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first.properties.isAlphabetic else { return false }
    return name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
}
