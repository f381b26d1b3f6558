import XCTest
import TandemEager
@testable import TandemCompare

/// The ResNet-style spec: its state-dict keys, its running statistics as state in both
/// frontends, and parity of parameters, running statistics and eval-mode logits after training.
final class ModelSpecResNetTests: XCTestCase {
    func testKeysAndSizesFollowPyTorch() {
        let spec = ModelSpec.resnet
        XCTAssertEqual(ModelSpec(name: "resnet"), .resnet)
        XCTAssertEqual(Array(spec.parameterNames.prefix(4)), ["0.weight", "0.bias", "1.weight", "1.bias"])
        XCTAssertEqual(Array(spec.parameterNames[4...9]),
                       ["4.conv1.weight", "4.bn1.weight", "4.bn1.bias", "4.conv2.weight", "4.bn2.weight", "4.bn2.bias"])
        XCTAssertEqual(spec.bufferNames.first, "1.running_mean")
        XCTAssertEqual(spec.bufferNames.count, 10)  // 5 batch norms x (mean, var)
        // conv 1->8 (72 + 8), BN (16), two blocks of 2 x (8*8*9) + 2 x 16, Linear(8, 10) (80 + 10): by hand.
        XCTAssertEqual(spec.parameterCount, 80 + 16 + 2 * (2 * 576 + 32) + 90)
        let weights = spec.initialWeights(seed: 0)
        XCTAssertEqual(weights.first { $0.name == "4.bn1.weight" }?.value, NDArray(ones: [8]))
        XCTAssertEqual(spec.initialBuffers().first { $0.name == "5.bn2.running_var" }?.value, NDArray(ones: [8]))
        // Existing specs draw exactly the numbers they drew before the layer tensors were generalised.
        let generator = Generator(seed: 3)
        XCTAssertEqual(ModelSpec.mlp([4, 3]).initialWeights(seed: 3)[0].value, Initializer.kaimingUniform([3, 4], generator: generator))
    }

    func testEvalModeReadsTheRunningStatisticsAndGlobalPoolingIsTheChannelMean() throws {
        let spec = ModelSpec.resnet
        let weights = spec.initialWeights(seed: 1)
        let x = NDArray(shape: [2, 1, 28, 28], scalars: (0..<1568).map { Float(($0 * 31) % 97) / 97 })
        try checked {
            let p = spec.state(weights: weights) { _, value, _ in Tensor(value) }
            var pooledInput: NDArray?, pooled: NDArray?
            _ = noGrad { spec.forward(Tensor(x), p, training: false) { label, h in
                if label.hasPrefix("5:") { pooledInput = h.array }
                if label.hasPrefix("6:") { pooled = h.array }
            } }
            // Eval moves nothing; running statistics still at their initial values.
            XCTAssertEqual(p["1.running_mean"].array, NDArray(zeros: [8]))
            // The pooled value is the mean of each channel's 14 x 14 map (a naive loop).
            let input = try XCTUnwrap(pooledInput), output = try XCTUnwrap(pooled)
            XCTAssertEqual(input.shape, [2, 8, 14, 14])
            for n in 0..<2 {
                for c in 0..<8 {
                    let start = (n * 8 + c) * 196
                    let mean = input.scalars[start..<start + 196].reduce(0, +) / 196
                    XCTAssertEqual(output.scalars[n * 8 + c], mean, accuracy: 1e-5)
                }
            }
            // Training moves the running mean toward the batch's.
            _ = noGrad { spec.forward(Tensor(x), p) }
            XCTAssertNotEqual(p["1.running_mean"].array, NDArray(zeros: [8]))
        }
    }

    func testBothFrontendsAgreeOnRunningStatisticsAndEvalLogitsAfterTraining() throws {
        var comparison = Comparison(spec: .resnet, dataset: .synthetic(count: 64), steps: 4, batchSize: 8, seed: 0)
        comparison.includeFaults = false
        comparison.showProgress = false
        let result = try comparison.runModel()
        XCTAssertLessThan(result.maxLossDiff, 1e-4)
        XCTAssertNil(result.firstDivergentLayer, "\(result.activationDiffs)")
        let names = result.trainedStateDiffs.map(\.layer)
        XCTAssertTrue(names.contains("after training: 4.bn1.running_var"), "\(names)")
        XCTAssertEqual(names.last, "after training: eval-mode logits")
        XCTAssertNil(result.firstDivergentState, "\(result.trainedStateDiffs)")
        XCTAssertEqual(result.trainedStateDiffs.count, ModelSpec.resnet.parameterNames.count + 10 + 1)
    }

    func testGraphTrainerMovesRunningStatisticsOnlyWithTheUpdateOps() throws {
        let spec = ModelSpec.resnet
        let comparison = Comparison(spec: spec, dataset: .synthetic(count: 16), steps: 1, batchSize: 8)
        let trainer = try GraphTrainer(comparison, weights: spec.initialWeights(seed: 0))
        XCTAssertEqual(trainer.graph.updateOps.count, 10)
        let (x, y) = ComparisonDataset.synthetic(count: 16).batch(Array(0..<8), for: spec)
        _ = try trainer.step(x, y)
        let state = try trainer.state()
        XCTAssertNotEqual(state["4.bn2.running_var"], NDArray(ones: [8]))
        XCTAssertTrue(trainer.graph.warnings.isEmpty, "\(trainer.graph.warnings)")
    }
}
