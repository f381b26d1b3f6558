import XCTest

@testable import TandemEager

final class LayerNormTests: XCTestCase {
    func testNormalisesTrailingDimensionsAsNaiveLoops() {
        let norm = LayerNorm([2, 3])
        norm.weight!.array = NDArray(shape: [2, 3], scalars: [1, 2, 3, -1, 0.5, 1])
        norm.bias!.array = NDArray(shape: [2, 3], scalars: [0, 0.1, 0.2, 0.3, 0.4, 0.5])
        let x = sampleValues(24, seed: 3).map { $0 * 4 }
        let y = norm(Tensor(shape: [4, 2, 3], scalars: x))
        var expected: [Float] = []
        for sample in 0..<4 {
            let values = x[(sample * 6)..<(sample * 6 + 6)].map(Double.init)
            let mean = values.reduce(0, +) / 6
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 6
            for (k, v) in values.enumerated() {
                expected.append(Float((v - mean) / (variance + 1e-5).squareRoot()) * norm.weight!.scalars[k] + norm.bias!.scalars[k])
            }
        }
        assertClose(y.scalars, expected, atol: 1e-4)
        XCTAssertEqual(norm.stateDict().keys.sorted(), ["bias", "weight"])
        XCTAssertEqual(LayerNorm([3], elementwiseAffine: false).parameters.count, 0)
    }

    func testGradientsMatchFiniteDifferences() {
        let norm = LayerNorm([4])
        norm.weight!.array = NDArray(shape: [4], scalars: [1, -2, 0.5, 1.5])
        let x = Tensor(shape: [3, 4], scalars: sampleValues(12, seed: 8).map { $0 * 2 }, requiresGrad: true)
        let mix = Tensor(shape: [3, 4], scalars: sampleValues(12, seed: 9))
        func loss() -> Tensor { (norm(x) * mix).sum() }
        loss().backward()
        for (name, tensor) in [("input", x), ("weight", norm.weight!), ("bias", norm.bias!)] {
            assertClose(tensor.grad!.scalars, finiteDifferenceGradient(of: { loss().item() }, at: tensor), atol: 5e-3, rtol: 1e-2, name)
        }
    }

    func testWrongTrailingShapeNamesTheCallersLine() {
        let norm = LayerNorm([5])
        let line = #line + 1
        let error = checkedError { _ = norm(Tensor(shape: [2, 4], scalars: Array(repeating: 1, count: 8))) }
        XCTAssertTrue("\(error!)".contains("LayerNorm") && "\(error!)".contains("LayerNormTests.swift:\(line)"), "\(error!)")
    }
}
