// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "contract-messaging",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "messaging-server", targets: ["Server"]),
        .executable(name: "codegen", targets: ["codegen"]),
        .executable(name: "socketio-echo", targets: ["SocketIOEcho"]),
        .executable(name: "loadgen", targets: ["LoadGenerator"]),
        .executable(name: "engineio-echo", targets: ["EngineIOEcho"]),
        .library(name: "EngineIO", targets: ["EngineIO"]),
        .library(name: "SocketIO", targets: ["SocketIO"]),
        .plugin(name: "CodegenPlugin", targets: ["CodegenPlugin"]),
        .plugin(name: "GenerateClients", targets: ["GenerateClients"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        // Tracing: the API the handlers call, and its OpenTelemetry exporter (OTLP over HTTP only), off by default.
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // `swift package generate-documentation --target EngineIO` (or SocketIO) renders the DocC catalogues.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
        // Webhook deliveries (HTTP client) and their HMAC-SHA256 signatures.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // The generator: parse → validate → model → render, with no dependency on the server stack.
        .target(
            name: "CodegenCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "codegen",
            dependencies: [
                "CodegenCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        .plugin(
            name: "CodegenPlugin",
            capability: .buildTool(),
            dependencies: ["codegen"]
        ),
        .plugin(
            name: "EmbedTestClientPlugin",
            capability: .buildTool(),
            dependencies: ["codegen"]
        ),
        .plugin(
            name: "GenerateClients",
            capability: .command(
                intent: .custom(verb: "generate-clients", description: "Regenerate clients/typescript from api-spec/"),
                permissions: [.writeToPackageDirectory(reason: "Writes the generated TypeScript client into clients/")]
            ),
            dependencies: ["codegen"]
        ),

        // JSON string escaping, the one implementation for packets, REST bodies and logs.
        .target(name: "JSONEscaping", swiftSettings: strict),
        // Hand-written runtime that the generated code calls: envelopes, errors, decoding, validation.
        .target(
            name: "APIRuntime",
            dependencies: [
                "JSONEscaping",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Only what CodegenPlugin emits from api-spec/ (plus one placeholder file).
        .target(
            name: "Generated",
            dependencies: [
                "APIRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            plugins: ["CodegenPlugin"]
        ),
        // Engine.IO v4 server on Hummingbird: handshake, transports, upgrade, heartbeat; raw messages only.
        .target(
            name: "EngineIO",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // An Engine.IO echo server over EngineIO, for protocol tests.
        .executableTarget(
            name: "EngineIOEcho",
            dependencies: [
                "EngineIO",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Socket.IO v5 on EngineIO: namespaces, packets, acks, rooms, broadcasts, recovery.
        .target(
            name: "SocketIO",
            dependencies: [
                "EngineIO",
                "JSONEscaping",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // A tiny Socket.IO server over SocketIO for live protocol tests and benchmarks.
        .executableTarget(
            name: "SocketIOEcho",
            dependencies: [
                "SocketIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // A private PostgreSQL cluster from the installed binaries: the server's default and the tests' database.
        .target(
            name: "LocalPostgres",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The messaging service over PostgreSQL: schema, store, authorization, REST and socket handlers.
        .target(
            name: "Handlers",
            dependencies: [
                "APIRuntime",
                "Generated",
                "SocketIO",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // For `ConnectionPoolError`, which the pool's requests fail with when it cannot connect.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Checks JSON responses against the spec's schemas; used by the test targets.
        .target(
            name: "ContractTesting",
            dependencies: ["CodegenCore", "APIRuntime"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Server",
            dependencies: [
                "APIRuntime",
                "EngineIO",
                "Generated",
                "Handlers",
                "JSONEscaping",
                "LocalPostgres",
                "SocketIO",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedTestClientPlugin"]
        ),

        // The benchmark's load generator: Socket.IO over WebSocket and HTTP/1.1 on SwiftNIO, one event-loop thread.
        .executableTarget(
            name: "LoadGenerator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Benchmarks/LoadGenerator",
            swiftSettings: strict
        ),

        .testTarget(
            name: "CodegenCoreTests",
            dependencies: ["CodegenCore"],
            exclude: ["Fixtures", "Expected"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "APIRuntimeTests",
            dependencies: ["APIRuntime", "JSONEscaping"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HandlersTests",
            dependencies: [
                "Handlers",
                "LocalPostgres",
                "Generated",
                "APIRuntime",
                "ContractTesting",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SocketIOTests",
            dependencies: ["SocketIO"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EngineIOTests",
            dependencies: ["EngineIO"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // Compiles the committed reference output of the fixture spec and exercises it.
        .testTarget(
            name: "FixtureConsumerTests",
            dependencies: [
                "APIRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GeneratedTests",
            dependencies: [
                "Generated",
                "APIRuntime",
                "CodegenCore",
                "ContractTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
    ]
)
