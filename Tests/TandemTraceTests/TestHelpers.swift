import XCTest
@testable import TandemTrace

/// Asserts two float arrays agree elementwise within an absolute-plus-relative tolerance.
func assertClose(
    _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "count differs \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance * (1 + abs(e))) {
        XCTFail("element \(i): \(a) vs expected \(e) \(message)", file: file, line: line)
        return
    }
}

/// Deterministic pseudo-random values in [low, high) that do not touch the global generator.
func testValues(_ count: Int, seed: UInt64 = 1, low: Float = -1, high: Float = 1) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let unit = Float(state >> 40) / Float(1 << 24)
        return low + (high - low) * unit
    }
}

/// A tensor of deterministic pseudo-random values.
func testTensor(_ shape: [Int], seed: UInt64 = 1, low: Float = -1, high: Float = 1) -> Tensor {
    Tensor(shape: shape, scalars: testValues(shape.reduce(1, *), seed: seed, low: low, high: high))
}

/// The MLP of the comparison, small: Linear, ReLU, Linear, ReLU, Linear.
func makeMLP(seed: UInt64 = 0) -> TandemEager.Sequential {
    manualSeed(seed)
    return TandemEager.Sequential([Linear(12, 16), ReLU(), Linear(16, 8), ReLU(), Linear(8, 3)])
}

/// A small CNN: Conv2d, ReLU, MaxPool2d, Conv2d (padded), ReLU, Flatten, Linear.
func makeCNN(seed: UInt64 = 0) -> TandemEager.Sequential {
    manualSeed(seed)
    return TandemEager.Sequential([
        Conv2d(1, 4, kernelSize: 3), ReLU(), MaxPool2d(kernelSize: 2),
        Conv2d(4, 3, kernelSize: 3, padding: 1), ReLU(), TandemEager.Flatten(), Linear(3 * 4 * 4, 5),
    ])
}
