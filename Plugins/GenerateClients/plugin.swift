import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory generate-clients` regenerates `clients/typescript/`.
@main
struct GenerateClients: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let root = context.package.directoryURL
        let process = Process()
        process.executableURL = try context.tool(named: "codegen").url
        process.arguments = [
            "typescript",
            "--openapi", root.appending(path: "api-spec/openapi.yaml").path(percentEncoded: false),
            "--asyncapi", root.appending(path: "api-spec/asyncapi.yaml").path(percentEncoded: false),
            "--output", root.appending(path: "clients/typescript/src").path(percentEncoded: false),
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            Diagnostics.error("codegen typescript failed with status \(process.terminationStatus)")
            return
        }
    }
}
