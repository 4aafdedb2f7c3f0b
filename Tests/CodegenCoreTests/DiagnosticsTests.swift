import CodegenCore
import Testing

/// Each kind of broken spec yields the exact `file:line: error: message` diagnostic.
@Suite struct DiagnosticsTests {
    static let validAsync = """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels: {}
        """

    /// A minimal valid OpenAPI document with `paths` and `schemas` spliced in.
    static func openAPI(
        paths: String =
            "  /a:\n    get:\n      operationId: getA\n      responses:\n        '204':\n          description: ok",
        schemas: String = "    Thing:\n      type: object\n      properties:\n        name:\n          type: string"
    ) -> String {
        """
        openapi: 3.1.0
        info:
          title: t
          version: '1'
        paths:
        \(paths)
        components:
          schemas:
        \(schemas)
        """
    }

    /// An AsyncAPI document with one channel `c`, one message `m` (its payload spliced in at line 10) and one
    /// operation `op` (its first lines spliced in at line 13).
    static func asyncAPI(payload: String, operation: String) -> String {
        """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          c:
            address: /c
            messages:
              m:
                name: m
                payload:
                  \(payload)
        operations:
          op:
            \(operation)
            channel: {$ref: '#/channels/c'}
            messages:
              - $ref: '#/channels/c/messages/m'
        """
    }

    private func diagnostics(openAPI: String, asyncAPI: String? = nil) -> [String] {
        do {
            _ = try GeneratorPipeline.model(
                openAPI: ("spec/openapi.yaml", openAPI),
                asyncAPI: asyncAPI.map { ("spec/asyncapi.yaml", $0) }
            )
            return []
        } catch let error as DiagnosticsError {
            return error.diagnostics.map(\.description)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func validMinimalSpecHasNoDiagnostics() {
        #expect(diagnostics(openAPI: Self.openAPI(), asyncAPI: Self.validAsync) == [])
    }

    @Test func missingOperationId() {
        let spec = Self.openAPI(paths: "  /a:\n    get:\n      responses:\n        '204':\n          description: ok")
        #expect(diagnostics(openAPI: spec) == ["spec/openapi.yaml:7: error: GET /a: missing operationId"])
    }

    @Test func unresolvedReference() {
        let spec = Self.openAPI(
            schemas:
                "    Thing:\n      type: object\n      properties:\n        other:\n          $ref: '#/components/schemas/Missing'"
        )
        #expect(
            diagnostics(openAPI: spec) == [
                "spec/openapi.yaml:18: error: unresolved reference '#/components/schemas/Missing'"
            ]
        )
    }

    @Test func unsupportedKeyword() {
        let spec = Self.openAPI(schemas: "    Thing:\n      type: object\n      additionalProperties: false")
        #expect(
            diagnostics(openAPI: spec) == [
                "spec/openapi.yaml:16: error: unsupported schema keyword 'additionalProperties'"
            ]
        )
    }

