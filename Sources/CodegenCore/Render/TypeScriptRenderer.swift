/// Renders the TypeScript client stubs: schema types, a typed fetch client, socket.io-client event maps.
public struct TypeScriptRenderer {
    public let model: APIModel
    public let sources: [String]

    public init(model: APIModel, sources: [String]) {
        self.model = model
        self.sources = sources
    }

    public func render() -> [(name: String, contents: String)] {
        [("types.ts", ""), ("client.ts", ""), ("socket.ts", ""), ("index.ts", "")]
    }
}
