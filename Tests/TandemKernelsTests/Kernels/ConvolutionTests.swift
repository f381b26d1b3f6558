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

    /// Naive adjoints in Double: dx[n, c, r, s] += g * w and dw[o, c, di, dj] += g * x over every
    /// (output, kernel tap) pair, with (r, s) = (i * stride + di - padding, j * stride + dj - padding).
    private func naiveBackward(_ x: NDArray, _ w: NDArray, _ g: NDArray, stride: Int, padding: Int) -> (NDArray, NDArray) {
        let (batch, channels, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (outChannels, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (oh, ow) = (g.shape[2], g.shape[3])
        let (xv, wv, gv) = (naiveScalars(x), naiveScalars(w), naiveScalars(g))
        var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
        for n in 0..<batch {
            for o in 0..<outChannels {
                for i in 0..<oh {
                    for j in 0..<ow {
                        let gradient = Double(gv[((n * outChannels + o) * oh + i) * ow + j])
                        for c in 0..<channels {
                            for di in 0..<kh {
                                for dj in 0..<kw {
                                    let r = i * stride + di - padding, s = j * stride + dj - padding
                                    if r < 0 || r >= h || s < 0 || s >= wd { continue }
                                    let xi = ((n * channels + c) * h + r) * wd + s, wi = ((o * channels + c) * kh + di) * kw + dj
                                    dx[xi] += gradient * Double(wv[wi])
                                    dw[wi] += gradient * Double(xv[xi])
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dense(x.shape, dx.map { Float($0) }), dense(w.shape, dw.map { Float($0) }))
    }

    /// Batches large enough to be shared among the workers (each with its own `col` buffer and
    /// weight-gradient accumulator), odd batch sizes that split unevenly, and the pointwise
    /// convolution that skips im2col: forward and both adjoints against naive loops.
    func testBatchSharedAmongWorkers() {
        let cases: [(x: [Int], w: [Int], stride: Int, padding: Int)] = [
            ([8, 3, 20, 18], [16, 3, 3, 3], 1, 1),
            ([9, 3, 30, 30], [32, 3, 3, 3], 2, 1),
            ([7, 8, 24, 24], [32, 8, 1, 1], 1, 0),
            ([5, 2, 31, 29], [32, 2, 5, 4], 3, 2),
        ]
        for (seed, c) in cases.enumerated() {
            let x = randomArray(c.x, seed: UInt64(40 + seed)), w = randomArray(c.w, seed: UInt64(50 + seed))
            let y = try! Op.conv2d(stride: c.stride, padding: c.padding).evaluate([x, w])
            assertClose(y, Naive.conv2d(x, w, stride: c.stride, padding: c.padding), tolerance: 1e-4, "forward \(c)")
            let g = randomArray(y.shape, seed: UInt64(60 + seed))
            let (expectedDx, expectedDw) = naiveBackward(x, w, g, stride: c.stride, padding: c.padding)
            let dx = try! Op.conv2dBackwardInput(stride: c.stride, padding: c.padding).evaluate([g, w, x])
            let dw = try! Op.conv2dBackwardWeight(stride: c.stride, padding: c.padding).evaluate([x, g, w])
            assertClose(dx, expectedDx, tolerance: 1e-4, "dx \(c)")
            assertClose(dw, expectedDw, tolerance: 1e-3, "dw \(c)")
        }
    }
}