    @Test func onlyPatternsTheRuntimeImplementsAreAccepted() {
        let spec = Self.openAPI(schemas: "    Thing:\n      type: string\n      pattern: '^a+$'")
        let found = diagnostics(openAPI: spec)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("spec/openapi.yaml:16: error: unsupported pattern '^a+$' (supported: ") == true)
    }

    @Test func conditionsMustTestAPropertyTheGeneratedCodeCanCompare() {
        let object = [
            "    Thing:", "      type: object", "      properties:", "        kind:", "          type: string",
            "          enum: [a, b]", "          default: a", "        items:", "          type: array",
            "          items:", "            type: string", "      allOf:",
        ].joined(separator: "\n")
        func check(_ rule: String) -> [String] {
            diagnostics(openAPI: Self.openAPI(schemas: object + "\n" + rule))
        }
        // The default matches an absent value, so an 'if' on it must not require the property, and the reverse.
        #expect(
            check(
                "        - if: {properties: {kind: {const: a}}, required: [kind]}\n          then: {required: [items]}"
            )
                == [
                    "spec/openapi.yaml:26: error: 'kind' defaults to 'a': leave 'required' out of the 'if' so an "
                        + "absent value matches"
                ]
        )
        #expect(
            check("        - if: {properties: {kind: {const: b}}}\n          then: {required: [items]}")
                == ["spec/openapi.yaml:26: error: 'kind' may be absent: add required: [kind] to the 'if'"]
        )
        #expect(
            check(
                "        - if: {properties: {kind: {const: b}}, required: [kind]}\n          then: {properties: {items: {maxItems: 2}}}"
            )
                == [
                    "spec/openapi.yaml:27: error: 'then' supports 'minItems' on arrays and 'pattern' on strings, not 'maxItems' on 'items'"
                ]
        )
        #expect(
            check(
                "        - if: {properties: {kind: {const: b}}, required: [kind]}\n          then: {properties: {items: {minItems: 1}}}"
            )
            .isEmpty
        )
    }

    @Test func keywordOfAnotherType() {
        let spec = Self.openAPI(schemas: "    Thing:\n      type: integer\n      maxLength: 3")
        #expect(
            diagnostics(openAPI: spec) == ["spec/openapi.yaml:16: error: 'maxLength' does not apply to type 'integer'"]
        )
    }

    @Test func invalidYAML() {
        let result = diagnostics(openAPI: "openapi: 3.1.0\ninfo: [unclosed\n")
        #expect(result.count == 1)
        #expect(result.first?.hasPrefix("spec/openapi.yaml:3: error: invalid YAML") == true)
    }

    @Test func oneOfOtherThanNullable() {
        let spec = Self.openAPI(schemas: "    Thing:\n      oneOf:\n        - type: string\n        - type: integer")
        #expect(
            diagnostics(openAPI: spec) == [
                "spec/openapi.yaml:15: error: 'oneOf' is supported only as [<schema>, {type: 'null'}]"
            ]
        )
    }

    @Test func undeclaredPathParameter() {
        let spec = Self.openAPI(
            paths:
                "  /a/{id}:\n    get:\n      operationId: getA\n      responses:\n        '204':\n          description: ok"
        )
        #expect(
            diagnostics(openAPI: spec) == [
                "spec/openapi.yaml:7: error: path parameter '{id}' of '/a/{id}' is not declared"
            ]
        )
    }

    @Test func inlineBodySchemaIsRejected() {
        let spec = Self.openAPI(
            paths:
                "  /a:\n    post:\n      operationId: postA\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n      responses:\n        '204':\n          description: ok"
        )
        #expect(
            diagnostics(openAPI: spec) == [
                "spec/openapi.yaml:12: error: request body schema must be a '$ref' to components/schemas"
            ]
        )
    }

    @Test func duplicateOperationId() {
        let spec = Self.openAPI(
            paths:
                "  /a:\n    get:\n      operationId: same\n      responses:\n        '204':\n          description: ok\n  /b:\n    get:\n      operationId: same\n      responses:\n        '204':\n          description: ok"
        )
        #expect(
            diagnostics(openAPI: spec) == [
                "spec/openapi.yaml:13: error: duplicate operationId 'same' (first at line 7)"
            ]
        )
    }

    @Test func wrongOpenAPIVersion() {
        let spec = Self.openAPI().replacingOccurrences(of: "openapi: 3.1.0", with: "openapi: 3.0.3")
        #expect(
            diagnostics(openAPI: spec) == ["spec/openapi.yaml:1: error: only OpenAPI 3.1 is supported (found '3.0.3')"]
        )
    }

    @Test func asyncPayloadMustReferenceOpenAPISchema() {
        let async = Self.asyncAPI(payload: "type: object", operation: "action: send")
        #expect(
            diagnostics(openAPI: Self.openAPI(), asyncAPI: async) == [
                "spec/asyncapi.yaml:7: error: message 'm' needs 'payload: {$ref: ...}'"
            ]
        )
    }

    @Test func asyncCrossFileReferenceMustResolve() {
        let async = Self.asyncAPI(
            payload: "$ref: './openapi.yaml#/components/schemas/Nope'",
            operation: "action: send"
        )
        #expect(
            diagnostics(openAPI: Self.openAPI(), asyncAPI: async) == [
                "spec/asyncapi.yaml:9: error: unresolved reference './openapi.yaml#/components/schemas/Nope'"
            ]
        )
    }

    @Test func aRateLimitIsABudgetName() {
        let async = Self.asyncAPI(
            payload: "$ref: './openapi.yaml#/components/schemas/Thing'",
            operation: "action: receive\n    x-rate-limit: Send Message"
        )
        #expect(
            diagnostics(openAPI: Self.openAPI(), asyncAPI: async) == [
                "spec/asyncapi.yaml:14: error: x-rate-limit of 'op' must be a budget name of lowercase letters"
            ]
        )
    }

    @Test func everyProblemIsReportedInOneRun() {
        let spec = Self.openAPI(schemas: "    A:\n      type: string\n      pattern: x\n    B:\n      type: thing")
        #expect(diagnostics(openAPI: spec).count == 2)
    }
}
