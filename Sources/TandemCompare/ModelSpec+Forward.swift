/// The forward pass, written once for every frontend: the eager `Tensor` computes it at once,
/// the graph `Node` records it as nodes. Both therefore run the same primitives in the same order.
extension ModelSpec {
    /// Applies the model's layers to `x`.
    ///
    /// - Parameters:
    ///   - x: a batch, `[N] + sampleShape`.
    ///   - p: the parameters and buffers (running statistics) by state-dict key.
    ///   - training: batch norm normalises with the batch statistics and moves the running ones
    ///     (eager: in place at once; graph: through `Graph.updateOps`); false reads the running
    ///     statistics (`model.eval()`). Layers without training state ignore it.
    ///   - observe: called with a label and the output of every layer (the parity check compares
    ///     these between frontends to find the first op that diverges).
    /// - Returns: logits `[N, classCount]`.
    public func forward<T: TensorExpression>(
        _ x: T, _ p: Parameters<T>, training: Bool = true, observe: ((String, T) -> Void)? = nil
    ) -> T {
        func batchNorm2d(_ h: T, _ prefix: String) -> T {
            batchNorm(
                h, runningMean: p[prefix + "running_mean"], runningVar: p[prefix + "running_var"],
                weight: p[prefix + "weight"], bias: p[prefix + "bias"], training: training)
        }
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
            case .batchNorm2d:
                h = batchNorm2d(h, "\(index).")
            case .residualBlock:
                var y = conv2d(h, weight: p["\(index).conv1.weight"], padding: 1)
                y = batchNorm2d(y, "\(index).bn1.").relu()
                y = conv2d(y, weight: p["\(index).conv2.weight"], padding: 1)
                y = batchNorm2d(y, "\(index).bn2.")
                h = (y + h).relu()
            case .globalAvgPool2d:
                h = h.mean(dim: 3).mean(dim: 2)
            case let .lstm(_, hidden):
                h = lastHiddenState(
                    h, weightIH: p["\(index).weight_ih_l0"], weightHH: p["\(index).weight_hh_l0"],
                    biasIH: p["\(index).bias_ih_l0"], biasHH: p["\(index).bias_hh_l0"], hiddenSize: hidden)
            }
            observe?("\(index): \(layer)", h)
        }
        return h
    }

    /// The training loss: mean cross-entropy of the logits (batch norm in training mode) against
    /// integer labels.
    public func loss<T: TensorExpression>(_ x: T, labels: T, _ p: Parameters<T>) -> T {
        crossEntropy(forward(x, p), labels)
    }

    /// The parameters and buffers a forward pass reads, made by a frontend's constructor: `make`
    /// gets each key, its starting value and whether it is trained (false for running statistics).
    ///
    /// - Parameters:
    ///   - weights: the trained parameters (`initialWeights`).
    ///   - buffers: the running statistics (nil: `initialBuffers()`).
    public func state<T>(
        weights: [(name: String, value: NDArray)], buffers: [(name: String, value: NDArray)]? = nil,
        _ make: (String, NDArray, Bool) throws -> T
    ) rethrows -> Parameters<T> {
        let buffers = buffers ?? initialBuffers()
        let all = weights.map { ($0.name, $0.value, true) } + buffers.map { ($0.name, $0.value, false) }
        return Parameters(names: all.map(\.0), values: try all.map { try make($0.0, $0.1, $0.2) })
    }
}
