import TandemKernels
import XCTest

/// The primitive table's metadata (`Primitives/Op.swift`) and view behaviour of shape ops.
final class OpTests: XCTestCase {
    func testNamesAndDescriptions() {
        XCTAssertEqual(Op.add.name, "add")
        XCTAssertEqual(Op.maxPool2d(kernelSize: 2, stride: 2).name, "max_pool2d")
        XCTAssertEqual(Op.crossEntropy.name, "cross_entropy")
        XCTAssertEqual(Op.sum(dim: 1, keepDim: true).description, "sum(dim: 1, keepDim: true)")
        XCTAssertEqual(Op.sum(dim: nil, keepDim: false).description, "sum")
        XCTAssertEqual(Op.conv2d(stride: 2, padding: 1).description, "conv2d(stride: 2, padding: 1)")
        XCTAssertEqual(Op.fusedElementwise([.relu, .exp]).description, "fused(relu -> exp)")
        let names = OpGradientsCoverageTests.everyOp.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "every case has its own name")
        XCTAssertTrue(names.allSatisfy { !$0.isEmpty && $0 == $0.lowercased() })
    }

    func testArityMatchesTheShapeRule() {
        for op in OpGradientsCoverageTests.everyOp {
            XCTAssertThrowsError(try op.outputShape(Array(repeating: [2, 2], count: op.arity + 1)), "\(op)")
        }
        XCTAssertEqual(Op.linear(transposedWeight: true, activation: .identity).arity, 3)
        XCTAssertEqual(Op.matmul.arity, 2)
        XCTAssertEqual(Op.relu.arity, 1)
    }

    func testFlags() {
        XCTAssertTrue(Op.bernoulliMask(p: 0.5).isStateful)
        XCTAssertFalse(Op.add.isStateful)
        XCTAssertTrue(Op.exp.isUnaryElementwise)
        XCTAssertFalse(Op.matmul.isUnaryElementwise)
        for step in [ElementwiseStep.neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .addScalar(1), .mulScalar(2), .pow(3)] {
            XCTAssertEqual(ElementwiseStep(step.op), step)
        }
    }

    func testViewOpsShareTheirInputsStorage() {
        let x = randomArray([2, 3, 4], seed: 1)
        for op in [Op.reshape([6, 4]), .flatten(startDim: 1), .transpose(0, 2)] {
            XCTAssertTrue(op.mayAliasInput)
            XCTAssertTrue(try op.evaluate([x]).storage === x.storage, "\(op)")
        }
        XCTAssertTrue(try Op.reshapeLike.evaluate([x, NDArray(zeros: [24])]).storage === x.storage)
        XCTAssertTrue(try Op.reduceLike.evaluate([x, NDArray(zeros: [2, 3, 4])]).storage === x.storage)
        XCTAssertTrue(try Op.broadcastLike.evaluate([x, NDArray(zeros: [2, 3, 4])]).storage === x.storage)
        XCTAssertFalse(Op.add.mayAliasInput)
    }
}
