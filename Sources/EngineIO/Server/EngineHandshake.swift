import Foundation
import HTTPTypes
import HummingbirdCore

/// The request that opened a session: its headers, query parameters and the client's address.
///
/// A session keeps its handshake for as long as it lives, and most of them are idle, so the headers and the query
/// are held as the text they arrived in (one string each) and parsed when read: a field table and a dictionary cost
/// a connection several hundred bytes more, and are seldom read more than once.
public struct EngineHandshake: Sendable {
    /// One `name:value` line per field, in the order received.
    private var headerLines: String
    /// The query as received (percent-encoded, without `?`).
    private var rawQuery: String
    /// The client's IP address (see `EngineConfiguration.trustedProxies`); nil when unknown.
    public var address: String?

    /// The handshake request's headers.
    public var headers: HTTPFields {
        get { Self.fields(in: headerLines) }
        set { headerLines = Self.lines(of: newValue) }
    }

    /// Its query parameters (the last value of a repeated name).
    public var query: [String: String] {
        get { Self.parameters(in: rawQuery) }
        set { rawQuery = Self.queryText(of: newValue) }
    }

    /// - Parameters:
    ///   - headers: the handshake request's headers.
    ///   - query: its query parameters.
    ///   - address: the client's IP address, when known.
    public init(headers: HTTPFields, query: [String: String], address: String? = nil) {
        self.init(headers: headers, rawQuery: Self.queryText(of: query), address: address)
    }

    init(headers: HTTPFields, rawQuery: String, address: String?) {
        self.headerLines = Self.lines(of: headers)
        self.rawQuery = rawQuery
        self.address = address
    }

    // A field's name cannot hold ':' and its value cannot hold a line break (HTTPTypes replaces them), so a line
    // splits back at its first ':'.
    private static func lines(of fields: HTTPFields) -> String {
        var text = ""
        text.reserveCapacity(fields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 2 })
        for field in fields {
            text += field.name.rawName
            text += ":"
            text += field.value
            text += "\n"
        }
        return text
    }

    private static func fields(in lines: String) -> HTTPFields {
        var fields = HTTPFields()
        for line in lines.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":"),
                let name = HTTPField.Name(String(line[..<colon]))
            else { continue }
            fields.append(HTTPField(name: name, value: String(line[line.index(after: colon)...])))
        }
        return fields
    }

    private static func parameters(in rawQuery: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for (key, value) in URI("?" + rawQuery).queryParameters { parameters[String(key)] = String(value) }
        return parameters
    }

    private static let queryAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))

    private static func queryText(of parameters: [String: String]) -> String {
        parameters.sorted { $0.key < $1.key }.map { key, value in
            let name = key.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? ""
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? "")
        }.joined(separator: "&")
    }
}
