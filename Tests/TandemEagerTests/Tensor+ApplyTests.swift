import XCTest

@testable import TandemEager

/// Every op of the eager API surface against values recorded from PyTorch
/// (scripts/pytorch/record_eager_reference.py): the forward value and the gradient of each input
/// for a fixed upstream gradient.
final class TensorApplyTests: XCTestCase {
    /// The TandemEager expression for each recorded case, written as a PyTorch user would.
    static let expressions: [String: ([Tensor]) -> Tensor] = [
        "add": { $0[0] + $0[1] },
        "add_broadcast_row": { $0[0] + $0[1] },
        "add_broadcast_both": { $0[0] + $0[1] },
        "sub_broadcast": { $0[0] - $0[1] },
        "mul_broadcast": { $0[0] * $0[1] },
        "mul_same": { $0[0] * $0[1] },
        "div_broadcast": { $0[0] / $0[1] },
        "neg": { -$0[0] },
        "add_scalar": { $0[0] + 2.5 },
        "scalar_add": { 2.5 + $0[0] },
        "sub_scalar": { $0[0] - 1.5 },
        "scalar_sub": { 1.5 - $0[0] },
        "mul_scalar": { $0[0] * 3 },
        "scalar_mul": { 3 * $0[0] },
        "div_scalar": { $0[0] / 4 },
        "scalar_div": { 2 / $0[0] },
        "matmul": { $0[0].matmul($0[1]) },
        "matmul_batched": { $0[0].matmul($0[1]) },
        "matmul_batched_matrix": { matmul($0[0], $0[1]) },
        "relu": { $0[0].relu() },
        "sigmoid": { $0[0].sigmoid() },
        "tanh": { $0[0].tanh() },
        "exp": { $0[0].exp() },
        "log": { $0[0].log() },
        "pow3": { $0[0].pow(3) },
        "pow_half": { $0[0].pow(0.5) },
        "sqrt": { $0[0].sqrt() },
        "sum": { $0[0].sum() },
        "sum_dim1": { $0[0].sum(dim: 1) },
        "sum_dim0_keepdim": { $0[0].sum(dim: 0, keepDim: true) },
        "mean": { $0[0].mean() },
        "mean_dim1_keepdim": { $0[0].mean(dim: 1, keepDim: true) },
        "mean_dim_neg1": { $0[0].mean(dim: -1) },
        "max": { $0[0].max() },
        "max_dim1": { $0[0].max(dim: 1) },
        "max_dim0_keepdim": { $0[0].max(dim: 0, keepDim: true) },
        "argmax_dim1": { $0[0].argmax(dim: 1) },
        "reshape": { $0[0].reshape([3, -1]) },
        "transpose": { $0[0].transpose(0, 1) },
        "transpose_neg": { $0[0].transpose(-1, -2) },
        "flatten1": { $0[0].flatten(startDim: 1) },
        "softmax_dim1": { $0[0].softmax(dim: 1) },
        "softmax_dim0": { $0[0].softmax(dim: 0) },
        "log_softmax_dim1": { $0[0].logSoftmax(dim: 1) },
        "conv2d_bias": { conv2d($0[0], weight: $0[1], bias: $0[2]) },
        "conv2d_stride2_pad1": { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) },
        "conv2d_nobias": { conv2d($0[0], weight: $0[1]) },
        "max_pool2d": { maxPool2d($0[0], kernelSize: 2) },
        "max_pool2d_k3s2": { maxPool2d($0[0], kernelSize: 3, stride: 2) },
        "cross_entropy": { crossEntropy($0[0], $0[1]) },
        "mse_loss": { mseLoss($0[0], $0[1]) },
        "linear": { linear($0[0], weight: $0[1], bias: $0[2]) },
        "composite": { a in
            let b = a[1]
            let x = a[0]
            return ((x * b).sum(dim: 1) - x.mean()).tanh() * x.exp().sum(dim: 1)
        },
    ]

    func testEveryOpMatchesPyTorch() {
        XCTAssertEqual(PyTorchReference.ops.count, Self.expressions.count, "every recorded case has an expression")
        for case_ in PyTorchReference.ops {
            guard let expression = Self.expressions[case_.name] else {
                XCTFail("no expression for \(case_.name)")
                continue
            }
            let inputs = case_.inputs.map { Tensor(shape: $0.shape, scalars: $0.values, requiresGrad: $0.requiresGrad) }
            let output = expression(inputs)
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
