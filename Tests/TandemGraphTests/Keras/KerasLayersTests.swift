import Foundation
import XCTest
@testable import TandemGraph

/// Embedding, AveragePooling2D, GlobalAveragePooling2D and Activation against naive loops and
/// closed forms, each built in a graph and run in a session.
final class KerasLayersTests: XCTestCase {
    /// Builds `layer` for inputs of `shape` (batch first), runs it on `input`, returns the output and session.
    private func run(_ layer: Layer, _ input: NDArray) throws -> (NDArray, Session, [Int]) {
        let g = Graph()
        let x = g.placeholder(shape: [nil] + input.shape.dropFirst().map { $0 }, name: "x")
        let shape = try checked { layer.build(inputShape: Array(input.shape.dropFirst()), in: g) }
        let y = layer(x, training: false)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        return (try session.run(y, feed: [x: input]), session, shape)
    }

    func testEmbeddingLooksUpRows() throws {
        manualSeed(4)
        let layer = Embedding(inputDim: 5, outputDim: 3)
        let (out, session, shape) = try run(layer, NDArray(shape: [2, 2], scalars: [4, 0, 2, 4]))
        XCTAssertEqual(shape, [2, 3])
        XCTAssertEqual(out.shape, [2, 2, 3])
        let table = try session.value(of: layer.embeddings!).scalars
        XCTAssertTrue(table.allSatisfy { abs($0) <= 0.05 }, "Keras' uniform(-0.05, 0.05)")
        XCTAssertEqual(out.scalars, [4, 0, 2, 4].flatMap { table[($0 * 3)..<($0 * 3 + 3)] })
    }

    func testAveragePoolingMatchesNaiveWindows() throws {
        let values = testValues(2 * 4 * 4, seed: 6)
        let (out, _, shape) = try run(AveragePooling2D(poolSize: 2), NDArray(shape: [1, 2, 4, 4], scalars: values))
        XCTAssertEqual(shape, [2, 2, 2])
        var expected: [Float] = []
        for c in 0..<2 { for i in 0..<2 { for j in 0..<2 {
            var total: Float = 0
            for di in 0..<2 { for dj in 0..<2 { total += values[c * 16 + (2 * i + di) * 4 + 2 * j + dj] } }
            expected.append(total / 4)
        } } }
        assertClose(out.scalars, expected, tolerance: 1e-6)

        let (global, _, globalShape) = try run(GlobalAveragePooling2D(), NDArray(shape: [1, 2, 4, 4], scalars: values))
        XCTAssertEqual(globalShape, [2])
        assertClose(global.scalars, [values[0..<16].reduce(0, +) / 16, values[16..<32].reduce(0, +) / 16], tolerance: 1e-6)
        XCTAssertThrowsError(try checked { _ = GlobalAveragePooling2D().build(inputShape: [3], in: Graph()) })
        XCTAssertThrowsError(try checked { _ = AveragePooling2D(poolSize: 5).build(inputShape: [1, 4, 4], in: Graph()) }) {
            XCTAssertTrue("\($0)".contains("AveragePooling2D"), "\($0)")
        }
    }

    func testActivationsMatchClosedForms() throws {
        let values: [Float] = [-2, -0.5, 0.5, 1, 3, 0]
        let input = NDArray(shape: [2, 3], scalars: values)
        let (softmax, _, _) = try run(Activation(.softmax), input)
        var expected: [Float] = []
        for row in 0..<2 {
            let e = values[(row * 3)..<(row * 3 + 3)].map { exp(Double($0)) }
            expected += e.map { Float($0 / e.reduce(0, +)) }
        }
        assertClose(softmax.scalars, expected, tolerance: 1e-6)
        XCTAssertEqual(try run(Activation(.relu), input).0.scalars, values.map { max($0, 0) })
        XCTAssertEqual(try run(Activation(.leakyRelu(alpha: 0.1)), input).0.scalars, values.map { $0 >= 0 ? $0 : 0.1 * $0 })
        assertClose(try run(Activation(.logSoftmax), input).0.scalars, expected.map { Float(log(Double($0))) }, tolerance: 1e-5)
        assertClose(
            try run(Activation(.gelu), input).0.scalars,
            values.map { Float(Double($0) * 0.5 * (1 + erf(Double($0) / 2.0.squareRoot()))) }, tolerance: 1e-6)
        XCTAssertEqual(try run(Activation(.linear), input).0.scalars, values)
    }
}
