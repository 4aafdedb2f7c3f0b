/// REST: per-operation input/output types, the handler protocol and `registerHandlers(on:)`.
extension SwiftRenderer {
    func renderServer() -> String {
        var writer = header(imports: ["APIRuntime", "Foundation", "HTTPTypes", "Hummingbird"])
        writeOperationTypes(into: &writer)
        writer.line()
        writeProtocol(into: &writer)
        writer.line()
        writeRegistration(into: &writer)
        writeParameterEnums(into: &writer)
        return writer.text
    }

    /// The named enums that parameters are read as.
    private func writeParameterEnums(into writer: inout CodeWriter) {
        var names: [String] = []
        for operation in model.operations {
            for parameter in operation.parameters {
                if case .reference(let name) = parameter.schema.kind, !names.contains(name) { names.append(name) }
            }
        }
        for name in names {
            writer.line()
            writer.line("extension \(Naming.typeName(name)): ParameterValue {}")
        }
    }

    /// Schemes that at least one operation uses, in declaration order.
    private var usedSchemes: [SecurityScheme] {
        let used = Set(model.operations.compactMap(\.security))
        return model.securitySchemes.filter { used.contains($0.name) }
    }

    private func identityType(_ scheme: String) -> String {
        Naming.typeName(scheme) + "Identity"
    }

    private func operationType(_ operation: HTTPOperation) -> String {
        "Operations." + Naming.typeName(operation.id)
    }

    private func parameterType(_ parameter: Parameter) -> String {
        let base = swiftType(parameter.schema, nestedName: "String")
        return parameter.required || parameter.schema.defaultValue != nil ? base : base + "?"
    }

    private func writeOperationTypes(into writer: inout CodeWriter) {
        writer.doc("Input and output types of each REST operation, named by operationId.")
        writer.block("public enum Operations {") { w in
            for (index, operation) in model.operations.enumerated() {
                if index > 0 { w.line() }
                w.doc(operation.summary.map { "\($0)\n\n`\(operation.method.rawValue) \(operation.path)`" })
                w.block("public enum \(Naming.typeName(operation.id)) {") { w in
                    w.line("public static let id = \(Naming.literal(operation.id))")
                    w.line()
                    writeInput(operation, into: &w)
                    w.line()
                    w.block("public enum Output: Sendable {") { w in
                        for response in operation.successResponses {
                            w.doc(response.description)
                            if let schema = response.schemaName {
                                w.line("case \(caseName(response.status))(\(Naming.typeName(schema)))")
                            } else if response.plainText {
                                w.line("case \(caseName(response.status))(String)")
                            } else {
                                w.line("case \(caseName(response.status))")
                            }
                        }
                    }
                }
            }
        }
    }

    private func writeInput(_ operation: HTTPOperation, into writer: inout CodeWriter) {
        let groups = parameterGroups(operation)
        writer.block("public struct Input: Sendable {") { w in
            for (group, parameters) in groups {
                w.block("public struct \(group.typeName): Sendable, Hashable {") { w in
                    for parameter in parameters {
                        w.doc(parameter.description)
                        w.line("public var \(Naming.swiftIdentifier(parameter.name)): \(parameterType(parameter))")
                    }
                    w.line()
                    let arguments = parameters.map { parameter -> String in
                        var argument = "\(Naming.swiftIdentifier(parameter.name)): \(parameterType(parameter))"
                        if let value = defaultLiteral(
                            Property(name: parameter.name, schema: parameter.schema, required: false)
                        ) {
                            argument += " = \(value)"
                        } else if !parameter.required {
                            argument += " = nil"
                        }
                        return argument
                    }
                    w.block("public init(\(arguments.joined(separator: ", "))) {") { w in
                        for parameter in parameters {
                            let name = Naming.swiftIdentifier(parameter.name)
                            w.line("self.\(name) = \(name)")
                        }
                    }
                }
                w.line()
            }
            var members: [(name: String, type: String)] = groups.map { ($0.0.member, $0.0.typeName) }
            if let body = operation.body {
                members.append(("body", Naming.typeName(body.schemaName) + (body.required ? "" : "?")))
            }
            for member in members { w.line("public var \(member.name): \(member.type)") }
            if !members.isEmpty { w.line() }
            let arguments = members.map { "\($0.name): \($0.type)" + ($0.type.hasSuffix("?") ? " = nil" : "") }
            w.block("public init(\(arguments.joined(separator: ", "))) {") { w in
                for member in members { w.line("self.\(member.name) = \(member.name)") }
            }
        }
    }

