import CodegenCore
import Foundation
import Testing

/// Renders the fixture spec and compares every output with the committed expected file.
///
/// The expected Swift files live in Tests/FixtureConsumerTests/Expected, where that target compiles them; the
/// TypeScript ones in Tests/CodegenCoreTests/Expected. Run with `UPDATE_REFERENCE=1` to rewrite them after an
/// intended change of the generator, then review the diff.
@Suite struct ReferenceTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("CodegenCoreTests/Fixtures")

    static func fixtureModel() throws -> APIModel {
        try GeneratorPipeline.model(
            openAPIPath: fixtures.appendingPathComponent("openapi.yaml").path,
            asyncAPIPath: fixtures.appendingPathComponent("asyncapi.yaml").path
        ).0
    }

    static let sources = ["Fixtures/openapi.yaml", "Fixtures/asyncapi.yaml"]

    @Test func generatedSwiftMatchesReference() throws {
        let files = SwiftRenderer(model: try Self.fixtureModel(), sources: Self.sources).render()
        try compare(files, with: Self.testsDirectory.appendingPathComponent("FixtureConsumerTests/Expected"))
    }

    @Test func generatedTypeScriptMatchesReference() throws {
        let files = TypeScriptRenderer(model: try Self.fixtureModel(), sources: Self.sources).render()
        try compare(files, with: Self.testsDirectory.appendingPathComponent("CodegenCoreTests/Expected"))
    }

    @Test func renderingIsDeterministic() throws {
        let model = try Self.fixtureModel()
        let first = SwiftRenderer(model: model, sources: Self.sources).render().map(\.contents)
        let second = SwiftRenderer(model: try Self.fixtureModel(), sources: Self.sources).render().map(\.contents)
        #expect(first == second)
    }

    @Test func writeLeavesUnchangedFilesAlone() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("codegen-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try GeneratorPipeline.write("one", to: url))
        #expect(try !GeneratorPipeline.write("one", to: url))
        #expect(try GeneratorPipeline.write("two", to: url))
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
    }

    private func compare(_ files: [(name: String, contents: String)], with directory: URL) throws {
        let update = ProcessInfo.processInfo.environment["UPDATE_REFERENCE"] == "1"
        for file in files {
            let url = directory.appendingPathComponent(file.name)
            if update { try GeneratorPipeline.write(file.contents, to: url) }
            let expected = try String(contentsOf: url, encoding: .utf8)
            if expected != file.contents {
                Issue.record("\(file.name) differs from \(url.path):\n\(Self.diff(expected, file.contents))")
            }
        }
    }

    /// The first differing lines, enough to see what changed.
    static func diff(_ expected: String, _ actual: String) -> String {
        let left = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let right = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var lines: [String] = []
        for index in 0..<max(left.count, right.count) where lines.count < 20 {
            let a = index < left.count ? String(left[index]) : "<end>"
            let b = index < right.count ? String(right[index]) : "<end>"
            if a != b { lines.append("line \(index + 1):\n- \(a)\n+ \(b)") }
        }
        return lines.joined(separator: "\n")
    }
}
