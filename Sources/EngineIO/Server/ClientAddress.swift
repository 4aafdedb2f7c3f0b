import Foundation
import HTTPTypes
import NIOCore

/// The address a client connects from: the peer's, or, when the peer is one of `trustedProxies`, the address its
/// `X-Forwarded-For` names last (the one the nearest proxy saw). A client cannot choose its address by sending the
/// header itself unless it connects from a trusted proxy.
enum ClientAddress {
    static func resolve(peer: SocketAddress?, headers: HTTPFields, trustedProxies: Set<String>) -> String? {
        guard let peerAddress = peer?.ipAddress else { return nil }
        guard trustedProxies.contains(peerAddress),
            let forwarded = headers[.forwardedFor]?.split(separator: ",").last
        else { return peerAddress }
        let address = forwarded.trimmingCharacters(in: .whitespaces)
        // An address is at most 45 characters (IPv6 with an IPv4 tail); anything else is not one.
        guard !address.isEmpty, address.count <= 45,
            address.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" })
        else { return peerAddress }
        return address
    }
}

extension HTTPField.Name {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
}
