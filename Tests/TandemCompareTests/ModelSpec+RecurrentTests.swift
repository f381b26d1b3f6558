import Foundation
import XCTest
@testable import TandemCompare

/// `ModelSpec.lstm`: the eager Swift loop, the graph `whileLoop` and the eager `nn.LSTM` module
/// path agree with an LSTM written as naive loops, and a short comparison trains both to parity.
final class ModelSpecRecurrentTests: XCTestCase {
    func testLSTMSpecHasPyTorchKeysShapesAndBounds() {
        let spec = ModelSpec.lstm
        XCTAssertEqual(ModelSpec(name: "lstm"), .lstm)
        XCTAssertEqual(
            spec.parameterNames, ["0.weight_ih_l0", "0.weight_hh_l0", "0.bias_ih_l0", "0.bias_hh_l0", "1.weight", "1.bias"])
        // 4*64*28 + 4*64*64 + 2*4*64, then 64*10 + 10.
        XCTAssertEqual(spec.parameterCount, 7_168 + 16_384 + 512 + 650)
        let weights = spec.initialWeights(seed: 3)
        XCTAssertEqual(weights.map(\.value.shape), [[256, 28], [256, 64], [256], [256], [10, 64], [10]])
        for (name, value) in weights.prefix(4) {
            XCTAssertTrue(value.scalars.allSatisfy { abs($0) <= 0.125 }, name)  // 1/sqrt(64)
        }
    }

    func testEagerLoopGraphLoopAndModuleMatchANaiveLSTM() throws {
        let spec = ModelSpec.lstm
        let weights = spec.initialWeights(seed: 4)
        let batch = 2
        let x = NDArray(shape: [batch, 28, 28], scalars: (0..<(batch * 784)).map { Float(($0 * 37) % 101) / 101 })
        let eager = try checked { spec.forward(Tensor(x), Parameters(weights) { Tensor($1) }).array }
        let module = try spec.makeModule(weights: weights)
        let viaModule = try checked { module(Tensor(x)).array }

        let graph = Graph()
        let input = graph.placeholder(shape: [nil, 28, 28], name: "x")
        let logits = spec.forward(input, Parameters(weights) { graph.variable($1, name: $0) })
        let session = Session(graph: graph)
        try session.run(graph.initializeVariables())
        let symbolic = try session.run(logits, feed: [input: x])

        // Independent truth: the LSTM equations as naive loops in Double.
        let w = Dictionary(uniqueKeysWithValues: weights.map { ($0.name, $0.value.scalars.map(Double.init)) })
        func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
        var expected: [Float] = []
        for b in 0..<batch {
            var h = [Double](repeating: 0, count: 64), c = h
            for t in 0..<28 {
                let xt = (0..<28).map { Double(x.scalars[(b * 28 + t) * 28 + $0]) }
                var gates = [Double](repeating: 0, count: 256)
                for j in 0..<256 {
                    var s = w["0.bias_ih_l0"]![j] + w["0.bias_hh_l0"]![j]
                    for k in 0..<28 { s += w["0.weight_ih_l0"]![j * 28 + k] * xt[k] }
                    for k in 0..<64 { s += w["0.weight_hh_l0"]![j * 64 + k] * h[k] }
                    gates[j] = s
                }
                for j in 0..<64 {
                    c[j] = sigmoid(gates[64 + j]) * c[j] + sigmoid(gates[j]) * Foundation.tanh(gates[128 + j])
                    h[j] = sigmoid(gates[192 + j]) * Foundation.tanh(c[j])
                }
            }
            for o in 0..<10 {
                expected.append(Float((0..<64).reduce(w["1.bias"]![o]) { $0 + w["1.weight"]![o * 64 + $1] * h[$1] }))
            }
        }
        for (name, value) in [("eager", eager), ("module", viaModule), ("graph", symbolic)] {
            XCTAssertEqual(value.shape, [batch, 10], name)
            for (a, e) in zip(value.scalars, expected) { XCTAssertEqual(a, e, accuracy: 1e-4, name) }
        }
    }

    func testShortLSTMComparisonAgreesAndTrains() throws {
        var comparison = Comparison(spec: .lstm, dataset: .synthetic(count: 64), steps: 6, batchSize: 16, seed: 0)
        comparison.showProgress = false
        let result = try comparison.runModel()
        XCTAssertEqual(result.graph.losses.count, 6)
        XCTAssertLessThan(result.maxLossDiff, 1e-4)
        XCTAssertNil(result.firstDivergentLayer)
        XCTAssertEqual(result.activationDiffs.map(\.layer).suffix(2), ["loss: crossEntropy", "eager Module path: logits"])
        XCTAssertLessThan(result.eager.losses.suffix(2).reduce(0, +), result.eager.losses.prefix(2).reduce(0, +))
    }
}
