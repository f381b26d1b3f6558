// swift-tools-version: 6.1
// A tiny package that uses Tandem as a dependency, to show the wiring. In your own project,
// replace `path:` with `url: "https://…/Tandem.git", branch: "main"` (or a version).
import PackageDescription

let package = Package(
    name: "HelloTandem",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The Tandem repository root, three levels up from docs/examples/HelloTandem.
        .package(name: "Tandem", path: "../../.."),
    ],
    targets: [
        .executableTarget(
            name: "HelloTandem",
            dependencies: [
                // Pick the frontend you want; each re-exports TandemKernels (NDArray, manualSeed, ...).
                .product(name: "TandemEager", package: "Tandem"),
            ]),
    ],
    swiftLanguageModes: [.v5]
)
