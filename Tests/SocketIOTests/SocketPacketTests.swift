import Testing

@testable import SocketIO

@Suite struct SocketPacketTests {
    @Test(arguments: [
        (SocketPacket(kind: .connect), "0"),
        (SocketPacket(kind: .connect, namespace: "/admin", json: #"{"token":"t"}"#), #"0/admin,{"token":"t"}"#),
        (SocketPacket(kind: .connect, json: #"{"sid":"abc"}"#), #"0{"sid":"abc"}"#),
        (SocketPacket(kind: .disconnect, namespace: "/admin"), "1/admin,"),
        (SocketPacket(kind: .event, json: #"["hello",1]"#), #"2["hello",1]"#),
        (
            SocketPacket(kind: .event, namespace: "/admin", id: 456, json: #"["project:delete",123]"#),
            #"2/admin,456["project:delete",123]"#
        ),
        (SocketPacket(kind: .ack, namespace: "/admin", id: 456, json: "[]"), "3/admin,456[]"),
        (SocketPacket(kind: .connectError, json: #"{"message":"Not authorized"}"#), #"4{"message":"Not authorized"}"#),
        (
            SocketPacket(kind: .binaryEvent, attachments: 1, json: #"["hello",{"_placeholder":true,"num":0}]"#),
            #"51-["hello",{"_placeholder":true,"num":0}]"#
        ),
        (
            SocketPacket(
                kind: .binaryAck,
                namespace: "/admin",
                id: 456,
                attachments: 1,
                json: #"[{"_placeholder":true,"num":0}]"#
            ),
            #"61-/admin,456[{"_placeholder":true,"num":0}]"#
        ),
    ])
    func matchesTheSpecExamples(packet: SocketPacket, text: String) throws {
        #expect(packet.encode() == text)
        #expect(try SocketPacket.decode(text) == packet)
    }

    @Test(arguments: [
        "", "9", "2", "2{}", "2[]", "2[1]", "2[\"a\",]", "2[\"a\"", "1/a,{}", "0[1]", "3[]", "5[\"a\"]", "5x-[\"a\"]",
        "4[1]", "2[\"a\",tru]", "2[\"a\",01]", "2[\"a\",\"\\q\"]", "21234567890123456[\"a\"]",
    ])
    func rejectsInvalidPackets(text: String) {
        #expect(throws: (any Error).self) { try SocketPacket.decode(text) }
    }

    @Test func eventArgumentsKeepTheirOriginalText() throws {
        let packet = try SocketPacket.decode(#"2/chat,7[ "say\"hi" , {"a" : [1, 2.5e3]} , null,"x"]"#)
        #expect(packet.eventName == "say\"hi")
        #expect(packet.arguments.map(\.text) == [#"{"a" : [1, 2.5e3]}"#, "null", #""x""#])
        #expect(try SocketPacket.decode(#"2["plain",1]"#).eventName == "plain")
        #expect(
            try SocketPacket.decode(#"3/chat,12[{"ok":true},"ü"]"#).arguments.map(\.text) == [#"{"ok":true}"#, #""ü""#]
        )
    }

    @Test func eventPayloadEscapesTheName() throws {
        let arguments = [JSONText.number(1), try JSONText(validating: #"{"k":true}"#)]
        #expect(EventCoding.eventPayload("a\"b\n", arguments) == #"["a\"b\n",1,{"k":true}]"#)
    }

    @Test func deeplyNestedJSONIsRejected() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: (any Error).self) { try SocketPacket.decode("2[\"a\",\(deep)]") }
    }
}
