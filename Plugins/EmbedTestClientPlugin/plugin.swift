import Foundation
import PackagePlugin

/// Embeds the package's `socket-test.html` (the browser test client) into the target as `TestClientHTML.text`, so
/// the server serves the one file at `/` without finding it at run time. Editing the page rebuilds the constant.
@main
struct EmbedTestClientPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let page = context.package.directoryURL.appending(path: "socket-test.html")
        let output = context.pluginWorkDirectoryURL.appending(path: "TestClientHTML.swift")
        return [
            .buildCommand(
                displayName: "Embedding socket-test.html",
                executable: try context.tool(named: "codegen").url,
                arguments: [
                    "embed",
                    "--input", page.path(percentEncoded: false),
                    "--type-name", "TestClientHTML",
                    "--output", output.path(percentEncoded: false),
                ],
                inputFiles: [page],
                outputFiles: [output]
            )
        ]
    }
}
