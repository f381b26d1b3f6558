// swift-tools-version: 6.1
// Tandem: one kernel core (TandemKernels), two frontends (TandemEager, TandemGraph),
// and a harness (TandemCompare) that runs identical models through both.
import PackageDescription

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "TandemKernels", targets: ["TandemKernels"]),
        .library(name: "TandemEager", targets: ["TandemEager"]),
        .library(name: "TandemGraph", targets: ["TandemGraph"]),
        .library(name: "TandemCompare", targets: ["TandemCompare"]),
        .executable(name: "tandem", targets: ["tandem"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkg-config"])]),
        .systemLibrary(
            name: "CGSL", pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev", "pkg-config"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev", "pkg-config"])]),

        // The one kernel core: NDArray, the primitive table, kernels, RNG, data.
        .target(
            name: "TandemKernels",
            dependencies: ["COpenBLAS", "CGSL", "CZlib"],
            resources: [.copy("Resources/mnist-5k")]),

        // The two frontends.
        .target(name: "TandemEager", dependencies: ["TandemKernels"]),
        .target(name: "TandemGraph", dependencies: ["TandemKernels"]),

        // The comparison harness and the command line.
        .target(
            name: "TandemCompare", dependencies: ["TandemEager", "TandemGraph"]),
        .executableTarget(
            name: "tandem",
            dependencies: [
                "TandemCompare",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks (run with `swift run -c release tandem-kernel-bench`).
        .executableTarget(
            name: "tandem-kernel-bench", dependencies: ["TandemKernels", "COpenBLAS"],
            path: "Benchmarks/KernelBenchmarks"),

        // Tests mirror the sources.
        .testTarget(name: "TandemKernelsTests", dependencies: ["TandemKernels"]),
        .testTarget(name: "TandemEagerTests", dependencies: ["TandemEager"]),
        .testTarget(name: "TandemGraphTests", dependencies: ["TandemGraph", "TandemEager"]),
        .testTarget(name: "TandemCompareTests", dependencies: ["TandemCompare"]),
    ],
    swiftLanguageModes: [.v5]
)
