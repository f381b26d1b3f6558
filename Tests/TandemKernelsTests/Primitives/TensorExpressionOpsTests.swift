import Foundation
import TandemKernels
import XCTest

/// The user-facing op surface (`Primitives/TensorExpression+Ops.swift`), run through the test's
/// `Value` conformer: each operator and free function builds the right primitives.
final class TensorExpressionOpsTests: XCTestCase {
    private let a = randomArray([2, 3], awayFromZero: 0.2, seed: 1)
    private let b = randomArray([2, 3], awayFromZero: 0.2, seed: 2)

    func testOperators() {
        let x = Value(a), y = Value(b)
        assertClose((x + y).array, Naive.binary(a, b, +))
        assertClose((x - y).array, Naive.binary(a, b, -))
        assertClose((x * y).array, Naive.binary(a, b, *))
        assertClose((x / y).array, Naive.binary(a, b, /))
        assertClose((-x).array, Naive.unary(a) { -$0 })
        assertClose((x + 2).array, Naive.unary(a) { $0 + 2 })
        assertClose((2 + x).array, Naive.unary(a) { 2 + $0 })
        assertClose((x - 2).array, Naive.unary(a) { $0 - 2 })
        assertClose((2 - x).array, Naive.unary(a) { 2 - $0 })
        assertClose((x * 3).array, Naive.unary(a) { $0 * 3 })
        assertClose((3 * x).array, Naive.unary(a) { 3 * $0 })
        assertClose((x / 4).array, Naive.unary(a) { $0 / 4 })
        assertClose((4 / x).array, Naive.unary(a) { 4 / $0 })
        assertClose(x.adding(y).array, Naive.binary(a, b, +))
        assertClose(x.subtracting(y).array, Naive.binary(a, b, -))
        assertClose(x.multiplying(by: y).array, Naive.binary(a, b, *))
        assertClose(x.dividing(by: y).array, Naive.binary(a, b, /))
    }

    func testNamedFunctions() {
        let x = Value(a)
        let positive = Value(Naive.unary(a) { abs($0) })
        assertClose(x.relu().array, Naive.unary(a) { Swift.max($0, 0) })
        assertClose(x.sigmoid().array, Naive.unary(a, Naive.sigmoid))
        assertClose(x.tanh().array, Naive.unary(a) { Foundation.tanh($0) })
        assertClose(x.exp().array, Naive.unary(a) { Foundation.exp($0) })
        assertClose(positive.log().array, Naive.unary(a) { Foundation.log(abs($0)) })
        assertClose(positive.sqrt().array, Naive.unary(a) { abs($0).squareRoot() })
        assertClose(x.pow(3).array, Naive.unary(a) { $0 * $0 * $0 })
        assertClose(x.sum().array, Naive.reduce(a, dim: nil, Naive.sum))
        assertClose(x.sum(dim: 1, keepDim: true).array, Naive.reduce(a, dim: 1, keepDim: true, Naive.sum))
        assertClose(x.mean().array, Naive.reduce(a, dim: nil, Naive.mean))
        assertClose(x.mean(dim: 0).array, Naive.reduce(a, dim: 0, Naive.mean))
        assertClose(x.max().array, Naive.reduce(a, dim: nil, Naive.max))
        assertClose(x.max(dim: 1).array, Naive.reduce(a, dim: 1, Naive.max))
        assertClose(x.argmax(dim: 1).array, Naive.reduce(a, dim: 1, Naive.argmax))
        assertClose(x.reshape([3, -1]).array, Naive.reshape(a, [3, 2]))
        assertClose(x.transpose(0, 1).array, Naive.transpose(a, 0, 1))
        assertClose(x.flatten().array, Naive.reshape(a, [6]))
        assertClose(x.softmax(dim: 1).array, Naive.softmax(a, dim: 1))
        assertClose(x.logSoftmax(dim: 0).array, Naive.softmax(a, dim: 0, log: true))
        let w = randomArray([3, 4], seed: 3)
        assertClose(x.matmul(Value(w)).array, Naive.matmul(a, w))
        assertClose(matmul(x, Value(w)).array, Naive.matmul(a, w))
    }

