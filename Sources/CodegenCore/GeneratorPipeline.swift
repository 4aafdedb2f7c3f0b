import Foundation

/// parse → translate (with diagnostics) → model; the renderers then turn the model into text.
public enum GeneratorPipeline {
    /// Loads and checks both spec files; throws `DiagnosticsError` listing every error found.
    public static func model(openAPIPath: String, asyncAPIPath: String?) throws -> (APIModel, [Diagnostic]) {
        let diagnostics = DiagnosticCollector()
        let openAPI = SpecDocument.load(path: openAPIPath, diagnostics: diagnostics)
        let asyncAPI = asyncAPIPath.flatMap { SpecDocument.load(path: $0, diagnostics: diagnostics) }
        guard let openAPI, asyncAPIPath == nil || asyncAPI != nil else {
            throw DiagnosticsError(diagnostics: diagnostics.diagnostics)
        }
        let model = translate(SpecSet(openAPI: openAPI, asyncAPI: asyncAPI), diagnostics: diagnostics)
        try diagnostics.throwIfErrors()
        return (model, diagnostics.diagnostics)
    }

    /// The same from in-memory texts (used by tests); paths only name the files in diagnostics.
    public static func model(
        openAPI: (path: String, text: String),
        asyncAPI: (path: String, text: String)?
    ) throws -> APIModel {
        let diagnostics = DiagnosticCollector()
        let openDocument = SpecDocument.parse(text: openAPI.text, path: openAPI.path, diagnostics: diagnostics)
        let asyncDocument = asyncAPI.flatMap {
            SpecDocument.parse(text: $0.text, path: $0.path, diagnostics: diagnostics)
        }
        guard let openDocument, asyncAPI == nil || asyncDocument != nil else {
            throw DiagnosticsError(diagnostics: diagnostics.diagnostics)
        }
        let model = translate(SpecSet(openAPI: openDocument, asyncAPI: asyncDocument), diagnostics: diagnostics)
        try diagnostics.throwIfErrors()
        return model
    }

    private static func translate(_ specs: SpecSet, diagnostics: DiagnosticCollector) -> APIModel {
        let openAPI = OpenAPITranslator(specs: specs, diagnostics: diagnostics)
        openAPI.translateHeader()
        let schemas = openAPI.schemas()
        let schemes = openAPI.securitySchemes()
        let operations = openAPI.operations(schemes: schemes)
        let channels =
            specs.asyncAPI.map {
                AsyncAPITranslator(specs: specs, document: $0, diagnostics: diagnostics).channels()
            } ?? []
        let model = APIModel(
            title: openAPI.title(),
            schemas: schemas,
            securitySchemes: schemes,
            operations: operations,
            channels: channels
        )
        ModelChecker(model: model, diagnostics: diagnostics).check()
        return model
    }

    /// Writes `contents` to `url` only when the bytes differ, so unchanged outputs keep their timestamps.
    @discardableResult
    public static func write(_ contents: String, to url: URL) throws -> Bool {
        let data = Data(contents.utf8)
        if let existing = try? Data(contentsOf: url), existing == data { return false }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
        return true
    }
}
