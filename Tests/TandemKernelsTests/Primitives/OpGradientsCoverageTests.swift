import TandemKernels
import XCTest

/// Keeps the finite-difference checks complete: `checkedBy` switches over `Op` with no
/// `default`, so adding a primitive does not compile until it names its gradient check (or says
/// it has no gradient).
final class OpGradientsCoverageTests: XCTestCase {
    /// The test that checks the op's gradient rule, or nil for ops without a gradient.
    private func checkedBy(_ op: Op) -> String? {
        switch op {
        case .add, .sub, .mul, .div: return "OpGradientsElementwiseTests.testBinaryOps*"
        case .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .addScalar, .mulScalar, .pow:
            return "OpGradientsElementwiseTests.testUnaryOps"
        case .abs, .leakyRelu, .gelu, .clamp: return "OpGradientsElementwiseTests.testActivationsAndClamp"
        case .reluBackward: return "OpGradientsElementwiseTests.testReluBackwardWithRespectToGradient"
        case .fusedElementwise(let steps):
            return steps.contains(.sign) ? nil : "OpGradientsElementwiseTests.testFusedElementwiseChain"
        case .sum, .mean: return "OpGradientsReductionTests.testSumAndMean"
        case .max: return "OpGradientsReductionTests.testMaxWithDistinctValues"
        case .expandLike: return "OpGradientsReductionTests.testExpandLike"
        case .reshape, .flatten: return "OpGradientsShapeTests.testReshapeAndFlatten"
        case .reshapeLike: return "OpGradientsShapeTests.testReshapeLike"
        case .transpose: return "OpGradientsShapeTests.testTranspose"
        case .broadcastLike, .reduceLike: return "OpGradientsShapeTests.testBroadcastLikeAndReduceLike"
        case .narrow, .permute, .squeeze, .unsqueeze: return "OpGradientsIndexingTests.testViews"
        case .indexSelect, .embedding: return "OpGradientsIndexingTests.testGathers"
        case .cat, .stack: return "OpGradientsIndexingTests.testJoins"
        case .matmul: return "OpGradientsLinearAlgebraTests.testMatmul*"
        case .linear: return "OpGradientsLinearAlgebraTests.testLinearEveryLayoutAndActivation"
        case .softmax, .logSoftmax: return "OpGradientsNeuralNetworkTests.testSoftmaxAndLogSoftmax"
        case .conv2d: return "OpGradientsNeuralNetworkTests.testConv2dStridesAndPaddings"
        case .maxPool2d: return "OpGradientsNeuralNetworkTests.testMaxPool2d"
        case .avgPool2d: return "OpGradientsNeuralNetworkTests.testAvgPool2d"
        case .crossEntropy, .nllLoss, .binaryCrossEntropyWithLogits: return "OpGradientsNeuralNetworkTests.testLosses"
        case .batchStatistics: return "OpGradientsNormalizationTests.testBatchStatistics"
        case .batchNorm: return "OpGradientsNormalizationTests.testBatchNorm*"
        case .layerNorm: return "OpGradientsNormalizationTests.testLayerNorm"
        case .less, .greater, .equal, .sign, .clampBackward, .leakyReluBackward, .geluBackward, .argmax, .maxBackward,
            .narrowBackward, .indexSelectBackward, .catBackward, .embeddingBackward, .conv2dBackwardInput,
            .conv2dBackwardWeight, .maxPool2dBackward, .avgPool2dBackward, .batchStatisticsBackward,
            .batchNormBackwardReduce, .batchNormBackwardInput, .movingAverage, .layerNormBackward,
            .crossEntropyBackward, .nllLossBackward, .bernoulliMask, .zerosLike:
            return nil
        }
    }

    func testEveryDifferentiableOpHasAGradientCheck() {
        for op in OpSamples.every {
            XCTAssertEqual(checkedBy(op) != nil, op.isDifferentiable, "\(op)")
        }
    }

    func testNonDifferentiableOpsGiveNoGradients() {
        for op in OpSamples.every where !op.isDifferentiable {
            let inputs = OpSamples.inputs(for: op).map(Value.init)
            let output = Value(try! op.evaluate(inputs.map(\.array)))
            let grads = op.gradient(inputs: inputs, output: output, grad: output)
            XCTAssertEqual(grads.count, op.arity, "\(op)")
            XCTAssertTrue(grads.allSatisfy { $0 == nil }, "\(op)")
        }
    }
}
