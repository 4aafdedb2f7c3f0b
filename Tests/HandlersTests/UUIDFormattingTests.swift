import Foundation
import Testing

@testable import Handlers

struct UUIDFormattingTests {
    /// The direct formatter writes Foundation's text form in lowercase, for random, edge and version-7 ids.
    @Test
    func lowercasedMatchesFoundationsText() {
        var ids = [
            UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            UUID(
                uuid: (
                    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255
                )
            ),
            UUID(
                uuid: (0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10)
            ),
        ]
        for _ in 0..<1_000 { ids.append(UUID()) }
        for _ in 0..<1_000 { ids.append(UUIDv7.make()) }
        for id in ids {
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(UUID(uuidString: id.lowercased) == id)
        }
        #expect(ids[2].lowercased == "01234567-89ab-cdef-fedc-ba9876543210")
    }
}
