import Foundation
import TandemKernels

/// Naive reference implementations: plain loops over multi-indices, Double accumulation, no
/// call into the core's kernels. Each one is the textbook definition of its op, written to be
/// obviously right rather than fast.
enum Naive {
    // MARK: Elementwise

    /// f applied to every element.
    static func unary(_ x: NDArray, _ f: (Double) -> Double) -> NDArray {
        dense(x.shape, naiveScalars(x).map { Float(f(Double($0))) })
    }

    /// f(a, b) with NumPy broadcasting.
    static func binary(_ a: NDArray, _ b: NDArray, _ f: (Float, Float) -> Float) -> NDArray {
        let shape = NaiveIndex.broadcast(a.shape, b.shape)!
        let av = naiveScalars(a), bv = naiveScalars(b)
        let pa = NaiveIndex.positions(shape, strides: NaiveIndex.broadcastStrides(a.shape, to: shape))
        let pb = NaiveIndex.positions(shape, strides: NaiveIndex.broadcastStrides(b.shape, to: shape))
        return dense(shape, zip(pa, pb).map { f(av[$0], bv[$1]) })
    }

    /// The logistic function.
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    // MARK: Reductions

    /// Reduces along `dim` (or over everything when nil) with `combine`, which sees the values
    /// of one output position in order.
    static func reduce(_ x: NDArray, dim: Int?, keepDim: Bool = false, _ combine: ([Double]) -> Double) -> NDArray {
        let values = naiveScalars(x)
        guard let dim else {
            return dense(keepDim ? x.shape.map { _ in 1 } : [], [Float(combine(values.map(Double.init)))])
        }
        let axis = dim < 0 ? dim + x.rank : dim
        var kept = x.shape
        kept[axis] = 1
        let strides = NaiveIndex.rowMajorStrides(x.shape)
        let out = NaiveIndex.positions(kept, strides: strides).map { start -> Float in
            Float(combine((0..<x.shape[axis]).map { Double(values[start + $0 * strides[axis]]) }))
        }
        var shape = x.shape
        if keepDim { shape[axis] = 1 } else { shape.remove(at: axis) }
        return dense(shape, out)
    }

    /// Sum of a line.
    static func sum(_ line: [Double]) -> Double { line.reduce(0, +) }
    /// Mean of a line (NaN when empty, as PyTorch).
    static func mean(_ line: [Double]) -> Double { line.reduce(0, +) / Double(line.count) }
    /// Maximum of a line.
    static func max(_ line: [Double]) -> Double { line.max()! }
    /// Index of the first maximum of a line.
    static func argmax(_ line: [Double]) -> Double { Double(line.firstIndex(of: line.max()!)!) }

    // MARK: Shape

    /// Swaps two dims, copying.
    static func transpose(_ x: NDArray, _ d0: Int, _ d1: Int) -> NDArray {
        let a = d0 < 0 ? d0 + x.rank : d0, b = d1 < 0 ? d1 + x.rank : d1
        var shape = x.shape
        shape.swapAt(a, b)
        let values = naiveScalars(x)
        return dense(shape, (0..<x.count).map { flat in
            var index = NaiveIndex.unravel(flat, shape)
            index.swapAt(a, b)
            return values[NaiveIndex.ravel(index, x.shape)]
        })
    }

    /// The same row-major values under a new shape.
    static func reshape(_ x: NDArray, _ shape: [Int]) -> NDArray { dense(shape, naiveScalars(x)) }

    /// x repeated to `shape` (NumPy broadcasting).
    static func broadcast(_ x: NDArray, to shape: [Int]) -> NDArray {
        let values = naiveScalars(x)
        return dense(shape, NaiveIndex.positions(shape, strides: NaiveIndex.broadcastStrides(x.shape, to: shape)).map { values[$0] })
    }

    /// x summed down to `shape` (the adjoint of broadcasting).
    static func sumTo(_ x: NDArray, _ shape: [Int]) -> NDArray {
        var totals = [Double](repeating: 0, count: NaiveIndex.count(shape))
        let values = naiveScalars(x)
        for flat in 0..<x.count {
            let target = NaiveIndex.project(NaiveIndex.unravel(flat, x.shape), onto: shape)
            totals[NaiveIndex.ravel(target, shape)] += Double(values[flat])
        }
        return dense(shape, totals.map { Float($0) })
    }

    // MARK: Linear algebra

