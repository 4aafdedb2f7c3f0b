import Testing

@testable import CodegenCore

@Suite struct NamingTests {
    @Test(arguments: [
        ("join_conversation", "JoinConversation"), ("MessageType", "MessageType"), ("X-Service-Key", "XServiceKey"),
        ("bearerAuth", "BearerAuth"), ("2fa", "_2fa"),
    ])
    func typeNames(input: String, expected: String) {
        #expect(Naming.typeName(input) == expected)
    }

    @Test(arguments: [
        ("BAD_REQUEST", "badRequest"), ("createMessage", "createMessage"), ("X-Service-Key", "xServiceKey"),
        ("dark-green", "darkGreen"), ("URL", "url"), ("userId", "userId"),
    ])
    func memberNames(input: String, expected: String) {
        #expect(Naming.memberName(input) == expected)
    }

    @Test func keywordsAreEscaped() {
        #expect(Naming.swiftIdentifier("default") == "`default`")
        #expect(Naming.swiftIdentifier("content") == "content")
    }

    @Test func literalsAreEscaped() {
        #expect(Naming.literal("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"")
    }
}
