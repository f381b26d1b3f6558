import TandemKernels
import XCTest

/// Bad inputs to `Op.evaluate` give a `TandemError` naming the op, the shapes and the caller's
/// line, never a crash; `checked { }` turns an error reported by an op into a thrown one.
final class OpForwardErrorTests: XCTestCase {
    func testEveryOpRejectsBadShapes() {
        let cases: [(Op, [[Int]])] = [
            (.add, [[2, 3], [4, 3]]), (.sub, [[2, 3], [3, 2]]), (.mul, [[2, 3], [2]]), (.div, [[5], [4]]),
            (.reluBackward, [[2, 3], [3, 3]]),
            (.sum(dim: 2, keepDim: false), [[2, 3]]), (.mean(dim: -3, keepDim: true), [[2, 3]]),
            (.max(dim: 0, keepDim: false), [[0, 3]]), (.argmax(dim: 1), [[2]]),
            (.expandLike(dim: 0, keepDim: false, mean: false), [[4], [2, 3]]),
            (.expandLike(dim: 7, keepDim: false, mean: true), [[3], [2, 3]]),
            (.maxBackward(dim: 1, keepDim: true), [[2, 3], [2, 3]]), (.maxBackward(dim: 4, keepDim: true), [[2, 1], [2, 3]]),
            (.reshape([4, -1]), [[2, 3]]), (.flatten(startDim: 2), [[2, 3]]), (.reshapeLike, [[2, 3], [5]]),
            (.transpose(0, 2), [[2, 3]]), (.broadcastLike, [[2, 3], [3]]), (.broadcastLike, [[1, 3], [2, 1]]),
            (.reduceLike, [[3], [2, 3]]),
            (.matmul, [[2, 3], [4, 5]]), (.matmul, [[3], [3, 2]]), (.matmul, [[2, 2, 3], [3, 3, 2]]),
            (.linear(transposedWeight: true, activation: .relu), [[2, 3], [3, 4], [4]]),
            (.softmax(dim: 2), [[2, 3]]), (.logSoftmax(dim: -3), [[2, 3]]),
            (.conv2d(stride: 1, padding: 0), [[1, 2, 5, 5], [3, 1, 3, 3]]),
            (.conv2d(stride: 1, padding: 0), [[1, 2, 2, 5], [3, 2, 3, 3]]),
            (.conv2dBackwardInput(stride: 1, padding: 0), [[1, 3, 2, 2], [3, 2, 3, 3], [1, 2, 5, 5]]),
            (.conv2dBackwardWeight(stride: 1, padding: 0), [[1, 2, 5, 5], [1, 3, 2, 2], [3, 2, 3, 3]]),
            (.maxPool2d(kernelSize: 2, stride: 2), [[2, 5, 5]]),
            (.maxPool2dBackward(kernelSize: 2, stride: 2), [[1, 1, 3, 3], [1, 1, 4, 4]]),
            (.crossEntropy, [[3, 4], [2]]), (.crossEntropyBackward, [[3, 4], [3, 1]]),
            (.add, [[2, 3]]), (.neg, [[2], [2]]), (.linear(transposedWeight: false, activation: .identity), []),
        ]
        for (op, shapes) in cases { assertShapeError(op, shapes) }
    }

    func testBadDropoutProbabilityIsAValueError() {
        let error = assertThrowsTandemError { () throws(TandemError) in try Op.bernoulliMask(p: 1.5).evaluate([NDArray(zeros: [2])]) }
        guard case .invalidValue(op: "bernoulli_mask", _, _)? = error else { return XCTFail("\(String(describing: error))") }
    }

    func testCheckedThrowsTheFirstErrorAndSkipsLaterOps() {
        let a = Value(NDArray(zeros: [2, 3])), b = Value(NDArray(zeros: [4, 5]))
        var reachedEnd = false
        var lineOfMatmul = 0
        do {
            try checked {
                let bad: Value
                (bad, lineOfMatmul) = (a.matmul(b), #line)  // the error names this line
                _ = bad.relu()
                _ = a + b  // a second error is not the one thrown
                reachedEnd = true
            }
            XCTFail("checked did not throw")
        } catch let error as TandemError {
            guard case let .shapeMismatch(op, shapes, reason, location) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "matmul")
            XCTAssertEqual(shapes, [[2, 3], [4, 5]])
            XCTAssertEqual(reason, "inner dimensions differ (3 vs 4)")
            XCTAssertEqual(location?.file, "TandemKernelsTests/OpForwardErrorTests.swift")
            XCTAssertEqual(location?.line, lineOfMatmul)
            XCTAssertEqual(
                error.description,
                "matmul: inner dimensions differ (3 vs 4); input shapes [2, 3], [4, 5] (at TandemKernelsTests/OpForwardErrorTests.swift:\(lineOfMatmul))")
        } catch {
            XCTFail("unexpected \(error)")
        }
        XCTAssertTrue(reachedEnd, "the body runs to the end; ops after the error pass placeholders")
        XCTAssertFalse(ErrorScope.isActive, "the scope is popped")
    }

    func testCheckedReturnsTheBodysValueWhenNothingFails() throws {
        let y = try checked { Value(NDArray(ones: [2])) + Value(NDArray(ones: [2])) }
        XCTAssertEqual(y.array.scalars, [2, 2])
    }

    func testNestedScopesAreIndependent() {
        XCTAssertThrowsError(try checked {
            let inner = Result { try checked { _ = Value(NDArray(zeros: [2])) + Value(NDArray(zeros: [3])) } }
            XCTAssertThrowsError(try inner.get())
            XCTAssertTrue(ErrorScope.isActive)
            XCTAssertFalse(ErrorScope.hasError, "the inner error stays in the inner scope")
            _ = Value(NDArray(zeros: [2])).matmul(Value(NDArray(zeros: [2])))
            XCTAssertTrue(ErrorScope.hasError)
        }) { error in
            guard case .shapeMismatch(op: "matmul", _, _, _)? = error as? TandemError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(ErrorScope.isActive)
    }

    func testScopeIsPoppedWhenTheBodyThrows() {
        struct Other: Error {}
        XCTAssertThrowsError(try checked { throw Other() }) { XCTAssertTrue($0 is Other) }
        XCTAssertFalse(ErrorScope.isActive)
    }
}
