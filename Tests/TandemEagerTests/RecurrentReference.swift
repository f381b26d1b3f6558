import XCTest

@testable import TandemEager

/// PyTorch's recurrent equations written as plain loops over `[Float]` (in Double), the
/// independent truth the recurrent modules are checked against.
enum RecurrentReference {
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    /// `W x + b` for one sample: `weight` is `[rows, cols]` row-major.
    static func affine(_ weight: [Float], _ bias: [Float]?, _ x: [Double], rows: Int) -> [Double] {
        let cols = x.count
        return (0..<rows).map { r in
            (0..<cols).reduce(Double(bias?[r] ?? 0)) { $0 + Double(weight[r * cols + $1]) * x[$1] }
        }
    }

    /// One LSTM step for one sample (gates i, f, g, o).
    static func lstmStep(
        x: [Double], h: [Double], c: [Double], wIH: [Float], wHH: [Float], bIH: [Float]?, bHH: [Float]?
    ) -> (h: [Double], c: [Double]) {
        let n = h.count
        let a = affine(wIH, bIH, x, rows: 4 * n), b = affine(wHH, bHH, h, rows: 4 * n)
        var newH = [Double](repeating: 0, count: n), newC = newH
        for j in 0..<n {
            let i = sigmoid(a[j] + b[j]), f = sigmoid(a[n + j] + b[n + j])
            let g = Foundation.tanh(a[2 * n + j] + b[2 * n + j]), o = sigmoid(a[3 * n + j] + b[3 * n + j])
            newC[j] = f * c[j] + i * g
            newH[j] = o * Foundation.tanh(newC[j])
        }
        return (newH, newC)
    }

    /// One GRU step for one sample (gates r, z, n).
    static func gruStep(x: [Double], h: [Double], wIH: [Float], wHH: [Float], bIH: [Float]?, bHH: [Float]?) -> [Double] {
        let n = h.count
        let a = affine(wIH, bIH, x, rows: 3 * n), b = affine(wHH, bHH, h, rows: 3 * n)
        return (0..<n).map { j in
            let r = sigmoid(a[j] + b[j]), z = sigmoid(a[n + j] + b[n + j])
            let candidate = Foundation.tanh(a[2 * n + j] + r * b[2 * n + j])
            return (1 - z) * candidate + z * h[j]
        }
    }

    /// Row `b` of a row-major `[rows, cols]` array, as Double.
    static func row(_ values: [Float], _ b: Int, _ cols: Int) -> [Double] {
        values[(b * cols)..<((b + 1) * cols)].map(Double.init)
    }

    /// A whole batch-first sequence run sample by sample, each to its own length: the output
    /// `[batch, time, hidden]` (zero past each length) and the last hidden and cell states
    /// `[batch, hidden]` (cell states all zero for a GRU).
    static func sequence(
        input: [Float], batch: Int, time: Int, features: Int, hidden: Int, lengths: [Int], lstm: Bool,
        wIH: [Float], wHH: [Float], bIH: [Float]?, bHH: [Float]?
    ) -> (output: [Float], h: [Float], c: [Float]) {
        var output = [Float](repeating: 0, count: batch * time * hidden)
        var lastH: [Float] = [], lastC: [Float] = []
        for b in 0..<batch {
            var h = [Double](repeating: 0, count: hidden), c = h
            for t in 0..<lengths[b] {
                let x = row(input, b * time + t, features)
                if lstm {
                    (h, c) = lstmStep(x: x, h: h, c: c, wIH: wIH, wHH: wHH, bIH: bIH, bHH: bHH)
                } else {
                    h = gruStep(x: x, h: h, wIH: wIH, wHH: wHH, bIH: bIH, bHH: bHH)
                }
                for j in 0..<hidden { output[(b * time + t) * hidden + j] = Float(h[j]) }
            }
            lastH += h.map(Float.init)
            lastC += c.map(Float.init)
        }
        return (output, lastH, lastC)
    }
}

/// Values uniform in -1...1 from a seeded generator.
func recurrentTestValues(_ count: Int, seed: UInt64) -> [Float] {
    Generator(seed: seed).uniform(count: count, low: -1, high: 1)
}

/// Central finite differences of `loss` with respect to every element of `tensor` (its array is
/// nudged by ±eps and restored).
func finiteDifferences(of tensor: Tensor, eps: Float = 1e-2, _ loss: () -> Float) -> [Float] {
    let original = tensor.array
    let base = original.scalars
    var result = [Float](repeating: 0, count: base.count)
    for j in base.indices {
        var up = base, down = base
        up[j] += eps
        down[j] -= eps
        tensor.array = NDArray(shape: original.shape, scalars: up)
        let plus = Double(loss())
        tensor.array = NDArray(shape: original.shape, scalars: down)
        let minus = Double(loss())
        result[j] = Float((plus - minus) / (2 * Double(eps)))
    }
    tensor.array = original
    return result
}
