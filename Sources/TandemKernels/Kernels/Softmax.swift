import Foundation

/// Softmax, log-softmax and cross-entropy, all subtracting the row maximum first so that
/// exp never overflows (the standard log-sum-exp trick).
enum Softmax {
    /// y = softmax(x) or log_softmax(x) along the middle dim of a dense [outer, n, inner] array.
    static func forward(_ x: NDArray, axis: Int, log: Bool, into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous()
        let p = x.storage.pointer + x.offset
        let (outer, n, inner) = Reduction.split(x.shape, axis)
        if n == 0 { return }
        Parallel.chunks(outer * inner, grain: 1, threshold: Swift.max(1, Parallel.threshold / n)) { range in
            for line in range {
                let o = line / inner, i = line % inner
                let src = p + o * n * inner + i, dst = out + o * n * inner + i
                var maximum = -Float.infinity
                for k in 0..<n { maximum = Swift.max(maximum, src[k * inner]) }
                if !maximum.isFinite { maximum = 0 }
                var total: Float = 0
                for k in 0..<n {
                    let e = Foundation.expf(src[k * inner] - maximum)
                    total += e
                    if !log { dst[k * inner] = e }
                }
                if log {
                    let shift = maximum + Foundation.logf(total)
                    for k in 0..<n { dst[k * inner] = src[k * inner] - shift }
                } else {
                    let scale = 1 / total
                    for k in 0..<n { dst[k * inner] *= scale }
                }
            }
        }
    }

    /// Checks that labels are whole numbers in [0, classes) and returns them as integers.
    static func labels(_ labels: NDArray, classes: Int) throws -> [Int] {
        try labels.scalars.enumerated().map { index, value in
            guard value == value.rounded(), value >= 0, value < Float(classes) else {
                throw ValueRuleError("label \(value) at position \(index) is not a class index in 0..<\(classes)")
            }
            return Int(value)
        }
    }

    /// mean over rows of logsumexp(row) - row[label].
    static func crossEntropy(_ logits: NDArray, _ labels: [Int]) -> Float {
        let x = logits.contiguous()
        let p = x.storage.pointer + x.offset
        let (rows, classes) = (x.shape[0], x.shape[1])
        if rows == 0 { return .nan }  // PyTorch: the mean of nothing.
        var total: Double = 0
        for r in 0..<rows {
            let row = p + r * classes
            var maximum = -Float.infinity
            for c in 0..<classes { maximum = Swift.max(maximum, row[c]) }
            var sum: Float = 0
            for c in 0..<classes { sum += Foundation.expf(row[c] - maximum) }
            total += Double(maximum + Foundation.logf(sum) - row[labels[r]])
        }
        return Float(total / Double(rows))
    }

    /// (softmax(logits) - onehot(labels)) / rows.
    static func crossEntropyBackward(_ logits: NDArray, _ labels: [Int], into out: UnsafeMutablePointer<Float>) {
        forward(logits, axis: 1, log: false, into: out)
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let scale = 1 / Float(Swift.max(rows, 1))
        for r in 0..<rows {
            out[r * classes + labels[r]] -= 1
            for c in 0..<classes { out[r * classes + c] *= scale }
        }
    }
}
