import TandemKernels
import XCTest

/// Batch and layer normalisation kernels (`Kernels/Normalization.swift`) against naive loops.
final class NormalizationTests: XCTestCase {
    func testBatchStatisticsOfMatricesAndImages() throws {
        for shape in [[5, 3], [4, 3, 2, 5], [2, 4, 7], [64, 8, 9, 9]] {
            let x = randomArray(shape, in: -3...5, seed: 1)
            assertClose(try Op.batchStatistics.evaluate([x]), Naive.batchStatistics(x), tolerance: 2e-5, "\(shape)")
        }
        // A transposed input is read in its logical order.
        let t = randomArray([3, 6], seed: 2).transposed(0, 1)
        assertClose(try Op.batchStatistics.evaluate([t]), Naive.batchStatistics(Naive.transpose(randomArray([3, 6], seed: 2), 0, 1)))
    }

    func testBatchStatisticsOfALargeOffsetStaysAccurate() throws {
        // A mean far from zero: the two-pass variance does not cancel catastrophically.
        let x = NDArray(shape: [1000, 1], scalars: (0..<1000).map { 1000 + Float($0 % 7) * 0.01 })
        assertClose(try Op.batchStatistics.evaluate([x]), Naive.batchStatistics(x), tolerance: 1e-5)
    }

    func testBatchStatisticsBackward() throws {
        let x = randomArray([4, 3, 2, 2], seed: 3), g = randomArray([3, 3], seed: 4)
        let stats = try Op.batchStatistics.evaluate([x])
        let dx = try Op.batchStatisticsBackward.evaluate([g, x, stats])
        // Naive: d/dx of sum_c g0 mean + g1 var + g2 unbiased var, from the definitions.
        let m = 16.0, gv = naiveScalars(g), sv = naiveScalars(stats), xv = naiveScalars(x)
        let expected = (0..<x.count).map { flat -> Float in
            let c = NaiveIndex.unravel(flat, x.shape)[1]
            let centred = Double(xv[flat]) - Double(sv[c])
            return Float(Double(gv[c]) / m + Double(gv[3 + c]) * 2 * centred / m + Double(gv[6 + c]) * 2 * centred / (m - 1))
        }
        assertClose(naiveScalars(dx), expected)
    }

    func testBatchNormWithAndWithoutAffine() throws {
        for shape in [[6, 3], [4, 3, 5, 5], [2, 3, 7]] {
            let x = randomArray(shape, in: -2...2, seed: 5)
            let mean = randomArray([3], seed: 6), variance = randomArray([3], in: 0.1...2, seed: 7)
            let weight = randomArray([3], seed: 8), bias = randomArray([3], seed: 9)
            assertClose(try Op.batchNorm(eps: 1e-5, affine: true).evaluate([x, mean, variance, weight, bias]),
                        Naive.batchNorm(x, mean: mean.scalars, variance: variance.scalars, weight: weight.scalars, bias: bias.scalars, eps: 1e-5))
            assertClose(try Op.batchNorm(eps: 0.5, affine: false).evaluate([x, mean, variance]),
                        Naive.batchNorm(x, mean: mean.scalars, variance: variance.scalars, weight: nil, bias: nil, eps: 0.5))
        }
        // Large enough to be split across workers.
        let big = randomArray([32, 16, 16, 16], seed: 10)
        let mean = randomArray([16], seed: 11), variance = randomArray([16], in: 0.1...2, seed: 12)
        assertClose(try Op.batchNorm(eps: 1e-5, affine: false).evaluate([big, mean, variance]),
                    Naive.batchNorm(big, mean: mean.scalars, variance: variance.scalars, weight: nil, bias: nil, eps: 1e-5))
    }

    func testBatchNormBackwardReduceAndInput() throws {
        let x = randomArray([4, 3, 2, 3], seed: 13), g = randomArray([4, 3, 2, 3], seed: 14)
        let mean = randomArray([3], seed: 15), variance = randomArray([3], in: 0.2...2, seed: 16)
        let sums = try Op.batchNormBackwardReduce(eps: 1e-3).evaluate([g, x, mean, variance])
        let expectedG = (0..<3).map { Float(Naive.channel(g, $0).reduce(0, +)) }
        let expectedGX = (0..<3).map { c -> Float in
            let sigma = (Double(variance.scalars[c]) + 1e-3).squareRoot()
            return Float(zip(Naive.channel(g, c), Naive.channel(x, c)).reduce(0) { $0 + $1.0 * ($1.1 - Double(mean.scalars[c])) / sigma })
        }
        assertClose(sums, dense([2, 3], expectedG + expectedGX))
        let scale = randomArray([3], seed: 17)
        let dx = try Op.batchNormBackwardInput.evaluate([g, scale])
        assertClose(dx, Naive.batchNorm(g, mean: [0, 0, 0], variance: [1, 1, 1], weight: scale.scalars, bias: nil, eps: 0))
    }

    func testLayerNormAndItsBackward() throws {
        for (shape, normalized) in [([4, 6], [6]), ([2, 3, 4], [3, 4]), ([5, 1], [1])] {
            let x = randomArray(shape, in: -3...3, seed: 18)
            let size = normalized.reduce(1, *)
            let weight = randomArray(normalized, seed: 19), bias = randomArray(normalized, seed: 20)
            assertClose(try Op.layerNorm(normalizedShape: normalized, eps: 1e-5, affine: true).evaluate([x, weight, bias]),
                        Naive.layerNorm(x, size: size, weight: weight.scalars, bias: bias.scalars, eps: 1e-5), tolerance: 2e-5)
            assertClose(try Op.layerNorm(normalizedShape: normalized, eps: 1e-5, affine: false).evaluate([x]),
                        Naive.layerNorm(x, size: size, weight: nil, bias: nil, eps: 1e-5), tolerance: 2e-5)
            // The backward against central differences of the naive forward, in Double.
            let g = randomArray(shape, seed: 21)
            let dx = try Op.layerNormBackward(normalizedShape: normalized, eps: 1e-5, affine: true).evaluate([g, x, weight])
            let xv = naiveScalars(x), gv = naiveScalars(g)
            let numeric = (0..<x.count).map { i -> Float in
                func loss(_ delta: Float) -> Double {
                    var moved = xv
                    moved[i] += delta
                    let y = Naive.layerNorm(dense(shape, moved), size: size, weight: weight.scalars, bias: nil, eps: 1e-5)
                    return zip(naiveScalars(y), gv).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                }
                return Float((loss(1e-2) - loss(-1e-2)) / 2e-2)
            }
            assertClose(naiveScalars(dx), numeric, tolerance: 3e-3, "\(shape)")
        }
    }
}