    private enum ParameterGroup: CaseIterable {
        case path, query, headers

        var typeName: String {
            switch self {
            case .path: return "Path"
            case .query: return "Query"
            case .headers: return "Headers"
            }
        }

        var member: String {
            switch self {
            case .path: return "path"
            case .query: return "query"
            case .headers: return "headers"
            }
        }

        var location: Parameter.Location {
            switch self {
            case .path: return .path
            case .query: return .query
            case .headers: return .header
            }
        }
    }

    private func parameterGroups(_ operation: HTTPOperation) -> [(ParameterGroup, [Parameter])] {
        ParameterGroup.allCases.compactMap { group in
            let parameters = operation.parameters.filter { $0.location == group.location }
            return parameters.isEmpty ? nil : (group, parameters)
        }
    }

    private func writeProtocol(into writer: inout CodeWriter) {
        writer.doc("The REST operations of \(model.title); implement it and call `registerHandlers(on:)`.")
        writer.block("public protocol APIProtocol: Sendable {") { w in
            w.line("associatedtype Context: RequestContext")
            for scheme in usedSchemes {
                w.doc("What a successful `\(scheme.name)` authentication yields (for example the user id).")
                w.line("associatedtype \(identityType(scheme.name)): Sendable")
            }
            for scheme in usedSchemes {
                w.line()
                let credential: String
                switch scheme.kind {
                case .bearer: credential = "the bearer token of the `Authorization` header"
                case .apiKeyHeader(let header): credential = "the value of the `\(header)` header"
                }
                w.doc("Verifies \(credential) (`\(scheme.name)`); throw `APIError.unauthorized` to refuse it.")
                w.line(
                    "func authenticate\(Naming.typeName(scheme.name))(_ credential: String, context: Context) async throws -> \(identityType(scheme.name))"
                )
            }
            for operation in model.operations {
                w.line()
                w.doc(operation.summary)
                let identity = operation.security.map { ", identity: \(identityType($0))" } ?? ""
                let type = operationType(operation)
                w.line(
                    "func \(Naming.swiftIdentifier(operation.id))(_ input: \(type).Input\(identity), context: Context) async throws -> \(type).Output"
                )
            }
        }
    }

    private func writeRegistration(into writer: inout CodeWriter) {
        let paths = model.operations.reduce(into: [String]()) { paths, operation in
            if !paths.contains(operation.path) { paths.append(operation.path) }
        }
        writer.block("extension APIProtocol {") { w in
            w.doc(
                """
                Registers every operation of the spec on `router`. Each route authenticates, reads and validates its
                input (422 with field details), calls the handler and encodes the documented response; errors become
                the error envelope. Methods a path does not declare answer 405 with `Allow`.
                """
            )
            w.block(
                "public func registerHandlers<Router: RouterMethods>(on router: Router) where Router.Context == Context {"
            ) { w in
                for path in paths {
                    let operations = model.operations.filter { $0.path == path }
                    for operation in operations { writeRoute(operation, into: &w) }
                    let allowList =
                        "[" + operations.map { Naming.literal($0.method.rawValue) }.joined(separator: ", ") + "]"
                    w.block("for method in Endpoint.undeclaredMethods(allowed: \(allowList)) {") { w in
                        w.line(
                            "router.on(\(Naming.literal(path)), method: method) { _, _ in Endpoint.methodNotAllowed(allow: \(allowList)) }"
                        )
                    }
                }
            }
        }
    }

