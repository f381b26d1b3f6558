import Foundation
import TandemKernels
import XCTest

/// The elementwise kernels (`Kernels/Elementwise.swift`) against naive loops: odd shapes,
/// broadcasting, non-contiguous and offset views, empty dims and sizes above the parallel
/// threshold (65536 elements), where the work is split across threads.
final class ElementwiseTests: XCTestCase {
    /// Each unary op with its textbook definition and a domain where it is defined.
    private let unaryCases: [(Op, (Double) -> Double, ClosedRange<Float>)] = [
        (.neg, { -$0 }, -3...3),
        (.relu, { Swift.max($0, 0) }, -3...3),
        (.sigmoid, Naive.sigmoid, -8...8),
        (.tanh, { Foundation.tanh($0) }, -3...3),
        (.exp, { Foundation.exp($0) }, -3...3),
        (.log, { Foundation.log($0) }, 0.01...5),
        (.sqrt, { $0.squareRoot() }, 0...5),
        (.addScalar(2.5), { $0 + 2.5 }, -3...3),
        (.mulScalar(-1.5), { $0 * -1.5 }, -3...3),
        (.pow(2), { $0 * $0 }, -3...3),
        (.pow(3), { $0 * $0 * $0 }, -3...3),
        (.pow(-1), { 1 / $0 }, 0.1...3),
        (.pow(0.5), { $0.squareRoot() }, 0...3),
        (.pow(1), { $0 }, -3...3),
        (.pow(1.7), { Foundation.pow($0, 1.7) }, 0...3),
        (.abs, { Swift.abs($0) }, -3...3),
        (.sign, { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 }, -3...3),
        (.leakyRelu(negativeSlope: 0.1), { $0 > 0 ? $0 : 0.1 * $0 }, -3...3),
        (.clamp(min: -0.5, max: 1), { Swift.min(Swift.max($0, -0.5), 1) }, -3...3),
        (.clamp(min: nil, max: 0.3), { Swift.min($0, 0.3) }, -3...3),
        (.clamp(min: -0.2, max: nil), { Swift.max($0, -0.2) }, -3...3),
    ]

    private func checkUnary(shape: [Int], view: (NDArray) -> NDArray = { $0 }, tolerance: Float = 1e-5) {
        for (index, (op, f, range)) in unaryCases.enumerated() {
            let x = view(randomArray(shape, in: range, seed: UInt64(index)))
            assertClose(try! op.evaluate([x]), Naive.unary(x, f), tolerance: tolerance, "\(op) on \(x.shape)")
        }
    }

    func testUnaryOddShape() { checkUnary(shape: [3, 5, 7]) }

    func testUnaryRankZeroAndEmpty() {
        checkUnary(shape: [])
        checkUnary(shape: [0, 3])
    }

    func testUnaryNonContiguousInput() {
        checkUnary(shape: [5, 7]) { $0.transposed(0, 1) }
        checkUnary(shape: [3]) { $0.reshaped([3, 1]).broadcast(to: [2, 3, 4]) }
    }

    func testUnaryAboveParallelThreshold() {
        // 70001: above the threshold and not a multiple of 8, so the SIMD tail runs in a worker.
        checkUnary(shape: [70001], tolerance: 1e-5)
    }

    func testSigmoidIsStableForLargeInputs() {
        let x = NDArray(shape: [4], scalars: [-200, -30, 30, 200])
        let y = try! Op.sigmoid.evaluate([x]).scalars
        XCTAssertEqual(y[0], 0)
        XCTAssertEqual(y[1], Float(Naive.sigmoid(-30)), accuracy: 1e-6 * Float(Naive.sigmoid(-30)))
        XCTAssertEqual(Array(y[2...]), [1, 1])
    }

