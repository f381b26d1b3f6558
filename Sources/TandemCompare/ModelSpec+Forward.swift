/// The forward pass, written once for every frontend: the eager `Tensor` computes it at once,
/// the graph `Node` records it as nodes. Both therefore run the same primitives in the same order.
extension ModelSpec {
    /// Applies the model's layers to `x`.
    ///
    /// - Parameters:
    ///   - x: a batch, `[N] + sampleShape`.
    ///   - p: the parameters by state-dict key.
    ///   - observe: called with a label and the output of every layer (the parity check compares
    ///     these between frontends to find the first op that diverges).
    /// - Returns: logits `[N, classCount]`.
    public func forward<T: TensorExpression>(
        _ x: T, _ p: Parameters<T>, observe: ((String, T) -> Void)? = nil
    ) -> T {
        var h = x
        for (index, layer) in layers.enumerated() {
            switch layer {
            case .linear:
                h = linear(h, weight: p["\(index).weight"], bias: p["\(index).bias"])
            case let .conv2d(_, _, _, padding):
                h = conv2d(h, weight: p["\(index).weight"], bias: p["\(index).bias"], padding: padding)
            case .relu:
                h = h.relu()
            case .maxPool2d(let k):
                h = maxPool2d(h, kernelSize: k)
            case .flatten:
                h = h.flatten(startDim: 1)
            case let .lstm(_, hidden):
                h = lastHiddenState(
                    h, weightIH: p["\(index).weight_ih_l0"], weightHH: p["\(index).weight_hh_l0"],
                    biasIH: p["\(index).bias_ih_l0"], biasHH: p["\(index).bias_hh_l0"], hiddenSize: hidden)
            }
            observe?("\(index): \(layer)", h)
        }
        return h
    }

    /// The training loss: mean cross-entropy of the logits against integer labels.
    public func loss<T: TensorExpression>(_ x: T, labels: T, _ p: Parameters<T>) -> T {
        crossEntropy(forward(x, p), labels)
    }
}
