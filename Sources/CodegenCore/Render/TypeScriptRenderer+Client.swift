/// The typed `fetch` client: one method per REST operation.
extension TypeScriptRenderer {
    func renderClient() -> String {
        var writer = header()
        writer.line("import type * as T from \"./types\";")
        writer.line()
        writer.jsDoc("How the client reaches the server and authenticates.")
        writer.block("export interface ClientOptions {") { w in
            w.jsDoc("Origin of the server, such as `http://localhost:8000`.")
            w.line("baseUrl: string;")
            for scheme in model.securitySchemes {
                w.jsDoc(schemeDoc(scheme))
                w.line("\(schemeOption(scheme))?: string | (() => string | Promise<string>);")
            }
            w.jsDoc("A `fetch` implementation; the global one by default.")
            w.line("fetch?: typeof fetch;")
        }
        writer.line()
        writer.jsDoc("A response outside 2xx; `body` is the error envelope when the server sent one.")
        let errorBody = errorSchema.map { "T." + Naming.typeName($0) } ?? "unknown"
        writer.block("export class ApiError extends Error {") { w in
            w.block("constructor(readonly status: number, readonly body: \(errorBody) | undefined) {") { w in
                w.line(errorSchemaHasMessage ? "super(body?.message ?? `HTTP ${status}`);" : "super(`HTTP ${status}`);")
            }
        }
        writer.line()
        writer.line("type QueryValue = string | number | boolean | null | undefined;")
        writer.line()
        writer.jsDoc("Typed calls of every operation in `api-spec/openapi.yaml`.")
        writer.block("export class ApiClient {") { w in
            w.line("constructor(private readonly options: ClientOptions) {}")
            for operation in model.operations {
                w.line()
                writeMethod(operation, into: &w)
            }
            w.line()
            writeRequest(into: &w)
        }
        return writer.text
    }

    /// The body schema of the spec's error responses (the first 4xx/5xx response with a body).
    private var errorSchema: String? {
        model.operations.flatMap(\.responses).first { $0.status >= 400 && $0.schemaName != nil }?.schemaName
    }

    private var errorSchemaHasMessage: Bool {
        guard let name = errorSchema, case .object(let properties)? = model.schema(named: name)?.schema.kind else {
            return false
        }
        return properties.contains { $0.name == "message" && $0.required }
    }

    private func schemeOption(_ scheme: SecurityScheme) -> String {
        switch scheme.kind {
        case .bearer: return "token"
        case .apiKeyHeader: return Naming.memberName(scheme.name)
        }
    }

    private func schemeDoc(_ scheme: SecurityScheme) -> String {
        switch scheme.kind {
        case .bearer: return "Bearer token (`\(scheme.name)`), or a function that returns a fresh one."
        case .apiKeyHeader(let header): return "Value of the `\(header)` header (`\(scheme.name)`)."
        }
    }

