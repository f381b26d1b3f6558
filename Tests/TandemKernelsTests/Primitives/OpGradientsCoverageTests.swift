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
        case .reluBackward: return "OpGradientsElementwiseTests.testReluBackwardWithRespectToGradient"
        case .fusedElementwise: return "OpGradientsElementwiseTests.testFusedElementwiseChain"
        case .sum, .mean: return "OpGradientsReductionTests.testSumAndMean"
        case .max: return "OpGradientsReductionTests.testMaxWithDistinctValues"
        case .expandLike: return "OpGradientsReductionTests.testExpandLike"
        case .reshape, .flatten: return "OpGradientsShapeTests.testReshapeAndFlatten"
        case .reshapeLike: return "OpGradientsShapeTests.testReshapeLike"
        case .transpose: return "OpGradientsShapeTests.testTranspose"
        case .broadcastLike, .reduceLike: return "OpGradientsShapeTests.testBroadcastLikeAndReduceLike"
        case .matmul: return "OpGradientsLinearAlgebraTests.testMatmul*"
        case .linear: return "OpGradientsLinearAlgebraTests.testLinearEveryLayoutAndActivation"
        case .softmax, .logSoftmax: return "OpGradientsNeuralNetworkTests.testSoftmaxAndLogSoftmax"
        case .conv2d: return "OpGradientsNeuralNetworkTests.testConv2dStridesAndPaddings"
        case .maxPool2d: return "OpGradientsNeuralNetworkTests.testMaxPool2d"
        case .crossEntropy: return "OpGradientsNeuralNetworkTests.testCrossEntropy"
        case .argmax, .maxBackward, .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2dBackward,
            .crossEntropyBackward, .bernoulliMask, .zerosLike:
            return nil
        }
    }

    /// One op of every case.
    static let everyOp: [Op] = [
        .add, .sub, .mul, .div, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .addScalar(1), .mulScalar(2),
        .pow(2), .reluBackward, .sum(dim: nil, keepDim: false), .mean(dim: 0, keepDim: true),
        .max(dim: 1, keepDim: false), .argmax(dim: 0), .expandLike(dim: nil, keepDim: false, mean: false),
        .maxBackward(dim: nil, keepDim: false), .reshape([-1]), .flatten(startDim: 0), .reshapeLike,
        .transpose(0, 1), .broadcastLike, .reduceLike, .matmul, .linear(transposedWeight: true, activation: .relu),
        .softmax(dim: 0), .logSoftmax(dim: 0), .conv2d(stride: 1, padding: 0),
        .conv2dBackwardInput(stride: 1, padding: 0), .conv2dBackwardWeight(stride: 1, padding: 0),
        .maxPool2d(kernelSize: 2, stride: 2), .maxPool2dBackward(kernelSize: 2, stride: 2), .crossEntropy,
        .crossEntropyBackward, .bernoulliMask(p: 0.5), .zerosLike, .fusedElementwise([.relu]),
    ]

    func testEveryDifferentiableOpHasAGradientCheck() {
        for op in Self.everyOp {
            XCTAssertEqual(checkedBy(op) != nil, op.isDifferentiable, "\(op)")
        }
    }

    func testNonDifferentiableOpsGiveNoGradients() {
        let x = Value(NDArray(ones: [2, 2]))
        for op in Self.everyOp where !op.isDifferentiable {
            let inputs = [Value](repeating: x, count: op.arity)
            let grads = op.gradient(inputs: inputs, output: x, grad: x)
            XCTAssertEqual(grads.count, op.arity, "\(op)")
            XCTAssertTrue(grads.allSatisfy { $0 == nil }, "\(op)")
        }
    }
}