    private func writeRoute(_ operation: HTTPOperation, into writer: inout CodeWriter) {
        let type = operationType(operation)
        writer.block(
            "router.on(\(Naming.literal(operation.path)), method: .\(operation.method.rawValue.lowercased())) { request, context in"
        ) { w in
            w.block("await Endpoint.run(operation: \(type).id, context: context) {") { w in
                writeAuthentication(operation, into: &w)
                let groups = parameterGroups(operation)
                if !groups.isEmpty {
                    w.line("var parameters = ParameterReader(request: request, context: context)")
                    for (group, parameters) in groups {
                        let arguments = parameters.map { "\(Naming.swiftIdentifier($0.name)): \(readExpression($0))" }
                        w.line(
                            "let \(group.member) = \(type).Input.\(group.typeName)(\(arguments.joined(separator: ", ")))"
                        )
                    }
                    w.line("try parameters.finish()")
                }
                if let body = operation.body {
                    let method = body.required ? "decode" : "decodeIfPresent"
                    w.line(
                        "let body = try await JSONBody.\(method)(\(Naming.typeName(body.schemaName)).self, from: request, context: context)"
                    )
                }
                writeValidation(operation, groups: groups, into: &w)
                var arguments = groups.map { "\($0.0.member): \($0.0.member)" }
                if operation.body != nil { arguments.append("body: body") }
                let identity = operation.security == nil ? "" : ", identity: identity"
                w.line("let input = \(type).Input(\(arguments.joined(separator: ", ")))")
                w.line(
                    "let output = try await self.\(Naming.swiftIdentifier(operation.id))(input\(identity), context: context)"
                )
                writeResponses(operation, into: &w)
            }
        }
    }

    /// The parameters' and the body's validation, when there is any.
    private func writeValidation(
        _ operation: HTTPOperation,
        groups: [(ParameterGroup, [Parameter])],
        into w: inout CodeWriter
    ) {
        var validation: [String] = []
        for (group, parameters) in groups {
            for parameter in parameters {
                let value = "\(group.member).\(Naming.swiftIdentifier(parameter.name))"
                validation += checks(
                    parameter.schema,
                    value: value,
                    optional: parameterType(parameter).hasSuffix("?"),
                    path: Naming.literal(parameter.name),
                    depth: 0
                )
            }
        }
        if operation.body != nil { validation.append("validator.nested(body, at: \"\")") }
        guard !validation.isEmpty else { return }
        w.line("var validator = Validator()")
        for line in validation { w.line(line) }
        w.line("try validator.finish()")
    }

    /// The switch from the handler's output to the HTTP response.
    private func writeResponses(_ operation: HTTPOperation, into w: inout CodeWriter) {
        w.line("switch output {")
        for response in operation.successResponses {
            let status = statusExpression(response.status)
            if response.schemaName != nil {
                w.line("case .\(caseName(response.status))(let body): return try JSONResponse.make(\(status), body)")
            } else if response.plainText {
                w.line("case .\(caseName(response.status))(let text): return TextResponse.make(\(status), text)")
            } else {
                w.line("case .\(caseName(response.status)): return Response(status: \(status))")
            }
        }
        w.line("}")
    }

    private func writeAuthentication(_ operation: HTTPOperation, into writer: inout CodeWriter) {
        guard let name = operation.security, let scheme = model.securitySchemes.first(where: { $0.name == name }) else {
            return
        }
        let credential: String
        switch scheme.kind {
        case .bearer: credential = "try Credentials.bearerToken(from: request)"
        case .apiKeyHeader(let header):
            credential = "try Credentials.apiKey(from: request, header: \(Naming.literal(header)))"
        }
        writer.line(
            "let identity = try await self.authenticate\(Naming.typeName(name))(\(credential), context: context)"
        )
    }

    private func readExpression(_ parameter: Parameter) -> String {
        let type = swiftType(parameter.schema, nestedName: "String")
        let name = Naming.literal(parameter.name)
        switch parameter.location {
        case .path:
            return "parameters.path(\(name), as: \(type).self)"
        case .query, .header:
            let reader = parameter.location == .query ? "query" : "header"
            if parameter.required {
                return
                    "parameters.required\(reader.prefix(1).uppercased() + reader.dropFirst())(\(name), as: \(type).self)"
            }
            let fallback = defaultLiteral(Property(name: parameter.name, schema: parameter.schema, required: false))
            return "parameters.\(reader)(\(name), as: \(type).self)" + (fallback.map { " ?? \($0)" } ?? "")
        }
    }

    private func caseName(_ status: Int) -> String {
        switch status {
        case 200: return "ok"
        case 201: return "created"
        case 202: return "accepted"
        case 204: return "noContent"
        default: return "status\(status)"
        }
    }

    private func statusExpression(_ status: Int) -> String {
        switch status {
        case 200, 201, 202, 204: return "." + caseName(status)
        default: return ".init(code: \(status))"
        }
    }
}
