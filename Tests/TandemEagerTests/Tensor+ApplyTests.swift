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

    // MARK: Ops added in the second round

    func testComparisonsNeverRequireGrad() {
        let a = Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let mask = a.greater(Tensor(2))
        XCTAssertEqual(mask.scalars, [0, 0, 1])
        XCTAssertFalse(mask.requiresGrad)
        XCTAssertNil(mask.gradFn)
        // Used as a mask, it lets the gradient through where it is 1.
        (a * mask).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [0, 0, 1])
    }

    func testBatchNormUpdatesRunningStatisticsInPlaceAsPyTorch() {
        for run in PyTorchReference.batchNormRuns {
            let channels = run.initialMean.count
            let runningMean = Tensor(shape: [channels], scalars: run.initialMean)
            let runningVar = Tensor(shape: [channels], scalars: run.initialVar)
            let weight = Tensor(shape: [channels], scalars: run.weight, requiresGrad: true)
            let bias = Tensor(shape: [channels], scalars: run.bias, requiresGrad: true)
            let address = runningMean.array.storage.pointer  // the address only: holding the storage would share it
            for batch in run.batches {
                let x = Tensor(shape: batch.shape, scalars: batch.values, requiresGrad: true)
                let y = ReferenceExpressions.batchNormTraining(run, x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias)
                y.sum().backward()
                XCTAssertNotNil(x.grad, run.name)
            }
            assertClose(runningMean.scalars, run.updatedMean, run.name + " running mean")
            assertClose(runningVar.scalars, run.updatedVar, run.name + " running variance (unbiased)")
            XCTAssertEqual(runningMean.array.storage.pointer, address, "updated in place, not replaced")
            XCTAssertFalse(runningMean.requiresGrad)
            XCTAssertNil(runningMean.grad)
            let last = run.batches[1]
            let evaluated = ReferenceExpressions.batchNormEval(
                Tensor(shape: last.shape, scalars: last.values), runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias)
            assertClose(evaluated.scalars, run.evalOutput, run.name + " eval output")
            assertClose(runningMean.scalars, run.updatedMean, run.name + ": eval leaves the statistics alone")
        }
    }

    func testAssignLeavesValuesSavedElsewhereIntact() {
        let running = Tensor(shape: [2], scalars: [1, 2])
        let saved = running.array  // a copy sharing the storage, as a tape would keep
        Tensor.assign(Tensor(shape: [2], scalars: [5, 6]), to: running, at: nil)
        XCTAssertEqual(running.scalars, [5, 6])
        XCTAssertEqual(saved.scalars, [1, 2])
        let error = checkedError { Tensor.assign(Tensor(shape: [3], scalars: [1, 2, 3]), to: running, at: nil) }
        guard case .shapeMismatch(op: "assign", _, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(running.scalars, [5, 6])
    }

    /// Every bad argument of the new ops is a TandemError naming the op, the shapes and this line.
    func testBadArgumentsOfTheNewOpsNameTheOpShapesAndLine() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let image = Tensor(zeros: [1, 1, 3, 3])
        var line = 0
        let cases: [(String, () -> Void)] = [
            ("narrow", { line = #line; _ = x.narrow(dim: 1, start: 2, length: 2) }),
            ("narrow", { line = #line; _ = x.narrow(dim: 1, start: 0, length: -1) }),
            ("narrow", { line = #line; _ = x.narrow(dim: 2, start: 0, length: 1) }),
            ("permute", { line = #line; _ = x.permute([0, 0]) }),
            ("permute", { line = #line; _ = x.permute([0]) }),
            ("unsqueeze", { line = #line; _ = x.unsqueeze(dim: 3) }),
            ("squeeze", { line = #line; _ = x.squeeze(dim: -3) }),
            ("index_select", { line = #line; _ = x.indexSelect(dim: 1, index: Tensor(shape: [1], scalars: [1.5])) }),
            ("index_select", { line = #line; _ = x.indexSelect(dim: 1, index: Tensor(labels: [3])) }),
            ("index_select", { line = #line; _ = x.indexSelect(dim: 1, index: Tensor(shape: [1, 1], scalars: [0])) }),
            ("clamp", { line = #line; _ = x.clamp() }),
            ("less", { line = #line; _ = x.less(Tensor(zeros: [2])) }),
            ("cat", { line = #line; _ = cat([x, Tensor(zeros: [3, 2])], dim: 1) }),
            ("cat", { line = #line; _ = cat([x, Tensor(zeros: [3])], dim: 0) }),
            ("stack", { line = #line; _ = stack([x, Tensor(zeros: [3, 2])], dim: 0) }),
            ("cat", { line = #line; _ = cat([Tensor](), dim: 0) }),
            ("stack", { line = #line; _ = stack([Tensor](), dim: 1) }),
            ("embedding", { line = #line; _ = embedding(Tensor(shape: [1], scalars: [0.5]), weight: Tensor(zeros: [4, 2])) }),
            ("embedding", { line = #line; _ = embedding(Tensor(labels: [4]), weight: Tensor(zeros: [4, 2])) }),
            ("embedding", { line = #line; _ = embedding(Tensor(labels: [0]), weight: Tensor(zeros: [4])) }),
            ("avg_pool2d", { line = #line; _ = avgPool2d(image, kernelSize: 4) }),
            ("avg_pool2d", { line = #line; _ = avgPool2d(image, kernelSize: -1) }),
            ("avg_pool2d", { line = #line; _ = avgPool2d(image, kernelSize: 2, padding: 2) }),
            ("avg_pool2d", { line = #line; _ = avgPool2d(x, kernelSize: 1) }),
            ("batch_norm", { line = #line; _ = batchNorm(x, runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: false) }),
            ("batch_norm", { line = #line; _ = batchNorm(x, runningMean: Tensor(zeros: [2]), runningVar: Tensor(ones: [2]), weight: nil, bias: nil, training: false) }),
            ("batch_statistics", { line = #line; _ = batchNorm(Tensor(zeros: [1, 3]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true) }),
            ("batch_statistics", { line = #line; _ = batchNorm(Tensor(zeros: [3]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true) }),
            ("layer_norm", { line = #line; _ = layerNorm(x, normalizedShape: [2], weight: nil, bias: nil) }),
            ("layer_norm", { line = #line; _ = layerNorm(x, normalizedShape: [3], weight: Tensor(ones: [2]), bias: nil) }),
            ("nll_loss", { line = #line; _ = nllLoss(x, Tensor(labels: [0, 3])) }),
            ("nll_loss", { line = #line; _ = nllLoss(x, Tensor(labels: [0])) }),
            ("binary_cross_entropy_with_logits", { line = #line; _ = binaryCrossEntropyWithLogits(x, Tensor(zeros: [3, 2])) }),
        ]
        for (op, body) in cases {
            let error = checkedError(body)
            XCTAssertNotNil(error, op)
            switch error {
            case let .shapeMismatch(name, shapes, reason, location)?:
                XCTAssertEqual(name, op, reason)
                XCTAssertFalse(shapes.isEmpty, op)
                XCTAssertEqual(location?.line, line, "\(op): \(reason)")
            case let .invalidValue(name, reason, location)?:
                XCTAssertEqual(name, op, reason)
                XCTAssertEqual(location?.line, line, "\(op): \(reason)")
            default:
                XCTFail("\(op): \(String(describing: error))")
            }
            XCTAssertTrue(error?.description.contains("Tensor+ApplyTests.swift:\(line)") ?? false, error?.description ?? op)
        }
    }
}
