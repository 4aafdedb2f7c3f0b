import Testing

@testable import EngineIO

@Suite struct EnginePacketTests {
    @Test(arguments: [
        (EnginePacket.open(#"{"sid":"a"}"#), #"0{"sid":"a"}"#), (.close, "1"), (.ping(""), "2"),
        (.ping("probe"), "2probe"),
        (.pong("probe"), "3probe"), (.message(.text("hello")), "4hello"), (.upgrade, "5"), (.noop, "6"),
        (.message(.binary([1, 2, 3])), "bAQID"),
    ])
    func encodesAndDecodes(packet: EnginePacket, text: String) throws {
        #expect(packet.text == text)
        #expect(try EnginePacket.decode(Substring(text)) == packet)
    }

    @Test(arguments: ["", "7", "x", "b!!notbase64"])
    func rejectsMalformedPackets(text: String) {
        #expect(throws: EnginePacket.DecodingError.self) { try EnginePacket.decode(Substring(text)) }
    }

    @Test func payloadJoinsWithRecordSeparator() throws {
        let packets: [EnginePacket] = [.message(.text("a")), .ping(""), .message(.binary([0xFF]))]
        let text = PollingPayload.encode(packets)
        #expect(text == "4a\u{1e}2\u{1e}b/w==")
        #expect(try PollingPayload.decode(text) == packets)
    }

    @Test func payloadWithAnEmptyPacketIsRejected() {
        #expect(throws: EnginePacket.DecodingError.self) { try PollingPayload.decode("4a\u{1e}") }
    }
}
