import Generated
import Hummingbird
import NIOCore

extension Router {
    /// `GET /api/openapi.yaml` and `GET /api/asyncapi.yaml`: the spec the server was generated from, for client
    /// generators and contract tests. Public, like the spec itself.
    func addSpecRoutes() {
        for (path, text) in [("/api/openapi.yaml", SpecFiles.openapi), ("/api/asyncapi.yaml", SpecFiles.asyncapi)] {
            get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "no-cache"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text))
                )
            }
        }
    }
}
