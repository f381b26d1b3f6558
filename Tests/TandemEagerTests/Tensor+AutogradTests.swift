import XCTest

@testable import TandemEager

/// Autograd semantics, checked against PyTorch's documented behaviour and closed-form gradients.
final class TensorAutogradTests: XCTestCase {
    func testReadmeExample() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let y = (x * x).sum()
        y.backward()
        XCTAssertEqual(x.grad!.scalars, [2, 4, 6, 8, 10, 12])
    }

    func testGradientsAccumulateUntilZeroGrad() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [6, 6])
        x.zeroGrad()
        XCTAssertNil(x.grad)
        (x * x).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [2, 4])
    }

    func testInputUsedTwiceSumsBothPaths() {
        // y = x*x + 2x -> dy/dx = 2x + 2.
        let x = Tensor(shape: [3], scalars: [1, -2, 0.5], requiresGrad: true)
        (x * x + x * 2).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [4, -2, 3])
    }

    func testDiamondGraphVisitsSharedNodeOnce() {
        // h = x*x; y = h*3 + h.exp() -> dy/dx = (3 + e^h) * 2x.
        let x = Tensor(shape: [2], scalars: [0.5, -1], requiresGrad: true)
        let h = x * x
        (h * 3 + h.exp()).sum().backward()
        let expected = [Float(0.5), -1].map { (3 + Foundation.exp($0 * $0)) * 2 * $0 }
        assertClose(x.grad!.scalars, expected)
    }

    func testLeafAndNonLeafSemantics() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let h = x * 2
        let kept = x * 3
        kept.retainGrad()
        let y = (h + kept).sum()
        XCTAssertTrue(x.isLeaf)
        XCTAssertFalse(h.isLeaf)
        XCTAssertTrue(h.requiresGrad)
        XCTAssertEqual(h.gradFn, "MulScalarBackward")
        XCTAssertEqual(y.gradFn, "SumBackward")
        y.backward()
        XCTAssertEqual(x.grad!.scalars, [5, 5])
        XCTAssertNil(h.grad, "intermediates keep no gradient")
        XCTAssertEqual(kept.grad!.scalars, [1, 1], "unless retainGrad() was called")
        XCTAssertNil(x.grad!.gradFn)
    }

    func testSettingRequiresGradOnANonLeafIsAnError() {
        let x = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let y = x * 2
        let error = checkedError { y.requiresGrad = false }
        guard case .autograd(let reason, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("leaf"))
        XCTAssertTrue(y.requiresGrad)
    }

    func testDetachCutsTheTape() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let d = (x * 2).detach()
        XCTAssertFalse(d.requiresGrad)
        XCTAssertTrue(d.isLeaf)
        XCTAssertEqual(d.scalars, [2, 4])
        // y = x * detach(x): only the first factor carries a gradient.
        (x * x.detach()).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [1, 2])
    }

    func testNoGradRecordsNothing() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = noGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.gradFn)
        XCTAssertTrue(GradMode.isEnabled)
        let z = noGrad { enableGrad { x * 2 } }
        XCTAssertTrue(z.requiresGrad)
    }

    func testSecondBackwardThroughFreedGraphIsAnError() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = (x.exp() * 2).sum()
        y.backward()
        var line = 0
        let error = checkedError {
            line = #line + 1
            y.backward()
        }
        guard case .autograd(let reason, let location)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("Trying to backward through the graph a second time"), reason)
        XCTAssertTrue(reason.contains("retainGraph"), reason)
        XCTAssertEqual(location?.line, line)
    }

    func testRetainGraphAllowsASecondBackward() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = (x.exp()).sum()
        y.backward(retainGraph: true)
        y.backward()
        assertClose(x.grad!.scalars, [2 * Foundation.exp(1), 2 * Foundation.exp(2)])
    }

    func testNonScalarBackwardNeedsAGradient() {
        let x = Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let y = x * x
        let error = checkedError { y.backward() }
        guard case .autograd(let reason, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("grad can be implicitly created only for scalar outputs"), reason)
        y.backward(Tensor(shape: [3], scalars: [1, 0.5, 2]))
        XCTAssertEqual(x.grad!.scalars, [2, 2, 12])
        let mismatch = checkedError { (x * 2).backward(Tensor(shape: [2], scalars: [1, 1])) }
        guard case .shapeMismatch? = mismatch else { return XCTFail("\(String(describing: mismatch))") }
    }

    func testBackwardOnATensorWithoutGradIsAnError() {
        let error = checkedError { Tensor(shape: [], scalars: [1]).backward() }
        guard case .autograd(let reason, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("does not require grad"))
    }

    func testItemOfATensorThatIsNotOneElementIsAnError() {
        var value: Float = 0
        let expectedLine = #line + 1
        let error = checkedError { value = Tensor(zeros: [2, 3]).item() }
        guard case .invalidValue(let op, let reason, let location)? = error else {
            return XCTFail("\(String(describing: error))")
        }
        XCTAssertEqual(op, "item")
        XCTAssertTrue(reason.contains("6 elements"), reason)
        XCTAssertEqual(location?.line, expectedLine)
        XCTAssertTrue(value.isNaN)
    }

    func testAssigningAGradOfAnotherShapeIsAnErrorAndKeepsTheOldGrad() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        x.grad = Tensor(shape: [2], scalars: [5, 6])
        let error = checkedError { x.grad = Tensor(zeros: [3]) }
        guard case .shapeMismatch(let op, _, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(op, "grad")
        XCTAssertEqual(x.grad?.scalars, [5, 6])
    }

    func testBackwardIntoAGradOfAnotherShapeIsAnError() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        (x * 2).sum().backward()
        x.array = NDArray(shape: [3], scalars: [1, 2, 3])  // the values change shape; the old grad stays
        let error = checkedError { (x * 2).sum().backward() }
        guard case .autograd(let reason, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("existing grad of shape [2]"), reason)
        XCTAssertEqual(x.grad?.scalars, [2, 2])
    }

    func testBackwardOnALeafSetsItsGrad() {
        let x = Tensor(shape: [], scalars: [3], requiresGrad: true)
        x.backward()
        XCTAssertEqual(x.grad!.item(), 1)
    }

    func testHooksSeeAndReplaceGradients() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let h = x * 3
        var seen: [Float] = []
        h.registerHook { g in
            seen = g.scalars
            return nil
        }
        let doubling = x.registerHook { g in g * 2 }
        (h * h).sum().backward()
        XCTAssertEqual(seen, [6, 12], "dL/dh = 2h")
        XCTAssertEqual(x.grad!.scalars, [36, 72], "dL/dx = 2h * 3, doubled by the leaf hook")
        doubling.remove()
        x.zeroGrad()
        (x * 1).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [1, 1])
    }

    func testLeafHookRunsOncePerBackwardOnTheSummedGradient() {
        let x = Tensor(shape: [1], scalars: [2], requiresGrad: true)
        var calls = 0
        x.registerHook { _ in
            calls += 1
            return nil
        }
        (x * x + x).sum().backward()
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(x.grad!.scalars, [5])
    }

    func testALeafIsFinishedAsSoonAsItsLastUseIsDifferentiated() {
        // y = sum(relu(x w1) * w2): backward reaches w2's only use first, then h = x w1, then w1.
        let x = Tensor(shape: [1, 2], scalars: [1, 2])
        let w1 = Tensor(shape: [2, 2], scalars: [1, -1, 2, 1], requiresGrad: true)
        let w2 = Tensor(shape: [1, 2], scalars: [3, 4], requiresGrad: true)
        var events: [String] = []
        w1.registerPostAccumulateGradHook { _ in events.append("w1") }
        w2.registerPostAccumulateGradHook { w in events.append("w2 \(w.grad!.scalars)") }
        let h = x.matmul(w1)
        h.registerHook { _ in
            events.append("h")
            return nil
        }
        (h.relu() * w2).sum().backward()
        // h = [5, 1], relu(h) = [5, 1]: dy/dw2 = [5, 1], known before backward reaches h.
        XCTAssertEqual(events, ["w2 [5.0, 1.0]", "h", "w1"])
        // dy/dw1[i][j] = x[i] * w2[j] (both relu inputs positive).
        XCTAssertEqual(w1.grad!.scalars, [3, 4, 6, 8])
    }

    func testPostAccumulateHookSeesTheAccumulatedGradOnceAllUsesAreIn() {
        let w = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        var seen: [[Float]] = []
        w.registerPostAccumulateGradHook { seen.append($0.grad!.scalars) }
        (w * w + w * 3).sum().backward()       // dy/dw = 2w + 3, from two uses
        (w * 2).sum().backward()               // accumulates 2 more
        XCTAssertEqual(seen, [[5, 7], [7, 9]])
        let handle = w.registerPostAccumulateGradHook { _ in seen.append([-1]) }
        handle.remove()
        w.zeroGrad()
        w.sum().backward()
        XCTAssertEqual(seen.last, [1, 1], "a removed hook does not run; the first still does")
    }

    func testPostAccumulateHookOnANonLeafIsAnError() {
        let x = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let error = checkedError { (x * 2).registerPostAccumulateGradHook { _ in } }
        guard case .autograd(let reason, let location)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("non-leaf"), reason)
        XCTAssertEqual(location?.file, "TandemEagerTests/Tensor+AutogradTests.swift")
    }

    func testDescriptionLooksLikePyTorch() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        XCTAssertEqual(x.description, "tensor([1., 2.], shape [2], requires_grad=True)")
        XCTAssertEqual((x * x).description, "tensor([1., 4.], shape [2], grad_fn=<MulBackward>)")
        XCTAssertEqual(Tensor(shape: [], scalars: [0.5]).description, "tensor(0.5000)")
    }

    func testTapeIsFreedAfterBackward() {
        let before = TapeNode.liveCount
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        do {
            let loss = (x.exp() * x).sum()
            XCTAssertEqual(TapeNode.liveCount, before + 3)
            loss.backward()
        }
        XCTAssertEqual(TapeNode.liveCount, before)
    }

    func testLongChainIsTornDownWithoutRecursion() {
        let x = Tensor(shape: [1], scalars: [0], requiresGrad: true)
        var total = x
        for _ in 0..<100_000 { total = total + 1 }
        XCTAssertEqual(total.item(), 100_000)
        total = Tensor(0)  // drops a 100k-node chain: would overflow the stack if torn down recursively
        XCTAssertEqual(total.item(), 0)
    }
}
