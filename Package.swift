// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "AIStudio",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "BackendService", targets: ["BackendService"]),
        .executable(name: "GatewayService", targets: ["GatewayService"]),
        .executable(name: "WorkerService", targets: ["WorkerService"]),
        .executable(name: "WebService", targets: ["WebService"]),
        .executable(name: "studioctl", targets: ["studioctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter would build gRPC for nothing (the collector takes both).
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(name: "CSpawn"),
        .target(
            name: "Core",
            dependencies: [
                "CSpawn",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        .target(
            name: "CoreTestSupport",
            dependencies: [
                "Core",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "BackendService", dependencies: ["Core"], resources: [.copy("Resources")]),
        .executableTarget(
            name: "GatewayService",
            dependencies: ["Core", .product(name: "NIOPosix", package: "swift-nio")],
            resources: [.copy("Resources")]),
        .executableTarget(name: "WorkerService", dependencies: ["Core"]),
        .executableTarget(
            name: "WebService",
            dependencies: [
                "Core",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Public")]
        ),
        .executableTarget(
            name: "studioctl",
            dependencies: ["Core", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core", "CoreTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "BackendServiceTests", dependencies: ["BackendService", "CoreTestSupport"]),
        .testTarget(name: "GatewayServiceTests", dependencies: ["GatewayService", "CoreTestSupport"]),
        .testTarget(name: "WorkerServiceTests", dependencies: ["WorkerService", "CoreTestSupport"]),
        .testTarget(name: "WebServiceTests", dependencies: ["WebService", "CoreTestSupport"]),
        .testTarget(name: "StudioCtlTests", dependencies: ["studioctl", "CoreTestSupport"]),
        .testTarget(name: "ContractsTests", dependencies: ["BackendService", "GatewayService", "CoreTestSupport"]),
        .testTarget(
            name: "TracingTests", dependencies: ["WebService", "GatewayService", "WorkerService", "CoreTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