    func testGeluMatchesTheNormalCDFComputedWithoutErf() {
        let x = randomArray([3, 5, 7], in: -6...6, seed: 30)
        assertClose(try! Op.gelu.evaluate([x]), Naive.unary(x) { $0 * Naive.normalCDF($0) }, tolerance: 1e-6)
        let edges = NDArray(shape: [5], scalars: [0, -0.0, 10, -10, .nan])
        let y = try! Op.gelu.evaluate([edges]).scalars
        XCTAssertEqual(Array(y[0..<4]), [0, 0, 10, 0])
        XCTAssertTrue(y[4].isNaN)
    }

    func testNewUnaryOpsAtTheirEdges() {
        let x = NDArray(shape: [5], scalars: [-0.0, .nan, -.infinity, 2, -3])
        XCTAssertEqual(try Op.abs.evaluate([x]).scalars[0].bitPattern, Float(0).bitPattern, "abs(-0) is +0")
        XCTAssertTrue(try Op.abs.evaluate([x]).scalars[1].isNaN)
        XCTAssertEqual(try Op.abs.evaluate([x]).scalars[2], .infinity)
        XCTAssertTrue(try Op.clamp(min: 0, max: 1).evaluate([x]).scalars[1].isNaN, "clamp keeps NaN, as PyTorch")
        XCTAssertTrue(try Op.leakyRelu(negativeSlope: 0.5).evaluate([x]).scalars[1].isNaN)
        XCTAssertEqual(try Op.sign.evaluate([x]).scalars.enumerated().filter { $0.offset != 1 }.map(\.element), [0, -1, 1, -1])
        // min > max: every value becomes max, as torch.clamp.
        XCTAssertEqual(try Op.clamp(min: 2, max: 1).evaluate([x]).scalars.enumerated().filter { $0.offset != 1 }.map(\.element), [1, 1, 1, 1])
    }

    func testReluKeepsNaN() {
        let y = try! Op.relu.evaluate([NDArray(shape: [3], scalars: [.nan, -1, 2])]).scalars
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(Array(y[1...]), [0, 2])
    }

    // MARK: Binary

    private let binaryCases: [(Op, (Float, Float) -> Float)] = [
        (.add, +), (.sub, -), (.mul, *), (.div, /), (.reluBackward, { g, x in x > 0 ? g : 0 }),
        (.less, { $0 < $1 ? 1 : 0 }), (.greater, { $0 > $1 ? 1 : 0 }), (.equal, { $0 == $1 ? 1 : 0 }),
        (.clampBackward(min: -0.3, max: 0.4), { g, x in x > -0.3 && x < 0.4 ? g : 0 }),
        (.clampBackward(min: nil, max: 0.4), { g, x in x < 0.4 ? g : 0 }),
        (.leakyReluBackward(negativeSlope: 0.2), { g, x in x > 0 ? g : 0.2 * g }),
        (.geluBackward, { g, x in
            let d = Double(x)
            // erf here (Simpson's rule on every element of the large cases would take seconds);
            // testGeluMatchesTheNormalCDFComputedWithoutErf checks the CDF itself.
            let cdf = 0.5 * (1 + Foundation.erf(d / 2.0.squareRoot()))
            return Float(Double(g) * (cdf + d * Foundation.exp(-d * d / 2) / (2 * Double.pi).squareRoot()))
        }),
    ]

    private func checkBinary(_ a: NDArray, _ b: NDArray, file: StaticString = #filePath, line: UInt = #line) {
        for (op, f) in binaryCases {
            assertClose(try! op.evaluate([a, b]), Naive.binary(a, b, f), "\(op) \(a.shape) \(b.shape)", file: file, line: line)
        }
    }

    func testBinarySameShapeOdd() {
        checkBinary(randomArray([3, 5, 7], seed: 1), randomArray([3, 5, 7], awayFromZero: 0.1, seed: 2))
    }

    func testBinaryBroadcastBothSides() {
        let a = randomArray([4, 1, 3], seed: 3), b = randomArray([5, 1], awayFromZero: 0.1, seed: 4)
        checkBinary(a, b)
        checkBinary(b, a)
    }