    private func writeMethod(_ operation: HTTPOperation, into writer: inout CodeWriter) {
        var members: [String] = []
        var allOptional = true
        for location in [Parameter.Location.path, .query, .header] {
            let parameters = operation.parameters.filter { $0.location == location }
            guard !parameters.isEmpty else { continue }
            let fields = parameters.map { parameter in
                let optional = parameter.required ? "" : "?"
                return "\(propertyKeyLiteral(parameter.name))\(optional): \(tsType(parameter.schema, prefix: "T."))"
            }
            let groupOptional = parameters.allSatisfy { !$0.required }
            allOptional = allOptional && groupOptional
            let key = location == .header ? "headers" : location.rawValue
            members.append("\(key)\(groupOptional ? "?" : ""): { \(fields.joined(separator: "; ")) }")
        }
        if let body = operation.body {
            allOptional = allOptional && !body.required
            members.append("body\(body.required ? "" : "?"): T.\(Naming.typeName(body.schemaName))")
        }
        let successTypes = operation.successResponses.map { response in
            response.plainText ? "string" : response.schemaName.map { "T." + Naming.typeName($0) } ?? "void"
        }
        let result = successTypes.isEmpty ? "void" : successTypes.joined(separator: " | ")
        let argument =
            members.isEmpty ? "" : "args: { \(members.joined(separator: "; ")) }\(allOptional ? " = {}" : "")"
        writer.jsDoc((operation.summary ?? operation.id) + "\n\n`\(operation.method.rawValue) \(operation.path)`")
        writer.block("\(Naming.memberName(operation.id))(\(argument)): Promise<\(result)> {") { w in
            var path = Naming.literal(operation.path)
            for parameter in operation.parameters where parameter.location == .path {
                path = path.replacingOccurrences(
                    of: "{\(parameter.name)}",
                    with: "\" + encodeURIComponent(String(args.path[\(Naming.literal(parameter.name))])) + \""
                )
            }
            path = path.replacingOccurrences(of: " + \"\"", with: "")
            var options: [String] = []
            if operation.parameters.contains(where: { $0.location == .query }) { options.append("query: args.query") }
            if operation.parameters.contains(where: { $0.location == .header }) {
                options.append("headers: args.headers")
            }
            if operation.body != nil { options.append("body: args.body") }
            if let security = operation.security { options.append("auth: \(Naming.literal(security))") }
            w.line(
                "return this.request<\(result)>(\(Naming.literal(operation.method.rawValue)), \(path), { \(options.joined(separator: ", ")) });"
            )
        }
    }

    private func propertyKeyLiteral(_ name: String) -> String {
        isIdentifierLike(name) ? name : Naming.literal(name)
    }

    private func writeRequest(into writer: inout CodeWriter) {
        let schemes = model.securitySchemes
        writer.block(
            "private async request<R>(method: string, path: string, options: { query?: Record<string, QueryValue>; headers?: Record<string, QueryValue>; body?: unknown; auth?: string }): Promise<R> {"
        ) { w in
            w.line("const url = new URL(path, this.options.baseUrl);")
            w.block("for (const [key, value] of Object.entries(options.query ?? {})) {") { w in
                w.line("if (value !== undefined && value !== null) url.searchParams.set(key, String(value));")
            }
            w.line("const headers: Record<string, string> = { Accept: \"application/json\" };")
            w.block("for (const [key, value] of Object.entries(options.headers ?? {})) {") { w in
                w.line("if (value !== undefined && value !== null) headers[key] = String(value);")
            }
            w.line("if (options.body !== undefined) headers[\"Content-Type\"] = \"application/json\";")
            for scheme in schemes {
                let option = "this.options.\(schemeOption(scheme))"
                w.block("if (options.auth === \(Naming.literal(scheme.name)) && \(option) !== undefined) {") { w in
                    w.line("const credential = typeof \(option) === \"function\" ? await \(option)() : \(option);")
                    switch scheme.kind {
                    case .bearer: w.line("headers[\"Authorization\"] = `Bearer ${credential}`;")
                    case .apiKeyHeader(let header): w.line("headers[\(Naming.literal(header))] = credential;")
                    }
                }
            }
            w.line("const doFetch = this.options.fetch ?? fetch;")
            w.line("const body = options.body === undefined ? undefined : JSON.stringify(options.body);")
            w.line("const response = await doFetch(url.toString(), { method, headers, body });")
            w.line("const text = await response.text();")
            w.line("const isJSON = (response.headers.get(\"Content-Type\") ?? \"\").startsWith(\"application/json\");")
            w.line("const parsed: unknown = text.length === 0 ? undefined : isJSON ? JSON.parse(text) : text;")
            let errorBody = errorSchema.map { "T." + Naming.typeName($0) } ?? "unknown"
            w.line("if (!response.ok) throw new ApiError(response.status, parsed as \(errorBody) | undefined);")
            w.line("return parsed as R;")
        }
    }
}
