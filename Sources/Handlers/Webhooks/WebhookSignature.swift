import Crypto
import Foundation

/// The `Webhook-Signature` header of a delivery: `v1=` and the lowercase hex HMAC-SHA256 of `"<timestamp>.<body>"`
/// keyed with `WEBHOOK_SECRET`. The timestamp (`Webhook-Timestamp`, Unix seconds of the attempt) is inside what is
/// signed, so a receiver that refuses old timestamps cannot be fed a recorded request later.
public struct WebhookSignature: Sendable {
    private let key: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// The header's value for `body` sent at `timestamp`.
    public func sign(body: String, timestamp: Int64) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(contentsOf: body.utf8)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "v1="
            + code.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }
}