    func testBinaryScalarRowAndColumn() {
        let matrix = randomArray([6, 5], awayFromZero: 0.1, seed: 5)
        for other in [
            NDArray(shape: [], scalars: [0.5]), NDArray(shape: [1, 1], scalars: [-2]), randomArray([5], awayFromZero: 0.1, seed: 6),
            randomArray([1, 5], awayFromZero: 0.1, seed: 7), randomArray([6, 1], awayFromZero: 0.1, seed: 8),
        ] {
            checkBinary(matrix, other)
            checkBinary(other, matrix)
        }
    }

    func testBinaryLowerRankSameCount() {
        checkBinary(randomArray([1, 6], seed: 9), randomArray([6], awayFromZero: 0.1, seed: 10))
    }

    func testBinaryNonContiguousViews() {
        let t = randomArray([7, 5], seed: 11).transposed(0, 1)  // [5, 7], strides [1, 5]
        let plain = randomArray([5, 7], awayFromZero: 0.1, seed: 12)
        checkBinary(t, plain)
        checkBinary(plain, t)
        checkBinary(t, t)
        let broadcastView = randomArray([7], awayFromZero: 0.1, seed: 13).broadcast(to: [5, 7])
        checkBinary(t, broadcastView)
        checkBinary(broadcastView, plain)
        // A window with an offset: rows 1..<4 of a [5, 7] matrix.
        let big = randomArray([5, 7], awayFromZero: 0.1, seed: 14)
        let window = NDArray(storage: big.storage, shape: [3, 7], strides: [7, 1], offset: 7)
        checkBinary(window, randomArray([3, 7], awayFromZero: 0.1, seed: 15))
        checkBinary(randomArray([7], seed: 16), window)
        // A column window: every other element of the rows.
        let strided = NDArray(storage: big.storage, shape: [5, 3], strides: [7, 2], offset: 1)
        checkBinary(strided, randomArray([5, 1], awayFromZero: 0.1, seed: 17))
    }

    func testBinaryEmptyDims() {
        checkBinary(NDArray(zeros: [0, 3]), randomArray([3], awayFromZero: 0.1, seed: 18))
        checkBinary(NDArray(zeros: [0, 3]), NDArray(zeros: [0, 1]))
        XCTAssertEqual(try Op.add.evaluate([NDArray(zeros: [2, 0]), NDArray(zeros: [1])]).shape, [2, 0])
    }

    func testMovingAverageIsPyTorchsRunningUpdate() throws {
        for shape in [[5], [70001]] {
            let running = randomArray(shape, seed: 31), statistic = randomArray(shape, seed: 32)
            assertClose(try Op.movingAverage(momentum: 0.1).evaluate([running, statistic]),
                        Naive.binary(running, statistic) { 0.9 * $0 + 0.1 * $1 })
        }
        XCTAssertThrowsError(try Op.movingAverage(momentum: 0.1).evaluate([NDArray(zeros: [3]), NDArray(zeros: [1])]))
    }

    func testComparisonsWithTiesAndNaN() {
        let a = NDArray(shape: [5], scalars: [1, 2, 3, .nan, -0.0]), b = NDArray(shape: [5], scalars: [2, 2, 2, 1, 0])
        XCTAssertEqual(try Op.less.evaluate([a, b]).scalars, [1, 0, 0, 0, 0])
        XCTAssertEqual(try Op.greater.evaluate([a, b]).scalars, [0, 0, 1, 0, 0])
        XCTAssertEqual(try Op.equal.evaluate([a, b]).scalars, [0, 1, 0, 0, 1])
        XCTAssertEqual(try Op.equal.evaluate([a, NDArray(2)]).scalars, [0, 1, 0, 0, 0])
    }

    func testBinaryAboveParallelThreshold() {
        let a = randomArray([70001], seed: 19), b = randomArray([70001], awayFromZero: 0.1, seed: 20)
        checkBinary(a, b)
        // A bias row over many rows (the row-broadcast path, split by rows) and the general path.
        let rows = randomArray([9000, 9], seed: 21), bias = randomArray([9], awayFromZero: 0.1, seed: 22)
        checkBinary(rows, bias)
        checkBinary(bias, rows)
        checkBinary(rows, randomArray([9000, 1], awayFromZero: 0.1, seed: 23))
    }

