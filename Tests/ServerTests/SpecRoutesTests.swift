import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

@Suite struct SpecRoutesTests {
    static let specDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("api-spec")

    @Test(arguments: ["openapi.yaml", "asyncapi.yaml"])
    func servesTheSpecFileItWasBuiltFrom(file: String) async throws {
        let router = Router()
        router.addSpecRoutes()
        let onDisk = try String(contentsOf: Self.specDirectory.appendingPathComponent(file), encoding: .utf8)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/api/\(file)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
                let served = String(buffer: response.body)
                #expect(served.count == onDisk.count)
                #expect(served == onDisk)
            }
        }
    }
}
