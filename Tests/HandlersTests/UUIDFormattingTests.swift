import APIRuntime
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

    /// The direct parser reads what Foundation reads, in either case, and refuses what it refuses.
    @Test
    func parsingMatchesFoundation() {
        var ids = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))]
        for _ in 0..<1_000 { ids.append(UUID()) }
        for _ in 0..<1_000 { ids.append(UUIDv7.make()) }
        for id in ids {
            #expect(UUID(parsing: id.lowercased) == id)
            #expect(UUID(parsing: id.uuidString) == id)
        }
        let mixed = UUID(parsing: "01234567-89AB-cdef-FEDC-ba9876543210")
        #expect(mixed?.lowercased == "01234567-89ab-cdef-fedc-ba9876543210")
        let refused = [
            "", "not-a-uuid", "01234567-89ab-cdef-fedc-ba987654321", "01234567-89ab-cdef-fedc-ba98765432100",
            "0123456789ab-cdef-fedc-ba98-76543210", "01234567-89ab-cdef-fedc-ba987654321g",
            "{01234567-89ab-cdef-fedc-ba9876543210}", " 01234567-89ab-cdef-fedc-ba9876543210",
            "01234567-89ab-cdef-fedc-ba9876543210\n", "01234567-89ab-cdef-fedc-ba987654321\u{FF10}",
            "01234567\u{2010}89ab-cdef-fedc-ba9876543210", "0123456789abcdeffedcba9876543210",
        ]
        for text in refused {
            #expect(UUID(parsing: text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation refuses \(text) too")
        }
    }

    /// Version-7 ids carry version 7 and the RFC variant, and one process mints them in increasing order.
    @Test
    func versionSevenIdsAreMarkedAndIncreasing() {
        var previous = UUIDv7.make()
        for _ in 0..<10_000 {
            let id = UUIDv7.make()
            #expect(id.uuid.6 >> 4 == 7)
            #expect(id.uuid.8 >> 6 == 0b10)
            #expect(id.lowercased > previous.lowercased)
            previous = id
        }
    }
}
