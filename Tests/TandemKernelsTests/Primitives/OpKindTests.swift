import TandemKernels
import XCTest

/// Names and descriptions (`Primitives/Op+Kind.swift`) and the fused-chain steps
/// (`Primitives/ElementwiseStep.swift`).
final class OpKindTests: XCTestCase {
    func testNamesAndDescriptions() {
        XCTAssertEqual(Op.add.name, "add")
        XCTAssertEqual(Op.maxPool2d(kernelSize: 2, stride: 2).name, "max_pool2d")
        XCTAssertEqual(Op.crossEntropy.name, "cross_entropy")
        XCTAssertEqual(Op.sum(dim: 1, keepDim: true).description, "sum(dim: 1, keepDim: true)")
        XCTAssertEqual(Op.sum(dim: nil, keepDim: false).description, "sum")
        XCTAssertEqual(Op.conv2d(stride: 2, padding: 1).description, "conv2d(stride: 2, padding: 1)")
        XCTAssertEqual(Op.fusedElementwise([.relu, .exp]).description, "fused(relu -> exp)")
        XCTAssertEqual(Op.narrow(dim: 1, start: 0, length: 2).description, "narrow(dim: 1, start: 0, length: 2)")
        XCTAssertEqual(Op.clamp(min: nil, max: 1).description, "clamp(min: nil, max: 1.0)")
        XCTAssertEqual(Op.cat(dim: 0, count: 3).description, "cat(dim: 0, count: 3)")
        XCTAssertEqual(Op.batchNorm(eps: 1e-5, affine: true).description, "batch_norm(eps: 1e-05, affine: true)")
        for op in OpSamples.every {
            XCTAssertEqual(op.name, op.kind.rawValue)
            XCTAssertTrue(op.description.hasPrefix(op.name) || op.description.hasPrefix("fused"), "\(op.description)")
        }
    }

    func testEveryUnaryElementwiseOpIsAFusableStep() {
        for op in OpSamples.every where op.isUnaryElementwise {
            XCTAssertEqual(ElementwiseStep(op)?.op, op)
            XCTAssertTrue(op.isElementwise && op.arity == 1, "\(op)")
        }
        for step in [ElementwiseStep.neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .abs, .sign, .gelu, .addScalar(1),
                     .mulScalar(2), .pow(3), .leakyRelu(0.1), .clamp(min: 0, max: nil)] {
            XCTAssertEqual(ElementwiseStep(step.op), step)
        }
        XCTAssertNil(ElementwiseStep(.matmul))
        XCTAssertFalse(Op.matmul.isUnaryElementwise)
    }
}