    /// [..., m, k] x [..., k, n]; batch dims equal, or one side a matrix.
    static func matmul(_ a: NDArray, _ b: NDArray) -> NDArray {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        let batchShape = a.rank > 2 ? Array(a.shape.dropLast(2)) : Array(b.shape.dropLast(2))
        let batch = NaiveIndex.count(batchShape)
        let av = naiveScalars(a), bv = naiveScalars(b)
        var out = [Float](repeating: 0, count: batch * m * n)
        for p in 0..<batch {
            let baseA = a.rank > 2 ? p * m * k : 0, baseB = b.rank > 2 ? p * k * n : 0
            for i in 0..<m {
                for j in 0..<n {
                    var total = 0.0
                    for t in 0..<k { total += Double(av[baseA + i * k + t]) * Double(bv[baseB + t * n + j]) }
                    out[(p * m + i) * n + j] = Float(total)
                }
            }
        }
        return dense(batchShape + [m, n], out)
    }

    /// act(x wᵀ + b) for w [out, in] (transposed) or act(x w + b) for w [in, out].
    static func linear(_ x: NDArray, _ w: NDArray, _ b: NDArray, transposed: Bool, activation: Activation) -> NDArray {
        let weight = transposed ? transpose(w, 0, 1) : w
        let z = binary(matmul(x, weight), b, +)
        switch activation {
        case .identity: return z
        case .relu: return unary(z) { Swift.max($0, 0) }
        case .sigmoid: return unary(z, sigmoid)
        case .tanh: return unary(z) { Foundation.tanh($0) }
        }
    }

    // MARK: Neural-network ops

    /// Cross-correlation of x [N, C, H, W] with w [O, C, KH, KW], zero padding.
    static func conv2d(_ x: NDArray, _ w: NDArray, stride: Int, padding: Int) -> NDArray {
        let (batch, channels, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (outC, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * padding - kh) / stride + 1, ow = (wd + 2 * padding - kw) / stride + 1
        let xv = naiveScalars(x), wv = naiveScalars(w)
        var out: [Float] = []
        for n in 0..<batch {
            for o in 0..<outC {
                for i in 0..<oh {
                    for j in 0..<ow {
                        var total = 0.0
                        for c in 0..<channels {
                            for di in 0..<kh {
                                for dj in 0..<kw {
                                    let r = i * stride + di - padding, s = j * stride + dj - padding
                                    if r < 0 || r >= h || s < 0 || s >= wd { continue }
                                    total += Double(xv[((n * channels + c) * h + r) * wd + s])
                                        * Double(wv[((o * channels + c) * kh + di) * kw + dj])
                                }
                            }
                        }
                        out.append(Float(total))
                    }
                }
            }
        }
        return dense([batch, outC, oh, ow], out)
    }

    /// The maximum of each k x k window of x [N, C, H, W], stepping by s, no padding.
    static func maxPool2d(_ x: NDArray, kernel k: Int, stride s: Int) -> NDArray {
        let (batch, channels, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - k) / s + 1, ow = (w - k) / s + 1
        let xv = naiveScalars(x)
        var out: [Float] = []
        for plane in 0..<(batch * channels) {
            for i in 0..<oh {
                for j in 0..<ow {
                    var best = -Float.infinity
                    for di in 0..<k {
                        for dj in 0..<k { best = Swift.max(best, xv[(plane * h + i * s + di) * w + j * s + dj]) }
                    }
                    out.append(best)
                }
            }
        }
        return dense([batch, channels, oh, ow], out)
    }

    /// softmax (or log-softmax) along `dim`, straight from the definition (in Double, where
    /// exp of these test values cannot overflow).
    static func softmax(_ x: NDArray, dim: Int, log: Bool = false) -> NDArray {
        let axis = dim < 0 ? dim + x.rank : dim
        let values = naiveScalars(x)
        var out = [Float](repeating: 0, count: x.count)
        var kept = x.shape
        kept[axis] = 1
        for flat in 0..<NaiveIndex.count(kept) {
            var index = NaiveIndex.unravel(flat, kept)
            let positions = (0..<x.shape[axis]).map { k -> Int in
                index[axis] = k
                return NaiveIndex.ravel(index, x.shape)
            }
            let total = positions.reduce(0.0) { $0 + Foundation.exp(Double(values[$1])) }
            for p in positions {
                let e = Foundation.exp(Double(values[p]))
                out[p] = Float(log ? Foundation.log(e / total) : e / total)
            }
        }
        return dense(x.shape, out)
    }

    /// mean over rows of -log(softmax(row)[label]).
    static func crossEntropy(_ logits: NDArray, _ labels: [Int]) -> Float {
        let logProbabilities = naiveScalars(softmax(logits, dim: 1, log: true))
        let classes = logits.shape[1]
        let total = labels.enumerated().reduce(0.0) { $0 - Double(logProbabilities[$1.offset * classes + $1.element]) }
        return Float(total / Double(labels.count))
    }
}
