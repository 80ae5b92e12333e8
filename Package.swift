// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Where deploy/local/bootstrap.sh installs librdkafka 2.8.0. Binaries carry an rpath to it so they
/// load that build rather than Debian's 2.0.2, which cannot talk to the local Tansu broker.
/// Docker images build against the system librdkafka-dev instead (the rpath is then unused).
let librdkafkaPrefix = ProcessInfo.processInfo.environment["RESSUS_LIBRDKAFKA_PREFIX"]
    ?? Context.packageDirectory + "/.local/librdkafka"

let swiftLog = Target.Dependency.product(name: "Logging", package: "swift-log")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")

/// A service executable (`Services/<folder>/App`): thin wiring over the shared runtime and, when
/// the service has one, its library target `<folder>Core` (`Services/<folder>/Core`).
func service(_ name: String, folder: String, core: Bool = false) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["Runtime", "ServiceHTTP", "Models", swiftLog, serviceLifecycle]
            + (core ? [.target(name: "\(folder)Core")] : []),
        path: "Services/\(folder)/App"
    )
}

/// A service's library: handlers and read/write model, testable without Kafka or PostgreSQL.
func serviceCore(folder: String, extra: [Target.Dependency] = []) -> Target {
    .target(
        name: "\(folder)Core",
        dependencies: ["Runtime", "Models", "Postgres", "Kafka", swiftLog] + extra,
        path: "Services/\(folder)/Core"
    )
}

