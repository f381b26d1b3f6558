import TandemEager
import XCTest

@testable import TandemGraph

/// The Keras-style recurrent layers (one `whileLoop` over time) compute what the eager modules
/// (a Swift loop) compute on the same weights: forward values and gradients. The eager modules
/// are themselves checked against naive loops and finite differences in TandemEagerTests.
final class RecurrentLayerTests: XCTestCase {
    private let (batch, time, features, units) = (3, 5, 4, 6)

    private var inputValue: NDArray {
        NDArray(shape: [batch, time, features], scalars: testValues(batch * time * features, seed: 41))
    }

    /// PyTorch's `[gates * units, in]` weight as Keras' `[in, gates * units]` kernel, with the
    /// gate blocks taken in `order` (indices into PyTorch's order).
    private func kerasKernel(_ weight: Tensor, order: [Int]) -> NDArray {
        let blocks = order.map { weight.narrow(dim: 0, start: $0 * units, length: units) }
        return TandemEager.cat(blocks, dim: 0).transpose(0, 1).array.contiguous()
    }

    private func kerasVector(_ bias: Tensor, order: [Int]) -> Tensor {
        TandemEager.cat(order.map { bias.narrow(dim: 0, start: $0 * units, length: units) }, dim: 0)
    }

    private func run(
        _ layer: TandemGraph.Layer, assigning values: [NDArray], weighting r: NDArray
    ) throws -> (output: NDArray, grads: [NDArray]) {
        let g = Graph()
        let x = g.placeholder(shape: [nil, time, features], name: "x")
        _ = layer.build(inputShape: [time, features], in: g)
        let out = layer(x, training: true)
        let loss = (out * g.constant(r)).sum()
        let grads = g.gradients(of: loss, with: layer.variables)
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        for (variable, value) in zip(layer.variables, values) { try session.assign(value, to: variable) }
        let results = try session.run([out] + grads, feed: [x: inputValue])
        return (results[0], Array(results.dropFirst()))
    }

    func testLSTMMatchesTheEagerModule() throws {
        for returnSequences in [false, true] {
            manualSeed(40)
            let eager = TandemEager.LSTM(inputSize: features, hiddenSize: units)
            let result = eager(Tensor(inputValue), lengths: nil)
            let eagerOut = returnSequences ? result.output : result.h.squeeze(dim: 0)
            let r = NDArray(shape: eagerOut.shape, scalars: testValues(eagerOut.count, seed: 42))
            (eagerOut * Tensor(r)).sum().backward()

            let order = [0, 1, 2, 3]
            let bias = eager.biasIH! + eager.biasHH!
            let graph = try run(
                TandemGraph.LSTM(units: units, returnSequences: returnSequences),
                assigning: [kerasKernel(eager.weightIH, order: order), kerasKernel(eager.weightHH, order: order), bias.array],
                weighting: r)
            XCTAssertEqual(graph.output.shape, eagerOut.shape)
            assertClose(graph.output.scalars, eagerOut.scalars, tolerance: 1e-5, "output, sequences \(returnSequences)")
            assertClose(graph.grads[0].scalars, kerasKernel(eager.weightIH.grad!, order: order).scalars, tolerance: 1e-4, "kernel")
            assertClose(graph.grads[1].scalars, kerasKernel(eager.weightHH.grad!, order: order).scalars, tolerance: 1e-4, "recurrent")
            // The graph's single bias feeds both of the eager module's biases.
            assertClose(graph.grads[2].scalars, eager.biasIH!.grad!.scalars, tolerance: 1e-4, "bias")
            assertClose(eager.biasHH!.grad!.scalars, eager.biasIH!.grad!.scalars, tolerance: 1e-6, "bias_hh")
        }
    }

    func testGRUMatchesTheEagerModule() throws {
        for returnSequences in [false, true] {
            manualSeed(43)
            let eager = TandemEager.GRU(inputSize: features, hiddenSize: units)
            let result = eager(Tensor(inputValue), lengths: nil)
            let eagerOut = returnSequences ? result.output : result.h.squeeze(dim: 0)
            let r = NDArray(shape: eagerOut.shape, scalars: testValues(eagerOut.count, seed: 44))
            (eagerOut * Tensor(r)).sum().backward()

            let order = [1, 0, 2]  // Keras z, r, h from PyTorch r, z, n
            let bias = TandemEager.stack(
                [kerasVector(eager.biasIH!, order: order), kerasVector(eager.biasHH!, order: order)], dim: 0)
            let graph = try run(
                TandemGraph.GRU(units: units, returnSequences: returnSequences),
                assigning: [kerasKernel(eager.weightIH, order: order), kerasKernel(eager.weightHH, order: order), bias.array],
                weighting: r)
            assertClose(graph.output.scalars, eagerOut.scalars, tolerance: 1e-5, "output, sequences \(returnSequences)")
            assertClose(graph.grads[0].scalars, kerasKernel(eager.weightIH.grad!, order: order).scalars, tolerance: 1e-4, "kernel")
            assertClose(graph.grads[1].scalars, kerasKernel(eager.weightHH.grad!, order: order).scalars, tolerance: 1e-4, "recurrent")
            let eagerBiasGrad = TandemEager.stack(
                [kerasVector(eager.biasIH!.grad!, order: order), kerasVector(eager.biasHH!.grad!, order: order)], dim: 0)
            assertClose(graph.grads[2].scalars, eagerBiasGrad.scalars, tolerance: 1e-4, "bias")
        }
    }

    func testKerasInitialisersAndShapes() {
        manualSeed(45)
        let g = Graph()
        let lstm = TandemGraph.LSTM(units: units, returnSequences: true)
        XCTAssertEqual(lstm.build(inputShape: [time, features], in: g), [time, units])
        XCTAssertEqual(lstm.variables.map(\.staticShape), [[features, 4 * units], [units, 4 * units], [4 * units]])
        XCTAssertEqual(lstm.variables.map(\.name), ["lstm/kernel", "lstm/recurrent_kernel", "lstm/bias"])
        let gru = TandemGraph.GRU(units: units)
        XCTAssertEqual(gru.build(inputShape: [time, features], in: g), [units])
        XCTAssertEqual(gru.variables.map(\.staticShape), [[features, 3 * units], [units, 3 * units], [2, 3 * units]])
    }

    func testSequentialTrainsAnLSTMClassifier() throws {
        manualSeed(46)
        // Class = whether the first feature of the first step is positive: the last state must carry it.
        let n = 48
        let values = testValues(n * time * features, seed: 47)
        let labels = (0..<n).map { values[$0 * time * features] > 0 ? 1 : 0 }
        let model = TandemGraph.Sequential([TandemGraph.LSTM(units: 8), Dense(2)], inputShape: [time, features])
        model.compile(optimizer: .adam(learningRate: 0.05), loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
        let x = NDArray(shape: [n, time, features], scalars: values)
        let before = try model.evaluate(x, labels)["loss"]!
        _ = try model.fit(x, labels, epochs: 15, batchSize: 16)
        let after = try model.evaluate(x, labels)
        XCTAssertLessThan(after["loss"]!, 0.5 * before, "training reduces the loss")
        XCTAssertGreaterThan(after["accuracy"]!, 0.9)
    }
}
