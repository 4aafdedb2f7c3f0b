import APIRuntime
import CodegenCore
import Foundation
import Generated
import Testing

/// The rules the spec states beyond types and lengths (`pattern` and `allOf: [{if, then}]`), as the generated
/// validation enforces them: a text message has text, a file message has an attachment, attachment links are
/// http(s), and no text holds a NUL character.
@Suite struct SpecRuleTests {
    func problems<T: Decodable & Validatable>(_ type: T.Type, _ json: String) throws -> [String] {
        let value = try JSONCoding.decoder.decode(type, from: Data(json.utf8))
        var validator = Validator()
        value.validate(at: "", into: &validator)
        return validator.problems.map(\.description)
    }

    @Test func textMessagesMustNotBeBlank() throws {
        for blank in ["", "   ", #" \r\n\t\u00A0\u3000\uFEFF\u2028"#] {
            #expect(
                try problems(SendMessageRequest.self, #"{"content":"\#(blank)"}"#) == ["content: must not be blank"],
                "\(blank.debugDescription)"
            )
            #expect(
                try problems(
                    SocketSendMessage.self,
                    #"{"conversationId":"\#(UUID())","content":"\#(blank)","messageType":"text"}"#
                )
                    == ["content: must not be blank"]
            )
        }
        #expect(try problems(SendMessageRequest.self, #"{"content":" x "}"#).isEmpty)
        // U+0085 and U+001F are not white space to ECMA-262 (or to the pattern): such a text is not blank.
        #expect(try problems(SendMessageRequest.self, #"{"content":"\u0085\u001F"}"#).isEmpty)
    }

    @Test func fileMessagesNeedAnAttachmentAndMayBeBlank() throws {
        #expect(
            try problems(CreateMessageRequest.self, #"{"contractId":"k","content":"","messageType":"file"}"#)
                == ["attachments: is required when messageType is file"]
        )
        #expect(
            try problems(SendMessageRequest.self, #"{"content":"","messageType":"file","attachments":[]}"#)
                == ["attachments: must have at least 1 items"]
        )
        let file =
            #"{"content":"","messageType":"file","attachments":[{"url":"HTTPS://a.example/x.pdf","name":"x.pdf","mimeType":"application/pdf","size":1}]}"#
        #expect(try problems(SendMessageRequest.self, file).isEmpty)
    }

    @Test func attachmentLinksAreHTTP() throws {
        for url in ["ftp://a.example/x", "javascript:alert(1)", "http:/a", "http\\u001a//a"] {
            let json = #"{"content":"x","attachments":[{"url":"\#(url)","name":"n","mimeType":"t","size":1}]}"#
            #expect(
                try problems(SendMessageRequest.self, json).contains(
                    "attachments[0].url: must be an http or https URL"
                ),
                "\(url)"
            )
        }
    }

    @Test func textsMustNotHoldNUL() throws {
        #expect(
            try problems(SendMessageRequest.self, #"{"content":"a\u0000b"}"#) == [
                "content: must not contain NUL characters"
            ]
        )
        #expect(
            try problems(UpsertUserRequest.self, #"{"firstName":"A\u0000","lastName":"B"}"#)
                == ["firstName: must not contain NUL characters"]
        )
        #expect(
            try problems(UpsertContractRequest.self, #"{"clientId":"a\u0000","freelancerId":"b"}"#)
                == ["clientId: must not contain NUL characters"]
        )
    }

    @Test func patternsAgreeWithTheirRegularExpressions() throws {
        // Each runtime check against the spec's regular expression (NSRegularExpression reads these as ECMA-262 and
        // Python do), over every code point that could make a difference and random texts.
        let expressions: [(StringPattern, String)] = [
            (.noNUL, "^[^\\u0000]*$"),
            (.notBlank, "[^\\u0009-\\u000d \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"),
            (.httpURL, "^[Hh][Tt][Tt][Pp][Ss]?://"),
        ]
        var samples: [String] = ["", "http://", "HTTPS://x", "https:/", "httpx://", " http://"]
        for value in Array(0...0x40) + [
            0x85, 0xA0, 0x1680, 0x180E, 0x2000, 0x200A, 0x200B, 0x2028, 0x2029, 0x202F,
            0x205F, 0x3000, 0xFEFF,
        ] {
            if let scalar = Unicode.Scalar(value) { samples.append(String(Character(scalar))) }
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("hHtTpPsS:/ \t\n\u{0}\u{A0}\u{3000}x")
        for _ in 0..<2000 {
            samples.append(
                String((0..<Int.random(in: 0...9, using: &generator)).map { _ in alphabet.randomElement()! })
            )
        }
        for (pattern, expression) in expressions {
            let regex = try NSRegularExpression(pattern: expression)
            for sample in samples {
                let range = NSRange(sample.startIndex..., in: sample)
                let matches = regex.firstMatch(in: sample, range: range) != nil
                #expect(pattern.accepts(sample) == matches, "\(pattern) on \(sample.unicodeScalars.map(\.value))")
            }
        }
    }
}

/// Every text a client can send and the server stores is NUL-free by the spec: a request string either has the
/// `noNUL` pattern or a format or enum that cannot hold a NUL. (The server refuses NUL nowhere else, so a string
/// without one of these would reach PostgreSQL, which cannot store it.)
@Suite struct RequestStringsAreNULFreeTests {
    @Test func everyRequestStringRefusesNUL() throws {
        let model = try GeneratorPipeline.model(
            openAPI: ("openapi.yaml", SpecFiles.openapi),
            asyncAPI: ("asyncapi.yaml", SpecFiles.asyncapi)
        )
        var roots: [(String, Schema)] = model.operations.flatMap { operation in
            operation.parameters.map { ("\(operation.id) \($0.name)", $0.schema) }
        }
        for operation in model.operations {
            if let body = operation.body, let schema = model.schema(named: body.schemaName) {
                roots.append(("\(operation.id) body", schema.schema))
            }
        }
        for channel in model.channels {
            for event in channel.clientEvents {
                if let schema = model.schema(named: event.payloadSchema) { roots.append((event.name, schema.schema)) }
            }
        }
        var unsafe: [String] = []
        var visited = Set<String>()
        func visit(_ schema: Schema, at path: String) {
            switch schema.kind {
            case .string(let rules):
                if rules.pattern != .noNUL, rules.format == nil, rules.allowedValues == nil { unsafe.append(path) }
            case .array(let items, _, _):
                visit(items, at: path + "[]")
            case .object(let properties):
                for property in properties { visit(property.schema, at: path + "." + property.name) }
            case .reference(let name):
                guard visited.insert(name).inserted, let target = model.schema(named: name) else { return }
                visit(target.schema, at: path + "(\(name))")
            case .integer, .number, .boolean:
                break
            }
        }
        for (name, schema) in roots {
            visited = []
            visit(schema, at: name)
        }
        #expect(roots.count > 20)
        #expect(unsafe == [])
    }
}