let package = Package(
    name: "ressus",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ressus", targets: ["RessusCLI"]),
        .executable(name: "ressus-intake", targets: ["IntakeService"]),
        .executable(name: "ressus-deadlines", targets: ["DeadlinesService"]),
        .executable(name: "ressus-debt-calculator", targets: ["DebtCalculatorService"]),
        .executable(name: "ressus-report-publisher", targets: ["ReportPublisherService"]),
        .executable(name: "ressus-fns-transfer", targets: ["FNSTransferService"]),
        .executable(name: "platform-benchmark", targets: ["PlatformBenchmark"]),
        .executable(name: "rules-benchmark", targets: ["RulesBenchmark"]),
        .executable(name: "codec-benchmark", targets: ["codec-benchmark"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "PDF", targets: ["PDF"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // The canonical text of a UUID, by hand (events, outbox and inbox rows, PostgreSQL's uuid).
        .target(name: "UUIDText", path: "Shared/UUIDText"),
        // Pure domain rules and event contracts: no I/O.
        .target(name: "Models", dependencies: ["UUIDText"], path: "Shared/Models"),

        // Deterministic generation of realistic loads (`ressus carga gerar`, benchmarks).
        .target(name: "LoadGeneration", dependencies: ["Models"], path: "Shared/LoadGeneration"),

        // Measuring a replayed load through the running services (`ressus carga reproduzir`).
        .target(name: "LoadReplay", dependencies: [
            "Models", "Postgres", .product(name: "Histogram", package: "hdrhistogram-swift"),
        ], path: "Shared/LoadReplay"),

        // zlib, for the PDF writer's /FlateDecode streams (Debian's zlib1g-dev).
        .systemLibrary(name: "CZlib", path: "Shared/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // A small PDF writer (A4 pages, tables, Portuguese text) for the reports operadoras download.
        .target(name: "PDF", dependencies: ["CZlib"], path: "Shared/PDF"),

        // librdkafka, from pkg-config (the local 2.8.0 build or Debian's librdkafka-dev).
        .systemLibrary(
            name: "CRdKafka", path: "Shared/CRdKafka", pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            // CRdKafka stays last: libpq's pkg-config adds the system library folder, which must not
            // come before the local librdkafka when both are linked.
            dependencies: [swiftLog, "CRdKafka"],
            path: "Shared/Kafka",
            linkerSettings: [
                .unsafeFlags(["-L\(librdkafkaPrefix)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(librdkafkaPrefix)/lib"])
            ]
        ),

        // libpq, from pkg-config (Debian's libpq-dev).
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "Postgres", dependencies: [swiftLog, "CLibPQ", "UUIDText"], path: "Shared/Postgres"),

        // What makes an executable a service: config, lifecycle, messaging runtime.
        .target(
            name: "Runtime",
            dependencies: ["Models", "Postgres", "UUIDText", swiftLog, metrics, serviceLifecycle, "Kafka"],
            path: "Shared/Runtime"
        ),

        // The service host with its HTTP endpoint (health, Prometheus metrics); keeps Hummingbird
        // out of the lower layers.
        .target(
            name: "ServiceHTTP",
            dependencies: [
                "Runtime", "Models", "Kafka", "Postgres", swiftLog, metrics, serviceLifecycle,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Shared/ServiceHTTP"
        ),

        serviceCore(folder: "Intake"),
        serviceCore(folder: "Deadlines"),
        serviceCore(folder: "DebtCalculator"),
        serviceCore(folder: "ReportPublisher", extra: [
            "PDF", "UUIDText", hummingbird,
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        serviceCore(folder: "FNSTransfer", extra: [hummingbird]),
        service("IntakeService", folder: "Intake", core: true),
        service("DeadlinesService", folder: "Deadlines", core: true),
        service("DebtCalculatorService", folder: "DebtCalculator", core: true),
        service("ReportPublisherService", folder: "ReportPublisher", core: true),
        service("FNSTransferService", folder: "FNSTransfer", core: true),

        // The operator CLI (`ressus`), in Portuguese for ANS staff.
        .executableTarget(
            name: "RessusCLI",
            dependencies: [
                "Models", "Runtime", "Kafka", "Postgres", "IntakeCore", "DeadlinesCore", "DebtCalculatorCore",
                "ReportPublisherCore", "FNSTransferCore", "LoadGeneration", "LoadReplay", argumentParser, swiftLog,
            ],
            path: "CLI"
        ),

        .executableTarget(
            name: "PlatformBenchmark", dependencies: ["Kafka", "Postgres"], path: "Benchmarks/Platform"
        ),
        .executableTarget(name: "RulesBenchmark", dependencies: ["Models"], path: "Benchmarks/Rules"),
        .executableTarget(name: "codec-benchmark", dependencies: ["Models", "LoadGeneration", "BenchmarkSupport"], path: "Benchmarks/Codec"),
        // What the benchmark executables share: timing, memory, unbuffered reporting, psql runs.
        .target(name: "BenchmarkSupport", path: "Benchmarks/Support"),
        .executableTarget(name: "floor-benchmark", dependencies: ["BenchmarkSupport"], path: "Benchmarks/Floor"),
        .executableTarget(
            name: "runtime-benchmark", dependencies: ["Runtime", "Kafka", "Postgres", "Models", "LoadGeneration", "BenchmarkSupport"],
            path: "Benchmarks/Runtime"
        ),
        .executableTarget(name: "intake-benchmark", dependencies: ["BenchmarkSupport", "IntakeCore", "DeadlinesCore", "Runtime", "Kafka", "Postgres", "Models", serviceLifecycle], path: "Benchmarks/Intake"),
        .executableTarget(
            name: "debt-benchmark", dependencies: ["BenchmarkSupport", "DebtCalculatorCore", "Runtime", "Postgres", "Models", swiftLog], path: "Benchmarks/Debt"
        ),
        .executableTarget(
            name: "report-benchmark",
            dependencies: [
                "BenchmarkSupport", "ReportPublisherCore", "DebtCalculatorCore", "ServiceHTTP", "Runtime", "Kafka", "Postgres",
                "Models", swiftLog, serviceLifecycle, hummingbird,
            ],
            path: "Benchmarks/Report"
        ),

        .testTarget(
            name: "ModelsTests",
            dependencies: ["Models", "LoadGeneration", "UUIDText", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        // Helpers shared by the test targets: child processes, built products, environment.
        .target(name: "TestSupport", dependencies: ["Postgres", "Runtime", "Kafka", "Models", swiftLog, serviceLifecycle], path: "Tests/Support/TestSupport"),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", "TestSupport", "LoadGeneration", .product(name: "MetricsTestKit", package: "swift-metrics")]
        ),
        .testTarget(name: "PDFTests", dependencies: ["PDF"]),
        .testTarget(name: "LoadGenerationTests", dependencies: ["LoadGeneration", "IntakeCore", "Models"]),
        .testTarget(name: "IntakeTests", dependencies: ["IntakeCore", "Runtime", "Models", "Postgres", "Kafka", "TestSupport"]),
        .testTarget(name: "DeadlinesTests", dependencies: ["DeadlinesCore", "IntakeCore", "Runtime", "Models", "Postgres", "Kafka", "TestSupport"]),
        .testTarget(name: "DeployTests", dependencies: ["TestSupport"]),
        .testTarget(name: "LoadReplayTests", dependencies: ["LoadReplay", "Models", "Postgres", "Runtime", "TestSupport"]),
        .testTarget(name: "FNSTransferTests", dependencies: ["FNSTransferCore", "Runtime", "Models", "Postgres", "Kafka", "TestSupport", hummingbird]),
        .testTarget(name: "ReportPublisherTests", dependencies: ["ReportPublisherCore", "Runtime", "Models", "Postgres", "Kafka", "PDF", "TestSupport", swiftLog, serviceLifecycle, hummingbird, .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "DebtCalculatorTests", dependencies: ["DebtCalculatorCore", "Runtime", "Models", "Postgres", "Kafka", "TestSupport"]),
        .testTarget(
            name: "ServiceHTTPTests",
            dependencies: [
                "ServiceHTTP", "Runtime", "Kafka", "TestSupport", swiftLog, metrics, serviceLifecycle,
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // A scheduler worker process that the scheduler crash tests kill with SIGKILL.
        .executableTarget(
            name: "scheduler-test-worker", dependencies: ["Runtime", "Postgres"], path: "Tests/Support/SchedulerWorkerProcess"
        ),
        // A messaging worker process (inbox consumer or outbox relay) that the runtime crash tests kill.
        .executableTarget(
            name: "runtime-test-worker",
            dependencies: ["Runtime", "Postgres", "Kafka", "Models", swiftLog, serviceLifecycle],
            path: "Tests/Support/RuntimeWorkerProcess"
        ),
    ]
)
