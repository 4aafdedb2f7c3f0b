import HTTPTypes
import Hummingbird

/// Extracts the credentials of the spec's security schemes; absent or malformed credentials are 401.
public enum Credentials {
    /// The token of `Authorization: Bearer <token>`.
    public static func bearerToken(from request: Request) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("Missing Authorization header")
        }
        return try bearerToken(fromHeader: header)
    }

    /// The token of an `Authorization` header value (also used for the socket handshake).
    public static func bearerToken(fromHeader header: String) throws -> String {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, isBearer(parts[0]), !parts[1].isEmpty else {
            throw APIError.unauthorized("The Authorization header must be 'Bearer <token>'")
        }
        // Every request carries a token: only one that starts or ends in something other than visible ASCII goes
        // through Foundation's trimming (a visible cost of every request; optimisation record, step 21).
        let token = parts[1].utf8
        if let first = token.first, let last = token.last, (0x21..<0x7F).contains(first), (0x21..<0x7F).contains(last) {
            return String(parts[1])
        }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// The scheme name `Bearer` in any letter case.
    private static func isBearer(_ scheme: Substring) -> Bool {
        scheme.utf8.count == 6 && zip(scheme.utf8, "bearer".utf8).allSatisfy { $0 | 0x20 == $1 }
    }

    /// The value of an API-key header.
    public static func apiKey(from request: Request, header name: String) throws -> String {
        guard let field = HTTPField.Name(name), let value = request.headers[field], !value.isEmpty else {
            throw APIError.unauthorized("Missing \(name) header")
        }
        return value
    }

    /// Compares two secrets in a time that does not depend on where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
