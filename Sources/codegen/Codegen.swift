import ArgumentParser
import CodegenCore
import Foundation

/// Generates server code and client stubs from api-spec/openapi.yaml and api-spec/asyncapi.yaml.
@main
struct Codegen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codegen",
        abstract: "Generate Swift server code and TypeScript clients from an OpenAPI 3.1 + AsyncAPI 3.0 spec.",
        subcommands: [SwiftCommand.self, TypeScriptCommand.self, CheckCommand.self, EmbedCommand.self]
    )
}

struct SpecOptions: ParsableArguments {
    @Option(help: "Path of openapi.yaml.")
    var openapi: String

    @Option(help: "Path of asyncapi.yaml.")
    var asyncapi: String?

    /// The model, or exit 1 after printing every diagnostic as `file:line: error: message`.
    func loadModel() throws -> APIModel {
        do {
            let (model, diagnostics) = try GeneratorPipeline.model(openAPIPath: openapi, asyncAPIPath: asyncapi)
            for diagnostic in diagnostics { printError(diagnostic.description) }
            return model
        } catch let error as DiagnosticsError {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            throw ExitCode.failure
        }
    }

    var sourceNames: [String] {
        [openapi, asyncapi].compactMap { $0 }.map { "api-spec/" + URL(fileURLWithPath: $0).lastPathComponent }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func writeAll(_ files: [(name: String, contents: String)], to directory: String) throws {
    let base = URL(fileURLWithPath: directory)
    for file in files {
        try GeneratorPipeline.write(file.contents, to: base.appendingPathComponent(file.name))
    }
}

struct SwiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift",
        abstract: "Generate the Swift server sources."
    )

    @OptionGroup var spec: SpecOptions

    @Option(help: "Directory for Types.swift, Server.swift, SocketEvents.swift and SpecFiles.swift.")
    var output: String

    func run() throws {
        let model = try spec.loadModel()
        var files = SwiftRenderer(model: model, sources: spec.sourceNames).render()
        let texts = try [spec.openapi, spec.asyncapi].compactMap { $0 }.map { path in
            (
                name: URL(fileURLWithPath: path).lastPathComponent,
                text: try String(contentsOfFile: path, encoding: .utf8)
            )
        }
        files.append(("SpecFiles.swift", SpecEmbedding.render(files: texts, sources: spec.sourceNames)))
        try writeAll(files, to: output)
    }
}

struct TypeScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "typescript",
        abstract: "Generate the TypeScript client stubs."
    )

    @OptionGroup var spec: SpecOptions

    @Option(help: "Directory for types.ts, client.ts, socket.ts and index.ts.")
    var output: String

    func run() throws {
        let model = try spec.loadModel()
        try writeAll(TypeScriptRenderer(model: model, sources: spec.sourceNames).render(), to: output)
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Only validate the spec files.")

    @OptionGroup var spec: SpecOptions

    func run() throws {
        let model = try spec.loadModel()
        print(
            "ok: \(model.schemas.count) schemas, \(model.operations.count) operations, \(model.channels.count) channels"
        )
    }
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write a file's text as a Swift constant (`<type>.text`)."
    )

    @Option(help: "The file to embed.")
    var input: String

    @Option(help: "The enum that holds the text.")
    var typeName: String

    @Option(help: "The Swift file to write.")
    var output: String

    func run() throws {
        let text = try String(contentsOfFile: input, encoding: .utf8)
        let source = URL(fileURLWithPath: input).lastPathComponent
        try GeneratorPipeline.write(
            SpecEmbedding.render(file: text, typeName: typeName, source: source),
            to: URL(fileURLWithPath: output)
        )
    }
}
