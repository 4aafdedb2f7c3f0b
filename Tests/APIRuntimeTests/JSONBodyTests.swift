import APIRuntime
import Foundation
import Testing

@Suite struct JSONBodyTests {
    struct Note: Decodable {
        var text: String
    }

    @Test func nulCharactersAreLeftToTheSchema() throws {
        // The generated validation refuses them where the schema says so (`pattern`); unknown members are ignored.
        let note = try JSONBody.decode(Note.self, from: Data(#"{"text":"a\u0000b","x\u0000":"\u0000"}"#.utf8))
        #expect(note.text == "a\u{0}b")
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
