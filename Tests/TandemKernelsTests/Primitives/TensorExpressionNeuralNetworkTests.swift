import TandemKernels
import XCTest

/// The free functions of `Primitives/TensorExpression+NeuralNetwork.swift` and
/// `Primitives/TensorExpression+Indexing.swift`, run through `Value`: each builds the right
/// primitives, and batchNorm performs its running-statistics update through `assign`.
final class TensorExpressionNeuralNetworkTests: XCTestCase {
    func testBatchNormInTrainingNormalisesWithTheBatchAndMovesTheRunningStatistics() {
        let x = randomArray([6, 2, 3], seed: 1)
        let runningMean = Value(NDArray(shape: [2], scalars: [0.5, -0.5])), runningVar = Value(NDArray(shape: [2], scalars: [2, 3]))
        let y = batchNorm(Value(x), runningMean: runningMean, runningVar: runningVar, weight: nil, bias: nil, training: true, momentum: 0.25)
        let stats = Naive.batchStatistics(x).scalars
        assertClose(y.array, Naive.batchNorm(x, mean: Array(stats[0..<2]), variance: Array(stats[2..<4]), weight: nil, bias: nil, eps: 1e-5))
        assertClose(runningMean.array.scalars, [0.75 * 0.5 + 0.25 * stats[0], 0.75 * -0.5 + 0.25 * stats[1]])
        assertClose(runningVar.array.scalars, [0.75 * 2 + 0.25 * stats[4], 0.75 * 3 + 0.25 * stats[5]], "the unbiased variance")
    }

    func testBatchNormInEvalUsesTheRunningStatisticsAndLeavesThemAlone() {
        let x = randomArray([4, 2], seed: 2)
        let mean = NDArray(shape: [2], scalars: [0.1, 0.2]), variance = NDArray(shape: [2], scalars: [0.5, 1.5])
        let weight = NDArray(shape: [2], scalars: [2, 3])
        let y = batchNorm(Value(x), runningMean: Value(mean), runningVar: Value(variance), weight: Value(weight), bias: nil, training: false)
        assertClose(y.array, Naive.batchNorm(x, mean: mean.scalars, variance: variance.scalars, weight: weight.scalars, bias: [0, 0], eps: 1e-5))
        let bias = NDArray(shape: [2], scalars: [-1, 1])
        let shifted = batchNorm(Value(x), runningMean: Value(mean), runningVar: Value(variance), weight: nil, bias: Value(bias), training: false)
        assertClose(shifted.array, Naive.batchNorm(x, mean: mean.scalars, variance: variance.scalars, weight: nil, bias: bias.scalars, eps: 1e-5))
        XCTAssertThrowsError(try checked {
            _ = batchNorm(Value(x), runningMean: nil, runningVar: Value(variance), weight: nil, bias: nil, training: false)
        }) { error in
            XCTAssertTrue("\(error)".contains("running_mean and running_var must be given in evaluation mode"), "\(error)")
        }
    }

    func testLayerNormFillsAMissingHalfOfTheAffineMap() {
        let x = randomArray([3, 4], seed: 3), weight = randomArray([4], seed: 4)
        let y = layerNorm(Value(x), normalizedShape: [4], weight: Value(weight), bias: nil)
        assertClose(y.array, Naive.layerNorm(x, size: 4, weight: weight.scalars, bias: nil, eps: 1e-5), tolerance: 2e-5)
        let plain = layerNorm(Value(x), normalizedShape: [4], weight: nil, bias: nil, eps: 0.1)
        assertClose(plain.array, Naive.layerNorm(x, size: 4, weight: nil, bias: nil, eps: 0.1), tolerance: 2e-5)
    }

    func testPoolingAndLosses() {
        let image = randomArray([1, 2, 5, 4], seed: 5)
        assertClose(avgPool2d(Value(image), kernelSize: 2).array, Naive.avgPool2d(image, kernel: 2, stride: 2, padding: 0))
        assertClose(avgPool2d(Value(image), kernelSize: 3, stride: 1, padding: 1).array, Naive.avgPool2d(image, kernel: 3, stride: 1, padding: 1))
        let logits = randomArray([3, 4], seed: 6), labels = NDArray(shape: [3], scalars: [3, 0, 1])
        XCTAssertEqual(nllLoss(Value(logits), Value(labels)).array.scalar, Naive.nllLoss(logits, [3, 0, 1]), accuracy: 1e-6)
        let targets = randomArray([3, 4], in: 0...1, seed: 7)
        XCTAssertEqual(binaryCrossEntropyWithLogits(Value(logits), Value(targets)).array.scalar, Naive.binaryCrossEntropy(logits, targets), accuracy: 1e-6)
    }

    func testIndexingSurface() {
        let x = randomArray([2, 3, 4], seed: 8)
        let v = Value(x)
        XCTAssertEqual(v.narrow(dim: 2, start: 1, length: 2).array, Naive.narrow(x, axis: 2, start: 1, length: 2))
        XCTAssertEqual(v.permute([1, 2, 0]).array, Naive.permute(x, [1, 2, 0]))
        XCTAssertEqual(v.unsqueeze(dim: 1).array.shape, [2, 1, 3, 4])
        XCTAssertEqual(v.unsqueeze(dim: 1).squeeze(dim: 1).array, x)
        XCTAssertEqual(v.indexSelect(dim: 1, index: Value(NDArray(shape: [2], scalars: [2, 2]))).array, Naive.indexSelect(x, axis: 1, [2, 2]))
        XCTAssertEqual(cat([v, v], dim: 1).array, Naive.cat([x, x], axis: 1))
        XCTAssertEqual(stack([v, v, v], dim: 1).array, Naive.stack([x, x, x], axis: 1))
        let weight = randomArray([5, 2], seed: 9)
        XCTAssertEqual(embedding(Value(NDArray(shape: [2], scalars: [4, 1])), weight: Value(weight)).array, Naive.indexSelect(weight, axis: 0, [4, 1]))
        let clamped = Value(NDArray(shape: [3], scalars: [-2, 0.5, 2])).clamp(min: -1, max: 1)
        XCTAssertEqual(clamped.array.scalars, [-1, 0.5, 1])
        XCTAssertEqual(Value(NDArray(shape: [2], scalars: [-1, 1])).leakyRelu().array.scalars, [-0.01, 1])
        XCTAssertEqual(Value(NDArray(shape: [2], scalars: [-1, 1])).abs().array.scalars, [1, 1])
        XCTAssertEqual(Value(NDArray(shape: [2], scalars: [-1, 1])).sign().array.scalars, [-1, 1])
        XCTAssertEqual(Value(NDArray(shape: [2], scalars: [1, 3])).equal(Value(NDArray(3))).array.scalars, [0, 1])
    }
}
