import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The browser test client: `/` (the page), `/socket.io/socket.io.js` (the official client bundle from disk) and,
/// only with `DEMO_LOGIN`, `/demo/users` (the demo users with fresh tokens).
struct TestClientRoutes: Sendable {
    let clientBundlePath: String
    /// Mints the demo users' tokens; nil when demo login is off.
    let demoUsers: (@Sendable () async throws -> [DemoUser])?

    struct DemoUser: Codable, Sendable {
        var id: String
        var name: String
        var role: String
        var token: String
    }

    private struct DemoUsersResponse: Encodable {
        var success = true
        var data: [DemoUser]
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-cache",
                    HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: TestClientHTML.text))
            )
        }
        let cache = Mutex<Data?>(nil)
        router.get("/socket.io/socket.io.js") { _, _ in
            // Read once; until the file exists every request looks again, so fetching it later needs no restart.
            let cached = cache.withLock { $0 }
            guard let bundle = cached ?? FileManager.default.contents(atPath: clientBundlePath) else {
                return Response(
                    status: .notFound,
                    headers: [.contentType: "application/javascript; charset=utf-8"],
                    body: ResponseBody(
                        byteBuffer: ByteBuffer(
                            string: "/* socket.io client bundle not found at \(clientBundlePath): run scripts/setup.sh "
                                + "or set SOCKET_IO_CLIENT_JS */\n"
                        )
                    )
                )
            }
            if cached == nil { cache.withLock { $0 = bundle } }
            return Response(
                status: .ok,
                headers: [.contentType: "application/javascript; charset=utf-8", .cacheControl: "max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bundle))
            )
        }
        if let demoUsers {
            router.get("/demo/users") { _, _ in
                let body = try JSONEncoder().encode(DemoUsersResponse(data: try await demoUsers()))
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json", .cacheControl: "no-store"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
                )
            }
        }
    }
}
