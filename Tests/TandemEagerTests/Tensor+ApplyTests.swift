import XCTest

@testable import TandemEager
import TandemTestSupport

/// Every op of the eager API surface against values recorded from PyTorch
/// (scripts/pytorch/record_eager_reference.py): the forward value and the gradient of each input
/// for a fixed upstream gradient.
final class TensorApplyTests: XCTestCase {
    func testEveryOpMatchesPyTorch() {
        for case_ in PyTorchReference.ops {
            let inputs = case_.inputs.map { Tensor(shape: $0.shape, scalars: $0.values, requiresGrad: $0.requiresGrad) }
            guard let output = ReferenceExpressions.make(case_.name, inputs) else {
                XCTFail("no expression for \(case_.name)")
                continue
            }
            XCTAssertEqual(output.shape, case_.outputShape, case_.name)
            assertClose(output.scalars, case_.output, case_.name + " forward")
            guard output.requiresGrad else { continue }
            output.backward(Tensor(shape: case_.outputShape, scalars: case_.upstream))
            for (i, (input, expected)) in zip(inputs, case_.grads).enumerated() {
                if let expected {
                    XCTAssertNotNil(input.grad, "\(case_.name) input \(i) has a gradient")
                    XCTAssertEqual(input.grad?.shape, input.shape, "\(case_.name) input \(i) gradient shape")
                    assertClose(input.grad?.scalars ?? [], expected, "\(case_.name) gradient of input \(i)")
                } else {
                    XCTAssertNil(input.grad, "\(case_.name) input \(i) takes no gradient")
                }
            }
        }
    }

    func testOpsWithoutGradRecordNothing() {
        let a = Tensor(shape: [2], scalars: [1, 2])
        let b = a * a + 1
        XCTAssertFalse(b.requiresGrad)
        XCTAssertTrue(b.isLeaf)
        XCTAssertNil(b.gradFn)
        XCTAssertEqual(b.scalars, [2, 5])
    }

    func testCheckedCatchesMatmulShapeErrorWithTheCallersLine() {
        let a = Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6), requiresGrad: true)
        let b = Tensor(shape: [4, 5], scalars: [Float](repeating: 1, count: 20))
        var expectedLine = 0
        let error = checkedError {
            expectedLine = #line + 1
            let product = a.matmul(b)
            // Later ops on the failed result skip their work and keep the first error.
            let loss = product.relu().sum()
            XCTAssertTrue(loss.isPlaceholder)
            XCTAssertTrue(loss.item().isNaN)
            loss.backward()
        }
        guard case let .shapeMismatch(op, shapes, reason, location)? = error else {
            return XCTFail("expected a shape mismatch, got \(String(describing: error))")
        }
        XCTAssertEqual(op, "matmul")
        XCTAssertEqual(shapes, [[2, 3], [4, 5]])
        XCTAssertTrue(reason.contains("3 vs 4"), reason)
        XCTAssertEqual(location?.line, expectedLine)
        XCTAssertEqual(location?.file, "TandemEagerTests/Tensor+ApplyTests.swift")
        XCTAssertTrue(error!.description.contains("Tensor+ApplyTests.swift:\(expectedLine)"), error!.description)
        // After the scope, ops compute again.
        XCTAssertEqual((Tensor(shape: [1], scalars: [2]) * 3).scalars, [6])
    }

    func testCheckedCatchesBroadcastErrorOfAnOperator() {
        let error = checkedError {
            _ = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]) + Tensor(shape: [2], scalars: [1, 2])
        }
        guard case let .shapeMismatch(op, shapes, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(op, "add")
        XCTAssertEqual(shapes, [[2, 3], [2]])
    }

    func testCrossEntropyRejectsOutOfRangeLabel() {
        let error = checkedError {
            _ = crossEntropy(Tensor(shape: [1, 3], scalars: [0, 0, 0]), Tensor(labels: [3]))
        }
        guard case .invalidValue(let op, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(op, "cross_entropy")
    }
}
