import Foundation

/// The negative log-likelihood and binary cross-entropy losses (cross-entropy lives with
/// softmax, whose kernel it shares).
enum Losses {
    /// mean over rows of -logProbs[row, label[row]] (NaN for an empty batch, as PyTorch).
    static func nll(_ logProbs: NDArray, _ labels: [Int]) -> Float {
        let x = logProbs.contiguous()
        let classes = x.shape[1]
        if labels.isEmpty { return .nan }
        let p = x.storage.pointer + x.offset
        return withExtendedLifetime(x) {
            var total: Double = 0
            for (row, label) in labels.enumerated() { total -= Double(p[row * classes + label]) }
            return Float(total / Double(labels.count))
        }
    }

    /// -onehot(labels) / rows: the gradient of `nll` (shape [rows, classes]).
    static func nllBackward(rows: Int, classes: Int, _ labels: [Int], into out: UnsafeMutablePointer<Float>) {
        out.initialize(repeating: 0, count: rows * classes)
        let share = -1 / Float(Swift.max(rows, 1))
        for (row, label) in labels.enumerated() { out[row * classes + label] = share }
    }

    /// mean of max(x, 0) - x t + log(1 + exp(-|x|)): binary cross-entropy of sigmoid(x) against
    /// t, in the form that never overflows or takes the log of 0 (PyTorch's).
    static func binaryCrossEntropyWithLogits(_ logits: NDArray, _ targets: NDArray) -> Float {
        let x = logits.scalars, t = targets.scalars
        if x.isEmpty { return .nan }
        var total: Double = 0
        for (v, target) in zip(x, t) {
            total += Double(Swift.max(v, 0) - v * target + Foundation.log1pf(Foundation.expf(-Swift.abs(v))))
        }
        return Float(total / Double(x.count))
    }
}