    func testReusedOutputBuffer() {
        let a = randomArray([3, 4], seed: 24), b = randomArray([3, 4], seed: 25)
        let buffer = Storage(capacity: 12)
        let out = try! Op.add.evaluate([a, b], reusing: buffer)
        XCTAssertTrue(out.storage === buffer)
        assertClose(out, Naive.binary(a, b, +))
        // Too small a buffer is ignored, not overrun.
        let small = Storage(capacity: 2)
        XCTAssertFalse(try Op.add.evaluate([a, b], reusing: small).storage === small)
    }

    // MARK: Fused

    func testFusedChainMatchesStepByStep() {
        let steps: [ElementwiseStep] = [.mulScalar(0.5), .addScalar(2), .log, .exp, .sqrt, .pow(3), .tanh, .sigmoid, .neg, .relu, .pow(2)]
        let functions: [(Double) -> Double] = [
            { $0 * 0.5 }, { $0 + 2 }, { Foundation.log($0) }, { Foundation.exp($0) }, { $0.squareRoot() },
            { $0 * $0 * $0 }, { Foundation.tanh($0) }, Naive.sigmoid, { -$0 }, { Swift.max($0, 0) }, { $0 * $0 },
        ]
        for shape in [[3, 5, 7], [70001], [0], []] {
            let x = randomArray(shape, seed: 26)
            let expected = functions.reduce(x) { Naive.unary($0, $1) }
            assertClose(try! Op.fusedElementwise(steps).evaluate([x]), expected, tolerance: 1e-5)
        }
        let t = randomArray([4, 6], seed: 27).transposed(0, 1)
        assertClose(try! Op.fusedElementwise([.neg, .exp]).evaluate([t]), Naive.unary(t) { Foundation.exp(-$0) })
        assertClose(try! Op.fusedElementwise([]).evaluate([t]), Naive.reshape(t, [6, 4]))
    }

    /// A graph pass may fuse a chain or not: both must give the same bits, special cases included
    /// (pow by -1, 0.5 and 1 take dedicated kernels; -0, infinities and NaN probe their edges).
    func testFusedChainIsBitIdenticalToItsStepsRunOneByOne() {
        let special: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, 1e-30, -2.5, 3]
        let x = NDArray(shape: [30], scalars: special + randomArray([20], seed: 28).scalars)
        for steps: [ElementwiseStep] in [
            [.pow(-1), .pow(0.5), .pow(1)], [.relu, .pow(0.5), .neg], [.sqrt, .pow(2), .sigmoid],
            [.mulScalar(-3), .exp, .log, .tanh, .addScalar(1), .pow(1.5)],
        ] {
            let fused = try! Op.fusedElementwise(steps).evaluate([x]).scalars
            let oneByOne = steps.reduce(x) { value, step in try! step.op.evaluate([value]) }.scalars
            XCTAssertEqual(fused.map(\.bitPattern), oneByOne.map(\.bitPattern), "\(steps)")
        }
    }

    /// A per-channel vector over a dense tensor (a convolution's bias [1, C, 1, 1] over
    /// [N, C, H, W], and runs of several middle dims) takes its own vectorised path; large
    /// enough to be split across the workers too.
    func testBinaryPerChannelBroadcast() {
        checkBinary(randomArray([2, 3, 5, 7], seed: 80), randomArray([1, 3, 1, 1], awayFromZero: 0.1, seed: 81))
        checkBinary(randomArray([2, 3, 5, 7], seed: 82), randomArray([3, 5, 1], awayFromZero: 0.1, seed: 83))
        checkBinary(randomArray([4, 3, 9], seed: 84), randomArray([4, 1, 1], awayFromZero: 0.1, seed: 85))
        checkBinary(randomArray([8, 32, 16, 16], seed: 86), randomArray([1, 32, 1, 1], awayFromZero: 0.1, seed: 87))
    }
}
