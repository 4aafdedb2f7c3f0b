import Testing

@testable import SocketIO

@Suite struct BinaryAssemblyTests {
    let packet = SocketPacket(
        kind: .binaryEvent,
        namespace: "/",
        attachments: 2,
        json: "[\"file\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"
    )

    @Test func aPacketWithoutAttachmentsNeedsNoAssembly() {
        #expect(BinaryAssembly(SocketPacket(kind: .event, json: "[\"a\"]"), maxBytes: 10) == nil)
        #expect(BinaryAssembly(SocketPacket(kind: .binaryEvent, attachments: 0, json: "[\"a\"]"), maxBytes: 10) == nil)
    }

    @Test func theAttachmentsCompleteThePacketInOrder() throws {
        var assembly = try #require(BinaryAssembly(packet, maxBytes: 10))
        #expect(assembly.add([1, 2]) == .incomplete)
        #expect(assembly.add([3]) == .complete(packet, attachments: [[1, 2], [3]]))
    }

    @Test func attachmentsTogetherPastTheBoundFail() throws {
        var assembly = try #require(BinaryAssembly(packet, maxBytes: 4))
        #expect(assembly.add([1, 2, 3]) == .incomplete)
        #expect(assembly.add([4, 5]) == .overflow)
    }
}
