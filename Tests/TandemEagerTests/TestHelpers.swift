import XCTest

@testable import TandemEager

/// Asserts that two arrays agree elementwise within `atol + rtol * |expected|`.
func assertClose(
    _ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-4, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(message): count", file: file, line: line)
    guard actual.count == expected.count else { return }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= atol + rtol * abs(e)) {
        XCTFail("\(message): element \(i) is \(a), expected \(e)", file: file, line: line)
        return
    }
}

/// Runs `body` inside `checked` and returns the error it throws (nil if none).
func checkedError(_ body: () -> Void) -> TandemError? {
    do {
        try checked { body() }
        return nil
    } catch let error as TandemError {
        return error
    } catch {
        XCTFail("unexpected error \(error)")
        return nil
    }
}

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-eager-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The central finite-difference gradient of `f` with respect to every element of `tensor`
/// (evaluated with gradient recording on, as a training step would be).
func finiteDifferenceGradient(of f: () -> Float, at tensor: Tensor, eps: Float = 1e-2) -> [Float] {
    let original = tensor.array
    var result: [Float] = []
    for i in 0..<original.count {
        var shifted = original.scalars
        shifted[i] = original.scalars[i] + eps
        tensor.array = NDArray(shape: original.shape, scalars: shifted)
        let plus = Double(f())
        shifted[i] = original.scalars[i] - eps
        tensor.array = NDArray(shape: original.shape, scalars: shifted)
        let minus = Double(f())
        result.append(Float((plus - minus) / Double(2 * eps)))
    }
    tensor.array = original
    return result
}

/// Deterministic values in [-1, 1) for test inputs (a fixed linear congruential sequence).
func sampleValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}
