import Foundation
import TandemKernels

// Naive references for the ops added with slicing, joining, normalisation and the new losses:
// loops over multi-indices, Double sums, no call into the core's kernels.
extension Naive {
    // MARK: Elementwise

    /// Φ(x), the standard normal CDF, by Simpson's rule on the density from 0 to x (1000 panels:
    /// error far below Float precision), so GELU is checked against a route that does not use erf.
    static func normalCDF(_ x: Double) -> Double {
        let n = 1000, h = x / Double(n)
        func density(_ t: Double) -> Double { Foundation.exp(-t * t / 2) / (2 * Double.pi).squareRoot() }
        var total = density(0) + density(x)
        for i in 1..<n { total += density(Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
        return 0.5 + total * h / 3
    }

    // MARK: Indexing

    /// Elements `start..<start + length` of dimension `axis` (start already non-negative).
    static func narrow(_ x: NDArray, axis: Int, start: Int, length: Int) -> NDArray {
        var shape = x.shape
        shape[axis] = length
        let values = naiveScalars(x)
        return dense(shape, (0..<NaiveIndex.count(shape)).map { flat in
            var index = NaiveIndex.unravel(flat, shape)
            index[axis] += start
            return values[NaiveIndex.ravel(index, x.shape)]
        })
    }

    /// Output dim i is input dim order[i].
    static func permute(_ x: NDArray, _ order: [Int]) -> NDArray {
        let shape = order.map { x.shape[$0] }
        let values = naiveScalars(x)
        return dense(shape, (0..<x.count).map { flat in
            let out = NaiveIndex.unravel(flat, shape)
            var index = [Int](repeating: 0, count: x.rank)
            for (i, d) in order.enumerated() { index[d] = out[i] }
            return values[NaiveIndex.ravel(index, x.shape)]
        })
    }

    /// The inputs joined along `axis`.
    static func cat(_ xs: [NDArray], axis: Int) -> NDArray {
        var shape = xs[0].shape
        shape[axis] = xs.reduce(0) { $0 + $1.shape[axis] }
        let values = xs.map(naiveScalars)
        return dense(shape, (0..<NaiveIndex.count(shape)).map { flat in
            var index = NaiveIndex.unravel(flat, shape)
            var which = 0
            while index[axis] >= xs[which].shape[axis] {
                index[axis] -= xs[which].shape[axis]
                which += 1
            }
            return values[which][NaiveIndex.ravel(index, xs[which].shape)]
        })
    }

    /// The inputs (one shape) stacked along a new dimension `axis` of the result.
    static func stack(_ xs: [NDArray], axis: Int) -> NDArray {
        var shape = xs[0].shape
        shape.insert(xs.count, at: axis)
        let values = xs.map(naiveScalars)
        return dense(shape, (0..<NaiveIndex.count(shape)).map { flat in
            var index = NaiveIndex.unravel(flat, shape)
            let which = index.remove(at: axis)
            return values[which][NaiveIndex.ravel(index, xs[0].shape)]
        })
    }

    /// x's entries at `index` along `axis`.
    static func indexSelect(_ x: NDArray, axis: Int, _ index: [Int]) -> NDArray {
        var shape = x.shape
        shape[axis] = index.count
        let values = naiveScalars(x)
        return dense(shape, (0..<NaiveIndex.count(shape)).map { flat in
            var position = NaiveIndex.unravel(flat, shape)
            position[axis] = index[position[axis]]
            return values[NaiveIndex.ravel(position, x.shape)]
        })
    }

    /// The adjoint of indexSelect: g's slices added into zeros of `shape` at `index`.
    static func indexAdd(_ g: NDArray, shape: [Int], axis: Int, _ index: [Int]) -> NDArray {
        var out = [Double](repeating: 0, count: NaiveIndex.count(shape))
        let values = naiveScalars(g)
        for flat in 0..<g.count {
            var position = NaiveIndex.unravel(flat, g.shape)
            position[axis] = index[position[axis]]
            out[NaiveIndex.ravel(position, shape)] += Double(values[flat])
        }
        return dense(shape, out.map { Float($0) })
    }

    // MARK: Pooling

    /// The mean of each k x k window of x zero-padded by p, stepping by s (divisor k * k).
    static func avgPool2d(_ x: NDArray, kernel k: Int, stride s: Int, padding p: Int) -> NDArray {
        let (batch, channels, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
        let xv = naiveScalars(x)
        var out: [Float] = []
        for plane in 0..<(batch * channels) {
            for i in 0..<oh {
                for j in 0..<ow {
                    var total = 0.0
                    for di in 0..<k {
                        for dj in 0..<k {
                            let (r, c) = (i * s + di - p, j * s + dj - p)
                            if r >= 0 && r < h && c >= 0 && c < w { total += Double(xv[(plane * h + r) * w + c]) }
                        }
                    }
                    out.append(Float(total / Double(k * k)))
                }
            }
        }
        return dense([batch, channels, oh, ow], out)
    }

    // MARK: Normalisation

    /// The values of channel c (dim 1) of x, in order.
    static func channel(_ x: NDArray, _ c: Int) -> [Double] {
        let values = naiveScalars(x)
        return (0..<x.count).filter { NaiveIndex.unravel($0, x.shape)[1] == c }.map { Double(values[$0]) }
    }

    /// Per channel: mean, biased variance, unbiased variance.
    static func batchStatistics(_ x: NDArray) -> NDArray {
        let stats = (0..<x.shape[1]).map { c -> (Double, Double, Double) in
            let v = channel(x, c)
            let mean = v.reduce(0, +) / Double(v.count)
            let squares = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return (mean, squares / Double(v.count), squares / Double(v.count - 1))
        }
        return dense([3, x.shape[1]], stats.map { Float($0.0) } + stats.map { Float($0.1) } + stats.map { Float($0.2) })
    }

    /// (x - mean[c]) / sqrt(var[c] + eps) * w[c] + b[c].
    static func batchNorm(_ x: NDArray, mean: [Float], variance: [Float], weight: [Float]?, bias: [Float]?, eps: Float) -> NDArray {
        let values = naiveScalars(x)
        return dense(x.shape, (0..<x.count).map { flat in
            let c = NaiveIndex.unravel(flat, x.shape)[1]
            let normalized = (Double(values[flat]) - Double(mean[c])) / (Double(variance[c]) + Double(eps)).squareRoot()
            return Float(normalized * Double(weight?[c] ?? 1) + Double(bias?[c] ?? 0))
        })
    }

    /// Each row of `size` trailing elements normalised, then * w + b (elementwise over the row).
    static func layerNorm(_ x: NDArray, size: Int, weight: [Float]?, bias: [Float]?, eps: Float) -> NDArray {
        let values = naiveScalars(x).map(Double.init)
        var out: [Float] = []
        for start in stride(from: 0, to: values.count, by: size) {
            let row = values[start..<(start + size)]
            let mean = row.reduce(0, +) / Double(size)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(size)
            for (i, v) in row.enumerated() {
                out.append(Float((v - mean) / (variance + Double(eps)).squareRoot() * Double(weight?[i] ?? 1) + Double(bias?[i] ?? 0)))
            }
        }
        return dense(x.shape, out)
    }

    // MARK: Losses

    /// mean over rows of -x[row, label].
    static func nllLoss(_ x: NDArray, _ labels: [Int]) -> Float {
        let values = naiveScalars(x), classes = x.shape[1]
        return Float(labels.enumerated().reduce(0.0) { $0 - Double(values[$1.offset * classes + $1.element]) } / Double(labels.count))
    }

    /// mean of -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), in Double, from the definition.
    static func binaryCrossEntropy(_ logits: NDArray, _ targets: NDArray) -> Float {
        let pairs = zip(naiveScalars(logits), naiveScalars(targets))
        let total = pairs.reduce(0.0) { sum, pair in
            let p = sigmoid(Double(pair.0)), t = Double(pair.1)
            return sum - (t * Foundation.log(p) + (1 - t) * Foundation.log(1 - p))
        }
        return Float(total / Double(logits.count))
    }
}
