import Foundation
import Testing

@testable import APIRuntime

struct CredentialsTests {
    @Test(arguments: [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc", "abc"),
        ("BEARER abc", "abc"),
        ("BeArEr abc", "abc"),
        ("Bearer   abc  ", "abc"),
        ("Bearer abc\u{00A0}", "abc"),
        ("Bearer \tabc\t", "abc"),
    ])
    func theTokenOfABearerHeaderIsItsSecondWordTrimmed(header: String, token: String) throws {
        #expect(try Credentials.bearerToken(fromHeader: header) == token)
    }

    @Test(arguments: ["Basic abc", "Bearer", "Bearer ", "Bearerx abc", "Bear abc", "Bearer\tabc", "", "bearér abc"])
    func anythingElseIsUnauthorized(header: String) {
        #expect(throws: APIError.self) { try Credentials.bearerToken(fromHeader: header) }
    }

    /// What the header parser did before its fast path, with Foundation's lowercasing and trimming throughout.
    static func reference(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    @Test func theFastPathAgreesWithTheFoundationParser() {
        var generator = SystemRandomNumberGenerator()
        let schemes = ["Bearer", "bearer", "BEARER", "Basic", "Bearér", ""]
        let alphabet = Array("ABCxyz019-_.~  \t\u{00A0}\u{2003}é")
        for _ in 0..<3000 {
            let length = Int.random(in: 0...12, using: &generator)
            let rest = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let header = schemes.randomElement(using: &generator)! + " " + rest
            let parsed = try? Credentials.bearerToken(fromHeader: header)
            #expect(parsed == Self.reference(header), "\(header.debugDescription)")
        }
    }
}
