import APIRuntime
import Foundation
import Testing

@Suite struct JSONBodyTests {
    struct Note: Decodable {
        var text: String
    }

    @Test func nulCharactersAreRefusedWithAField() {
        do {
            _ = try JSONBody.decode(Note.self, from: Data(#"{"text":"a\u0000b"}"#.utf8))
            Issue.record("expected VALIDATION_FAILED")
        } catch let error as APIError {
            #expect(error.code == .validationFailed)
            #expect(error.details.map(\.message) == ["text must not contain NUL characters"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func anEscapedBackslashBeforeU0000IsOrdinaryText() throws {
        let note = try JSONBody.decode(Note.self, from: Data(#"{"text":"a\\u0000b"}"#.utf8))
        #expect(note.text == #"a\u0000b"#)
    }

    @Test func notJSONIsBadRequestAndWrongShapeIsValidation() {
        #expect(throws: APIError.badRequest("The request body is not valid JSON")) {
            _ = try JSONBody.decode(Note.self, from: Data("{".utf8))
        }
        #expect(throws: APIError.validationFailed([FieldProblem(field: "text", message: "is required")])) {
            _ = try JSONBody.decode(Note.self, from: Data("{}".utf8))
        }
    }
}
