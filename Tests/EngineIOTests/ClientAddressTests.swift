import HTTPTypes
import NIOCore
import Testing

@testable import EngineIO

@Suite struct ClientAddressTests {
    let proxy = try! SocketAddress(ipAddress: "10.1.1.1", port: 40_000)
    let stranger = try! SocketAddress(ipAddress: "203.0.113.5", port: 40_000)

    func forwarded(_ value: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.forwardedFor] = value
        return headers
    }

    @Test func aPeerThatIsNotATrustedProxyCountsByItsOwnAddress() {
        let address = ClientAddress.resolve(
            peer: stranger,
            headers: forwarded("198.51.100.1"),
            trustedProxies: ["10.1.1.1"]
        )
        #expect(address == "203.0.113.5")
    }

    @Test func aTrustedProxyNamesTheClientLastInItsHeader() {
        let address = ClientAddress.resolve(
            peer: proxy,
            headers: forwarded("1.2.3.4, 198.51.100.1"),
            trustedProxies: ["10.1.1.1"]
        )
        #expect(address == "198.51.100.1")
        #expect(
            ClientAddress.resolve(peer: proxy, headers: forwarded("2001:db8::1"), trustedProxies: ["10.1.1.1"])
                == "2001:db8::1"
        )
    }

    @Test func aMissingOrMalformedHeaderFromAProxyCountsByTheProxy() {
        #expect(ClientAddress.resolve(peer: proxy, headers: [:], trustedProxies: ["10.1.1.1"]) == "10.1.1.1")
        #expect(
            ClientAddress.resolve(peer: proxy, headers: forwarded("not an address"), trustedProxies: ["10.1.1.1"])
                == "10.1.1.1"
        )
        #expect(ClientAddress.resolve(peer: nil, headers: [:], trustedProxies: []) == nil)
    }
}
