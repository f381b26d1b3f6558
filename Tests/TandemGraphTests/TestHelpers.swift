import XCTest
@testable import TandemGraph

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

/// Checks graph gradients of `sum(build(inputs) * R)` (R a fixed random weighting) against
/// central finite differences computed by running the forward graph.
func checkGradients(
    _ values: [NDArray], tolerance: Float = 2e-2, epsilon: Float = 1e-2,
    file: StaticString = #filePath, line: UInt = #line,
    _ build: ([Node]) -> Node
) throws {
    let g = Graph()
    let inputs = values.enumerated().map { g.placeholder(shape: $0.element.shape.map { $0 }, name: "x\($0.offset)") }
    let out = build(inputs)
    let weightShape = out.staticShape
    let weights = g.constant(NDArray(shape: weightShape, scalars: testValues(weightShape.reduce(1, *), seed: 99, low: 0.5, high: 1.5)))
    let loss = (out * weights).sum()
    let grads = g.gradients(of: loss, with: inputs)
    let session = Session(graph: g)
    func feed(_ arrays: [NDArray]) -> [Node: NDArray] {
        Dictionary(uniqueKeysWithValues: zip(inputs, arrays))
    }
    let analytic = try session.run(grads, feed: feed(values))
    for (k, value) in values.enumerated() {
        var numeric = [Float](repeating: 0, count: value.count)
        var scalars = value.scalars
        for i in 0..<value.count {
            let original = scalars[i]
            var arrays = values
            scalars[i] = original + epsilon
            arrays[k] = NDArray(shape: value.shape, scalars: scalars)
            let plus = try session.run(loss, feed: feed(arrays)).scalar
            scalars[i] = original - epsilon
            arrays[k] = NDArray(shape: value.shape, scalars: scalars)
            let minus = try session.run(loss, feed: feed(arrays)).scalar
            scalars[i] = original
            numeric[i] = (plus - minus) / (2 * epsilon)
        }
        assertClose(analytic[k].scalars, numeric, tolerance: tolerance, "gradient of input \(k)", file: file, line: line)
        XCTAssertEqual(analytic[k].shape, value.shape, file: file, line: line)
    }
}

/// Runs `body` expecting a `TandemError` and returns its description.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}
