import Foundation

/// What a reconnecting client claims in its CONNECT auth: `{"pid": "...", "offset": "..."}` beside its own auth
/// fields (socket.io-client adds them when the server gave it a `pid`). `offset` is absent when the client had
/// received no event yet.
struct RecoveryClaim: Equatable {
    var pid: String?
    var offset: String?

    init(pid: String?, offset: String?) {
        self.pid = pid
        self.offset = offset
    }

    /// Reads the two fields of a CONNECT auth object; anything else (or a non-string value) claims nothing. Both
    /// are bounded: a `pid` or offset longer than 128 characters is no claim.
    init(auth: String?) {
        struct Fields: Decodable {
            var pid: String?
            var offset: String?
        }
        guard let auth, let fields = try? JSONDecoder().decode(Fields.self, from: Data(auth.utf8)) else {
            self.init(pid: nil, offset: nil)
            return
        }
        let bounded = { (value: String?) in value.flatMap { $0.isEmpty || $0.utf8.count > 128 ? nil : $0 } }
        self.init(pid: bounded(fields.pid), offset: bounded(fields.pid) == nil ? nil : bounded(fields.offset))
    }
}
