// swift-tools-version: 6.1
// libFuzzer targets for Tandem's file readers (safetensors, graph files, IDX with gzip).
// Built with the fuzzer and address sanitizers, separately from the main package:
//
//     swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --product FuzzIDX
//
// Each target's main.swift hands its function to libFuzzer's LLVMFuzzerRunDriver (SwiftPM
// names the entry point itself, so libFuzzer's own main is not used). See scripts/fuzz.sh, which builds and runs each target on its seed corpus (Fuzz/Corpus/<Target>).
import PackageDescription

let package = Package(
    name: "TandemFuzz",
    dependencies: [.package(name: "Tandem", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzSafeTensors", dependencies: [.product(name: "TandemEager", package: "Tandem")]),
        .executableTarget(
            name: "FuzzGraphFile", dependencies: [.product(name: "TandemGraph", package: "Tandem")]),
        .executableTarget(
            name: "FuzzIDX", dependencies: [.product(name: "TandemKernels", package: "Tandem")]),
    ]
)
