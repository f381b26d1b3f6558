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
        .library(name: "TandemDistributed", targets: ["TandemDistributed"]),
        .library(name: "TandemBoard", targets: ["TandemBoard"]),
        .library(name: "TandemTrace", targets: ["TandemTrace"]),
        .executable(name: "tandem", targets: ["tandem"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target TandemEager` (DocC catalogues in Sources/*/*.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        // ONNX and TensorBoard files; the Swift code is generated once by scripts/generate-protos.sh
        // and committed (no build plugin).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
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
        // MPI (Debian's `mpi` pkg-config alternative: Open MPI by default); the shim wraps the
        // handle macros Swift cannot import.
        .systemLibrary(
            name: "CMPI", pkgConfig: "mpi",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin", "pkg-config"])]),

        // The one kernel core: NDArray, the primitive table, kernels, RNG, data.
        .target(
            name: "TandemKernels",
            dependencies: ["COpenBLAS", "CGSL", "CZlib"],
            resources: [.copy("Resources/mnist-5k")]),

        // Messages of ONNX's and TensorBoard's file formats (generated from Protos/ by scripts/generate-protos.sh).
        .target(
            name: "TandemProtos", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protos"]),
        // TensorBoard event files (SummaryWriter), below both frontends, which re-export it.
        .target(name: "TandemBoard", dependencies: ["TandemKernels", "TandemProtos"]),

        // The two frontends.
        .target(name: "TandemEager", dependencies: ["TandemKernels", "TandemBoard"]),
        .target(name: "TandemGraph", dependencies: ["TandemKernels", "TandemBoard"]),

        // Data-parallel training over MPI for both frontends (DDP-style eager, Horovod-style graph).
        .target(name: "TandemDistributed", dependencies: ["TandemEager", "TandemGraph", "CMPI"]),

        // Bridges between the frontends: tracing eager modules into graphs (torch.jit.trace, tf.function),
        // ONNX export and import.
        .target(name: "TandemTrace", dependencies: ["TandemEager", "TandemGraph", "TandemProtos"]),

        // The comparison harness and the command line.
        .target(
            name: "TandemCompare", dependencies: ["TandemEager", "TandemGraph", "TandemDistributed", "TandemTrace"]),
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

        // Tutorials: a course of short programs, `swift run tutorial-NN-name` (see Tutorials/README.md).
        .executableTarget(name: "tutorial-01-tensors", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/01-Tensors", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-02-autograd", dependencies: ["TandemEager", "TandemGraph", "TandemCompare"], path: "Tutorials/02-Autograd", exclude: ["README.md", "tape.svg"]),
        .executableTarget(name: "tutorial-03-graph-session", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/03-GraphSession", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-04-mlp-eager", dependencies: ["TandemEager", "TandemGraph", "TandemCompare"], path: "Tutorials/04-MLPEager", exclude: ["README.md", "loss.svg"]),
        .executableTarget(name: "tutorial-05-mlp-graph", dependencies: ["TandemEager", "TandemGraph", "TandemCompare"], path: "Tutorials/05-MLPGraph", exclude: ["README.md", "loss.svg"]),
        .executableTarget(name: "tutorial-06-cnn-keras", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/06-CNNKeras", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-07-custom-function", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/07-CustomFunction", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-08-debugging", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/08-Debugging", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-09-graph-optimisation", dependencies: ["TandemEager", "TandemGraph", "TandemCompare"], path: "Tutorials/09-GraphOptimisation", exclude: ["README.md", "before.svg", "after.svg"]),
        .executableTarget(name: "tutorial-10-memory", dependencies: ["TandemEager", "TandemGraph", "TandemCompare"], path: "Tutorials/10-Memory", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-11-saving-loading", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/11-SavingLoading", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-12-clipping-accumulation", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/12-ClippingAccumulation", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-14-dynamic-models", dependencies: ["TandemEager", "TandemGraph"], path: "Tutorials/14-DynamicModels", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-15-control-flow", dependencies: ["TandemEager", "TandemGraph", "TandemCompare"], path: "Tutorials/15-ControlFlow", exclude: ["README.md", "control-flow-loop.svg"]),
        .executableTarget(name: "tutorial-16-eager-to-graph", dependencies: ["TandemTrace"], path: "Tutorials/16-EagerToGraph", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-17-exporting-watching", dependencies: ["TandemTrace"], path: "Tutorials/17-ExportingWatching", exclude: ["README.md"]),
        .executableTarget(name: "tutorial-18-data-parallel", dependencies: ["TandemEager", "TandemGraph", "TandemDistributed"], path: "Tutorials/18-DataParallel", exclude: ["README.md"]),

        // Tests mirror the sources.
        // Shared by the eager and graph tests: values recorded from PyTorch and one generic
        // expression per recorded case (scripts/pytorch/record_eager_reference.py).
        .target(name: "TandemTestSupport", dependencies: ["TandemKernels"], path: "Tests/TandemTestSupport"),
        .testTarget(name: "TandemKernelsTests", dependencies: ["TandemKernels"]),
        .testTarget(name: "TandemEagerTests", dependencies: ["TandemEager", "TandemTestSupport"]),
        .testTarget(name: "TandemGraphTests", dependencies: ["TandemGraph", "TandemEager", "TandemTestSupport"]),
        .testTarget(name: "TandemCompareTests", dependencies: ["TandemCompare"]),
        .testTarget(name: "TandemBoardTests", dependencies: ["TandemBoard", "TandemKernels", "TandemProtos"]),
        .testTarget(name: "TandemDistributedTests", dependencies: ["TandemDistributed", "TandemEager", "TandemGraph"]),
        .testTarget(name: "TandemTraceTests", dependencies: ["TandemTrace", "TandemEager", "TandemGraph", "TandemProtos"]),
        // Runs every tutorial in quick mode and checks what it prints, so tutorials cannot rot.
        .testTarget(name: "TutorialTests", dependencies: ["TandemKernels"]),
    ],
    swiftLanguageModes: [.v5]
)
