import Foundation
import PackagePlugin

/// Runs `codegen swift` on the package's `api-spec/` files before the target that uses this plugin compiles.
///
/// Every spec file is declared as an input, so editing either one regenerates on the next build. The output
/// file names are fixed; the tool rewrites a file only when its bytes change.
@main
struct CodegenPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let specDirectory = context.package.directoryURL.appending(path: "api-spec")
        let openAPI = specDirectory.appending(path: "openapi.yaml")
        let asyncAPI = specDirectory.appending(path: "asyncapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedSources")
        let files = ["Types.swift", "Server.swift", "SocketEvents.swift", "SpecFiles.swift"]
        return [
            .buildCommand(
                displayName: "Generating Swift from api-spec/",
                executable: try context.tool(named: "codegen").url,
                arguments: [
                    "swift",
                    "--openapi", openAPI.path(percentEncoded: false),
                    "--asyncapi", asyncAPI.path(percentEncoded: false),
                    "--output", output.path(percentEncoded: false),
                ],
                inputFiles: [openAPI, asyncAPI],
                outputFiles: files.map { output.appending(path: $0) }
            )
        ]
    }
}
