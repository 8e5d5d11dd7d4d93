// swift-tools-version: 6.0
import PackageDescription

/// Kernels are compiled for the host CPU (AVX-512/AVX2 + FMA here) so `SIMD16<Float>` maps to
/// native vector registers and fused multiply-adds; without it `addProduct` becomes a libm call.
/// `-fno-math-errno` lets `squareRoot()` (a C shim on Linux) become `vsqrtps` instead of a
/// per-lane `sqrtf` call that sets errno; the result is the same correctly rounded square root.
let nativeCodegen: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native", "-Xcc", "-fno-math-errno"]),
    // Plain -O (bounds and precondition checks stay on): measured as fast as -Ounchecked here,
    // and -Ounchecked miscompiled a pooled-buffer gather in Swift 6.3.
    .unsafeFlags(["-wmo"], .when(configuration: .release)),
]

/// The engine's kernels are optimized in debug builds too: an unoptimized GEMM is ~100x slower,
/// which would make `swift test` crawl. Everything above the engine stays debuggable.
let engineCodegen: [SwiftSetting] = nativeCodegen + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "pacnet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pacnet", targets: ["PACNetCLI"]),
        .library(name: "PACEngine", targets: ["PACEngine"]),
        .library(name: "PACDistributed", targets: ["PACDistributed"]),
        .library(name: "PACNN", targets: ["PACNN"]),
        .library(name: "PACNet", targets: ["PACNet"]),
        .library(name: "PACBenchmarks", targets: ["PACBenchmarks"]),
        .library(name: "PACPlots", targets: ["PACPlots"]),
        .library(name: "PACNumerics", targets: ["PACNumerics"]),
        .library(name: "PACIO", targets: ["PACIO"]),
        .library(name: "PACWorkflow", targets: ["PACWorkflow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Engine: N-d tensors, kernels, reverse-mode autodiff, seeded randomness.
        .target(name: "PACEngine", swiftSettings: engineCodegen),
        // Distribution: Open MPI's collectives (loaded at run time) or a single process.
        .target(name: "PACDistributed"),
        // File formats: CSV and NPY data, safetensors model files, atomic writes.
        .target(name: "PACIO", dependencies: ["PACEngine"]),
        // Neural networks: modules, layers, losses, optimizers, the training loop.
        .target(name: "PACNN", dependencies: ["PACEngine", "PACDistributed"], swiftSettings: nativeCodegen),
        // PAC-Net (prune / allocate / calibrate) and the transfer baselines.
        .target(name: "PACNet", dependencies: ["PACNN"], swiftSettings: nativeCodegen),
        // SVG plotting: line plots, heatmaps and grids of them (Foundation only).
        .target(name: "PACPlots", swiftSettings: nativeCodegen),
        // Numerical solvers behind the benchmark data: RK4, damped pendulum, Burgers, FFT.
        .target(name: "PACNumerics", swiftSettings: nativeCodegen),
        // Benchmark tasks, the experiment runner and its reports.
        .target(name: "PACBenchmarks", dependencies: ["PACNet", "PACIO", "PACPlots", "PACNumerics", "PACDistributed"],
                swiftSettings: nativeCodegen),
        // Bring-your-own-data workflows: data files, model files, the staged PAC-Net operations.
        .target(name: "PACWorkflow", dependencies: ["PACNet", "PACIO"], swiftSettings: nativeCodegen),
        // The `pacnet` command-line tool.
        .executableTarget(
            name: "PACNetCLI",
            dependencies: ["PACBenchmarks", "PACWorkflow", "PACDistributed", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: nativeCodegen),
        // Finite-difference gradient checking and image fixtures shared by the test targets.
        .target(name: "PACTestSupport", dependencies: ["PACEngine", "PACIO", "PACDistributed"], path: "Tests/PACTestSupport"),
        .testTarget(name: "PACEngineTests", dependencies: ["PACEngine", "PACTestSupport"]),
        .testTarget(name: "PACDistributedTests", dependencies: ["PACDistributed"]),
        .testTarget(name: "PACNNTests", dependencies: ["PACNN", "PACTestSupport"]),
        .testTarget(name: "PACNetTests", dependencies: ["PACNet"]),
        .testTarget(name: "PACIOTests", dependencies: ["PACIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PACWorkflowTests", dependencies: ["PACWorkflow", "PACTestSupport"]),
        .testTarget(name: "PACPlotsTests", dependencies: ["PACPlots"]),
        .testTarget(name: "PACNumericsTests", dependencies: ["PACNumerics"]),
        .testTarget(name: "PACBenchmarksTests", dependencies: ["PACBenchmarks", "PACIO", "PACNumerics", "PACTestSupport"]),
        .testTarget(name: "PACNetCLITests", dependencies: ["PACNetCLI", "PACTestSupport"]),
    ]
)
