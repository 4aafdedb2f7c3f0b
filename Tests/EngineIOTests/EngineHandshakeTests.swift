import HTTPTypes
import Testing

@testable import EngineIO

@Suite struct EngineHandshakeTests {
    @Test func headersComeBackAsSentInOrder() {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer a:b:c"
        fields.append(HTTPField(name: .cookie, value: "x=1"))
        fields.append(HTTPField(name: .cookie, value: "y=2"))
        fields[HTTPField.Name("X-Empty")!] = ""
        let handshake = EngineHandshake(headers: fields, query: [:])
        #expect(handshake.headers == fields)
        #expect(handshake.headers[.authorization] == "Bearer a:b:c")
        #expect(handshake.headers[values: .cookie] == ["x=1", "y=2"])
    }

    @Test func theQueryIsDecodedWhenRead() {
        let handshake = EngineHandshake(
            headers: [:],
            rawQuery: "EIO=4&transport=websocket&t=a%20b&t=last",
            address: nil
        )
        #expect(handshake.query == ["EIO": "4", "transport": "websocket", "t": "last"])
        let built = EngineHandshake(headers: [:], query: ["k": "v w+&=%", "EIO": "4"])
        #expect(built.query == ["k": "v w+&=%", "EIO": "4"])
    }

    @Test func settingTheHeadersOrQueryReplacesThem() {
        var handshake = EngineHandshake(headers: [.authorization: "a"], query: ["a": "1"])
        handshake.headers[.authorization] = "b"
        handshake.query["b"] = "2"
        #expect(handshake.headers[.authorization] == "b")
        #expect(handshake.query == ["a": "1", "b": "2"])
    }
}
