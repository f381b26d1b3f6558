import TandemKernels
import XCTest

/// The shape rules (`Primitives/Op+ShapeRules.swift`), with concrete and unknown (-1) dims.
final class ShapeRuleTests: XCTestCase {
    private let u = unknownDim

    private func shape(_ op: Op, _ shapes: [[Int]], file: StaticString = #filePath, line: UInt = #line) -> [Int]? {
        do {
            return try op.outputShape(shapes)
        } catch {
            XCTFail("\(op) \(shapes): \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertRejects(_ op: Op, _ shapes: [[Int]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try op.outputShape(shapes), "\(op) \(shapes)", file: file, line: line) { error in
            XCTAssertTrue(error is ShapeRuleError, file: file, line: line)
        }
    }

    func testBroadcasting() {
        XCTAssertEqual(try broadcastShapes([4, 1, 3], [5, 1]), [4, 5, 3])
        XCTAssertEqual(try broadcastShapes([], [2, 3]), [2, 3])
        XCTAssertEqual(try broadcastShapes([0, 3], [3]), [0, 3])
        XCTAssertEqual(try broadcastShapes([0, 3], [1, 1]), [0, 3])
        XCTAssertEqual(try broadcastShapes([u, 3], [4, 1]), [4, 3])
        XCTAssertEqual(try broadcastShapes([u, 3], [3]), [u, 3])
        XCTAssertThrowsError(try broadcastShapes([2, 3], [4, 3]))
        XCTAssertThrowsError(try broadcastShapes([0, 3], [2, 3]))
        for op in [Op.add, .sub, .mul, .div, .reluBackward] {
            XCTAssertEqual(shape(op, [[4, 1, 3], [5, 1]]), [4, 5, 3])
            assertRejects(op, [[2, 3], [3, 2]])
            assertRejects(op, [[2, 3]])
        }
    }

    func testUnaryKeepTheShape() {
        for op in [Op.neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .addScalar(1), .mulScalar(2), .pow(3),
                   .bernoulliMask(p: 0.5), .zerosLike, .fusedElementwise([.exp])] {
            XCTAssertEqual(shape(op, [[u, 3, 5]]), [u, 3, 5])
            XCTAssertEqual(shape(op, [[]]), [])
        }
    }

    func testReductions() {
        for op in [Op.sum(dim: 1, keepDim: false), .mean(dim: 1, keepDim: false), .max(dim: 1, keepDim: false)] {
            XCTAssertEqual(shape(op, [[2, 3, 4]]), [2, 4])
            XCTAssertEqual(shape(op, [[u, 3]]), [u])
            assertRejects(op, [[2]])
            assertRejects(op, [[]])
        }
        XCTAssertEqual(shape(.sum(dim: -1, keepDim: true), [[2, 3, 4]]), [2, 3, 1])
        XCTAssertEqual(shape(.mean(dim: nil, keepDim: false), [[2, 3]]), [])
        XCTAssertEqual(shape(.mean(dim: nil, keepDim: true), [[2, 3]]), [1, 1])
        assertRejects(.sum(dim: 3, keepDim: false), [[2, 3, 4]])
        assertRejects(.sum(dim: -4, keepDim: false), [[2, 3, 4]])
        XCTAssertEqual(shape(.argmax(dim: 1), [[2, 3, 4]]), [2, 4])
        assertRejects(.max(dim: 0, keepDim: false), [[0, 3]])
        assertRejects(.argmax(dim: 0), [[0, 3]])
        XCTAssertEqual(shape(.sum(dim: 0, keepDim: false), [[0, 3]]), [3])
    }

    func testBackwardHelpersCheckTheirGradient() {
        XCTAssertEqual(shape(.expandLike(dim: 1, keepDim: false, mean: false), [[2, 4], [2, 3, 4]]), [2, 3, 4])
        XCTAssertEqual(shape(.expandLike(dim: 1, keepDim: true, mean: true), [[2, 1, 4], [2, 3, 4]]), [2, 3, 4])
        XCTAssertEqual(shape(.expandLike(dim: nil, keepDim: false, mean: false), [[], [2, 3]]), [2, 3])
        XCTAssertEqual(shape(.expandLike(dim: 0, keepDim: false, mean: false), [[3], [u, 3]]), [u, 3])
        XCTAssertEqual(shape(.maxBackward(dim: 0, keepDim: false), [[3], [2, 3]]), [2, 3])
        XCTAssertEqual(shape(.maxBackward(dim: nil, keepDim: false), [[], [2, 3]]), [2, 3])
        for op in [Op.expandLike(dim: 1, keepDim: false, mean: false), .maxBackward(dim: 1, keepDim: false)] {
            assertRejects(op, [[2, 3], [2, 3, 4]])
            assertRejects(op, [[2, 5], [2, 3, 4]])
            assertRejects(op, [[2, 4, 1], [2, 3, 4]])
            // The kept form holds the same elements in the same order, so it is accepted too.
            XCTAssertEqual(shape(op, [[2, 1, 4], [2, 3, 4]]), [2, 3, 4])
        }
        assertRejects(.expandLike(dim: 3, keepDim: false, mean: false), [[2, 3, 4], [2, 3, 4]])
        assertRejects(.expandLike(dim: nil, keepDim: false, mean: false), [[2], [2, 3]])
        assertRejects(.maxBackward(dim: 5, keepDim: true), [[2, 3], [2, 3]])
    }

    func testShapeOps() {
        XCTAssertEqual(shape(.reshape([3, -1]), [[2, 3, 4]]), [3, 8])
        XCTAssertEqual(shape(.reshape([-1]), [[0, 3]]), [0])
        XCTAssertEqual(shape(.reshape([u, 4]), [[u, 2, 2]]), [u, 4])
        assertRejects(.reshape([5, -1]), [[2, 3]])
        assertRejects(.reshape([-1, -1]), [[2, 3]])
        assertRejects(.reshape([7]), [[2, 3]])
        XCTAssertEqual(shape(.flatten(startDim: 1), [[2, 3, 4]]), [2, 12])
        XCTAssertEqual(shape(.flatten(startDim: 1), [[u, 3, 4]]), [u, 12])
        XCTAssertEqual(shape(.flatten(startDim: 0), [[]]), [1])
        assertRejects(.flatten(startDim: 3), [[2, 3]])
        XCTAssertEqual(shape(.transpose(0, -1), [[2, 3, 4]]), [4, 3, 2])
        assertRejects(.transpose(0, 2), [[2, 3]])
        XCTAssertEqual(shape(.reshapeLike, [[2, 6], [3, 4]]), [3, 4])
        assertRejects(.reshapeLike, [[2, 6], [3, 5]])
        XCTAssertEqual(shape(.broadcastLike, [[3, 1], [2, 3, 4]]), [2, 3, 4])
        XCTAssertEqual(shape(.broadcastLike, [[3, 1], [u, 3, 4]]), [u, 3, 4])
        assertRejects(.broadcastLike, [[3, 2], [2, 3, 4]])
        // broadcastLike must produce exactly like's shape: growing the result past it is an error.
        assertRejects(.broadcastLike, [[3, 4], [4]])
        assertRejects(.broadcastLike, [[1, 3], [2, 1]])
        XCTAssertEqual(shape(.reduceLike, [[2, 3, 4], [3, 1]]), [3, 1])
        XCTAssertEqual(shape(.reduceLike, [[u, 3], [3]]), [3])
        assertRejects(.reduceLike, [[3, 1], [2, 3, 4]])
        assertRejects(.reduceLike, [[2, 3], [4]])
    }

    func testMatmulAndLinear() {
        XCTAssertEqual(shape(.matmul, [[3, 4], [4, 5]]), [3, 5])
        XCTAssertEqual(shape(.matmul, [[2, 3, 4], [4, 5]]), [2, 3, 5])
        XCTAssertEqual(shape(.matmul, [[3, 4], [2, 4, 5]]), [2, 3, 5])
        XCTAssertEqual(shape(.matmul, [[u, 3, 4], [2, 4, 5]]), [2, 3, 5])
        XCTAssertEqual(shape(.matmul, [[u, 4], [4, 5]]), [u, 5])
        assertRejects(.matmul, [[3, 4], [5, 6]])
        assertRejects(.matmul, [[4], [4, 5]])
        assertRejects(.matmul, [[2, 3, 4], [3, 4, 5]])
        assertRejects(.matmul, [[2, 2, 3, 4], [2, 4, 5]])
        XCTAssertEqual(shape(.linear(transposedWeight: true, activation: .relu), [[u, 3], [5, 3], [5]]), [u, 5])
        XCTAssertEqual(shape(.linear(transposedWeight: false, activation: .identity), [[2, 3], [3, 5], [5]]), [2, 5])
        assertRejects(.linear(transposedWeight: true, activation: .identity), [[2, 3], [3, 5], [5]])
        assertRejects(.linear(transposedWeight: true, activation: .identity), [[2, 3], [5, 3], [4]])
        assertRejects(.linear(transposedWeight: true, activation: .identity), [[2, 3], [5, 3], [1, 5]])
        assertRejects(.linear(transposedWeight: true, activation: .identity), [[3], [5, 3], [5]])
    }

    func testNeuralNetworkOps() {
        XCTAssertEqual(shape(.softmax(dim: -1), [[2, 3]]), [2, 3])
        assertRejects(.logSoftmax(dim: 2), [[2, 3]])
        XCTAssertEqual(shape(.conv2d(stride: 1, padding: 0), [[2, 3, 28, 28], [32, 3, 3, 3]]), [2, 32, 26, 26])
        XCTAssertEqual(shape(.conv2d(stride: 2, padding: 1), [[u, 1, 7, 6], [4, 1, 3, 3]]), [u, 4, 4, 3])
        assertRejects(.conv2d(stride: 1, padding: 0), [[2, 3, 28, 28], [32, 1, 3, 3]])
        assertRejects(.conv2d(stride: 1, padding: 0), [[2, 3, 2, 2], [4, 3, 3, 3]])
        assertRejects(.conv2d(stride: 0, padding: 0), [[2, 3, 5, 5], [4, 3, 3, 3]])
        assertRejects(.conv2d(stride: 1, padding: -1), [[2, 3, 5, 5], [4, 3, 3, 3]])
        assertRejects(.conv2d(stride: 1, padding: 0), [[3, 5, 5], [4, 3, 3, 3]])
        XCTAssertEqual(shape(.maxPool2d(kernelSize: 2, stride: 2), [[u, 32, 27, 26]]), [u, 32, 13, 13])
        assertRejects(.maxPool2d(kernelSize: 3, stride: 1), [[1, 1, 2, 5]])
        assertRejects(.maxPool2d(kernelSize: 0, stride: 1), [[1, 1, 2, 5]])
        assertRejects(.maxPool2d(kernelSize: 2, stride: 2), [[1, 2, 5]])
        XCTAssertEqual(shape(.crossEntropy, [[u, 10], [u]]), [])
        XCTAssertEqual(shape(.crossEntropyBackward, [[4, 10], [4]]), [4, 10])
        assertRejects(.crossEntropy, [[4, 10], [5]])
        assertRejects(.crossEntropy, [[4, 10], [4, 1]])
        assertRejects(.crossEntropy, [[40], [4]])
    }
}
