import TandemEager
import TandemKernels

extension ProcessGroup {
    /// Combines an eager tensor's values over the ranks, in place (`dist.all_reduce(tensor)`).
    ///
    /// ```swift
    /// let loss = crossEntropy(model(x), y)
    /// let total = loss.detach()
    /// try group.allreduce(total, op: .average)     // the mean loss over the ranks
    /// ```
    ///
    /// - Parameters:
    ///   - tensor: this rank's values, the same shape on every rank; holds the result after.
    ///   - op: sum (default), average, max or min.
    ///   - label: what the values are, quoted in errors.
    public func allreduce(_ tensor: Tensor, op: ReduceOp = .sum, label: String = "") throws {
        var values = tensor.array
        try allreduceTyped(&values, op: op, label: label)
        tensor.array = values
    }

    /// Copies rank `root`'s values of an eager tensor to every rank, in place (`dist.broadcast`).
    ///
    /// - Parameters:
    ///   - tensor: the values (read on `root`, overwritten elsewhere), the same shape on every rank.
    ///   - root: the rank whose values everyone gets.
    ///   - label: what the values are, quoted in errors.
    public func broadcast(_ tensor: Tensor, from root: Int = 0, label: String = "") throws {
        var values = tensor.array
        try broadcastTyped(&values, from: root, label: label)
        tensor.array = values
    }
}
