import TandemKernels
import XCTest

/// conv2d and its two backward kernels (`Kernels/Convolution.swift`) against naive loops.
final class ConvolutionTests: XCTestCase {
    private let geometries: [(stride: Int, padding: Int)] = [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)]

    func testForwardOddShapes() {
        let x = randomArray([2, 3, 7, 5], seed: 1), w = randomArray([4, 3, 3, 2], seed: 2)
        for (stride, padding) in geometries {
            assertClose(try! Op.conv2d(stride: stride, padding: padding).evaluate([x, w]),
                        Naive.conv2d(x, w, stride: stride, padding: padding), "stride \(stride) padding \(padding)")
        }
    }

    func testForwardKernelAsLargeAsPaddedInput() {
        let x = randomArray([1, 2, 3, 3], seed: 3), w = randomArray([2, 2, 5, 5], seed: 4)
        assertClose(try! Op.conv2d(stride: 1, padding: 1).evaluate([x, w]), Naive.conv2d(x, w, stride: 1, padding: 1))
    }

    func testForwardNonContiguousInputs() {
        let x = randomArray([2, 3, 5, 6], seed: 5).transposed(2, 3)  // [2, 3, 6, 5]
        let w = randomArray([3, 4, 3, 3], seed: 6).transposed(0, 1)  // [4, 3, 3, 3]
        assertClose(try! Op.conv2d(stride: 1, padding: 1).evaluate([x, w]), Naive.conv2d(x, w, stride: 1, padding: 1))
    }

    func testForwardEmptyBatch() {
        let y = try! Op.conv2d(stride: 1, padding: 0).evaluate([NDArray(zeros: [0, 3, 5, 5]), NDArray(ones: [2, 3, 3, 3])])
        XCTAssertEqual(y.shape, [0, 2, 3, 3])
    }

    func testBackwardKernelsAgainstNaiveScatter() {
        // The adjoints written as loops over every (output, kernel tap) pair:
        // dx[n, c, r, s] += g[n, o, i, j] * w[o, c, di, dj] and dw[o, c, di, dj] += g * x
        // where (r, s) = (i * stride + di - padding, j * stride + dj - padding).
        for (stride, padding) in geometries {
            let x = randomArray([2, 3, 7, 6], seed: 7), w = randomArray([4, 3, 3, 2], seed: 8)
            let y = Naive.conv2d(x, w, stride: stride, padding: padding)
            let g = randomArray(y.shape, seed: 9)
            let (xv, wv, gv) = (naiveScalars(x), naiveScalars(w), naiveScalars(g))
            var expectedDx = [Double](repeating: 0, count: x.count), expectedDw = [Double](repeating: 0, count: w.count)
            let (oh, ow) = (y.shape[2], y.shape[3])
            for n in 0..<2 {
                for o in 0..<4 {
                    for i in 0..<oh {
                        for j in 0..<ow {
                            let gradient = Double(gv[((n * 4 + o) * oh + i) * ow + j])
                            for c in 0..<3 {
                                for di in 0..<3 {
                                    for dj in 0..<2 {
                                        let r = i * stride + di - padding, s = j * stride + dj - padding
                                        if r < 0 || r >= 7 || s < 0 || s >= 6 { continue }
                                        let xi = ((n * 3 + c) * 7 + r) * 6 + s, wi = ((o * 3 + c) * 3 + di) * 2 + dj
                                        expectedDx[xi] += gradient * Double(wv[wi])
                                        expectedDw[wi] += gradient * Double(xv[xi])
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let dx = try! Op.conv2dBackwardInput(stride: stride, padding: padding).evaluate([g, w, x])
            let dw = try! Op.conv2dBackwardWeight(stride: stride, padding: padding).evaluate([x, g, w])
            assertClose(dx, dense(x.shape, expectedDx.map { Float($0) }), tolerance: 1e-5, "dx stride \(stride) padding \(padding)")
            assertClose(dw, dense(w.shape, expectedDw.map { Float($0) }), tolerance: 1e-5, "dw stride \(stride) padding \(padding)")
        }
    }

    func testBackwardWithNonContiguousGradient() {
        let x = randomArray([1, 2, 5, 5], seed: 10), w = randomArray([3, 2, 3, 3], seed: 11)
        let g = randomArray([1, 3, 3, 3], seed: 12)
        let gView = dense([1, 3, 3, 3], naiveScalars(Naive.transpose(g, 2, 3))).transposed(2, 3)
        let op = Op.conv2dBackwardInput(stride: 1, padding: 0), opW = Op.conv2dBackwardWeight(stride: 1, padding: 0)
        assertClose(try! op.evaluate([gView, w, x]), try! op.evaluate([g, w, x]))
        assertClose(try! opW.evaluate([x, gView, w]), try! opW.evaluate([x, g, w]))
    }

    func testBackwardWeightOfEmptyBatchIsZero() {
        let dw = try! Op.conv2dBackwardWeight(stride: 1, padding: 0).evaluate(
            [NDArray(zeros: [0, 2, 4, 4]), NDArray(zeros: [0, 3, 2, 2]), NDArray(ones: [3, 2, 3, 3])])
        XCTAssertEqual(dw, NDArray(zeros: [3, 2, 3, 3]))
    }
}
