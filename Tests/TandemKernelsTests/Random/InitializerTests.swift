import TandemKernels
import XCTest

/// The default initialisers (`Random/Initializers.swift`): PyTorch's and Keras' bounds.
final class InitializerTests: XCTestCase {
    /// Values lie within ±bound and reach close to it (many samples of a uniform distribution).
    private func assertUniform(_ values: [Float], bound: Float, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, "values beyond ±\(bound)", file: file, line: line)
        XCTAssertGreaterThan(values.max()!, 0.95 * bound, file: file, line: line)
        XCTAssertLessThan(values.min()!, -0.95 * bound, file: file, line: line)
    }

    func testFans() {
        XCTAssertTrue(Initializer.fans([10, 784]) == (784, 10))
        XCTAssertTrue(Initializer.fans([32, 3, 5, 5]) == (75, 800), "conv: fan_in = in * kh * kw, fan_out = out * kh * kw")
    }

    func testKaimingUniformLinear() {
        let w = Initializer.kaimingUniform([200, 49], generator: Generator(seed: 1))
        XCTAssertEqual(w.shape, [200, 49])
        assertUniform(w.scalars, bound: 1 / 7)  // 1 / sqrt(fan_in = 49)
    }

    func testKaimingUniformConvolution() {
        let w = Initializer.kaimingUniform([64, 4, 3, 3], generator: Generator(seed: 2))
        assertUniform(w.scalars, bound: 1 / 6)  // fan_in = 4 * 3 * 3 = 36
    }

    func testBiasUniform() {
        assertUniform(Initializer.biasUniform(2000, fanIn: 25, generator: Generator(seed: 3)).scalars, bound: 0.2)
        XCTAssertEqual(Initializer.biasUniform(3, fanIn: 0).scalars, [0, 0, 0])
    }

    func testGlorotUniform() {
        let w = Initializer.glorotUniform([40, 20], generator: Generator(seed: 4))
        assertUniform(w.scalars, bound: 0.31622776)  // sqrt(6 / 60)
        let keras = Initializer.glorotUniform([50, 10], fans: (fanIn: 50, fanOut: 10), generator: Generator(seed: 5))
        assertUniform(keras.scalars, bound: 0.31622776)
    }

    func testSameSeedSameWeights() {
        XCTAssertEqual(
            Initializer.kaimingUniform([3, 4], generator: Generator(seed: 9)), Initializer.kaimingUniform([3, 4], generator: Generator(seed: 9)))
        manualSeed(11)
        let a = Initializer.normal([5])
        manualSeed(11)
        XCTAssertEqual(Initializer.normal([5]), a)
        let u = Initializer.uniform([1000], low: 2, high: 3, generator: Generator(seed: 6)).scalars
        XCTAssertTrue(u.allSatisfy { $0 >= 2 && $0 < 3 })
    }
    func testOrthogonalHasOrthonormalRowsOrColumns() {
        for shape in [[4, 12], [12, 4], [5, 5]] {
            let w = Initializer.orthogonal(shape, generator: Generator(seed: 9)).scalars
            let (rows, cols) = (shape[0], shape[1])
            // W Wᵀ = I for wide matrices, Wᵀ W = I for tall ones: dot products of the short side.
            let wide = rows <= cols
            let (count, length) = wide ? (rows, cols) : (cols, rows)
            func element(_ vector: Int, _ k: Int) -> Double { Double(wide ? w[vector * cols + k] : w[k * cols + vector]) }
            for a in 0..<count {
                for b in 0..<count {
                    let dot = (0..<length).reduce(0.0) { $0 + element(a, $1) * element(b, $1) }
                    XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-5, "\(shape) vectors \(a), \(b)")
                }
            }
        }
    }
}