    func testFreeFunctions() {
        let input = randomArray([2, 3, 6, 5], seed: 4), weight = randomArray([4, 3, 3, 3], seed: 5), bias = randomArray([4], seed: 6)
        let convolved = conv2d(Value(input), weight: Value(weight), bias: Value(bias), stride: 2, padding: 1).array
        let expected = Naive.binary(Naive.conv2d(input, weight, stride: 2, padding: 1), Naive.reshape(bias, [1, 4, 1, 1]), +)
        assertClose(convolved, expected)
        assertClose(conv2d(Value(input), weight: Value(weight)).array, Naive.conv2d(input, weight, stride: 1, padding: 0))

        assertClose(maxPool2d(Value(input), kernelSize: 2).array, Naive.maxPool2d(input, kernel: 2, stride: 2))
        assertClose(maxPool2d(Value(input), kernelSize: 3, stride: 1).array, Naive.maxPool2d(input, kernel: 3, stride: 1))

        let x = randomArray([4, 3], seed: 7), w = randomArray([5, 3], seed: 8), c = randomArray([5], seed: 9)
        assertClose(linear(Value(x), weight: Value(w), bias: Value(c)).array, Naive.linear(x, w, c, transposed: true, activation: .identity))
        assertClose(linear(Value(x), weight: Value(w), bias: Value(c), activation: .tanh).array,
                    Naive.linear(x, w, c, transposed: true, activation: .tanh))

        let logits = randomArray([4, 5], seed: 10)
        XCTAssertEqual(crossEntropy(Value(logits), Value(dense([4], [0, 1, 4, 2]))).array.scalar, Naive.crossEntropy(logits, [0, 1, 4, 2]), accuracy: 1e-5)

        let squared = naiveScalars(Naive.binary(a, b) { ($0 - $1) * ($0 - $1) })
        XCTAssertEqual(mseLoss(Value(a), Value(b)).array.scalar, squared.reduce(0, +) / 6, accuracy: 1e-6)
    }

    func testDropout() {
        manualSeed(3)
        let x = randomArray([50, 40], awayFromZero: 0.1, seed: 11)
        let y = dropout(Value(x), p: 0.4).array.scalars
        let xs = naiveScalars(x)
        var dropped = 0
        for (out, input) in zip(y, xs) {
            if out == 0 {
                dropped += 1
            } else {
                XCTAssertEqual(out, input / 0.6, accuracy: 1e-6)
            }
        }
        XCTAssertEqual(Float(dropped) / 2000, 0.4, accuracy: 0.04)
    }

    func testNamedOpsCarryTheCallersLine() {
        let x = Value(NDArray(zeros: [2, 3]))
        let calls: [(String, (Value) -> Value)] = [
            ("sum", { $0.sum(dim: 5) }), ("reshape", { $0.reshape([4]) }), ("softmax", { $0.softmax(dim: 2) }),
            ("conv2d", { conv2d($0, weight: $0) }), ("max_pool2d", { maxPool2d($0, kernelSize: 2) }),
            ("cross_entropy", { crossEntropy($0, $0) }), ("add", { $0.adding(Value(NDArray(zeros: [4]))) }),
        ]
        for (name, call) in calls {
            do {
                _ = try checked { call(x) }
                XCTFail("\(name) did not fail")
            } catch let error as TandemError {
                XCTAssertTrue(error.description.hasPrefix(name + ":"), error.description)
                XCTAssertEqual(error.location?.file, "TandemKernelsTests/TensorExpressionOpsTests.swift", "\(name)")
            } catch {
                XCTFail("\(error)")
            }
        }
        // Swift operators cannot take #line: their errors carry no location.
        do {
            _ = try checked { x + Value(NDArray(zeros: [4])) }
        } catch let error as TandemError {
            XCTAssertNil(error.location)
        } catch {
            XCTFail("\(error)")
        }
    }
}
