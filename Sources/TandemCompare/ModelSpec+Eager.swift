import Foundation

extension ModelSpec {
    /// Builds the eager `Sequential` module of this spec (PyTorch's `nn.Sequential` layer for layer)
    /// and loads `weights` into it through `loadStateDict`, so the Module path starts from exactly
    /// the numbers the generic forward pass uses.
    ///
    /// ```swift
    /// let model = try spec.makeModule(weights: spec.initialWeights(seed: 0))
    /// let logits = model(Tensor(images))
    /// ```
    public func makeModule(weights: [(name: String, value: NDArray)]) throws -> TandemEager.Sequential {
        let modules: [TandemEager.Module] = layers.map { layer -> TandemEager.Module in
            switch layer {
            case let .linear(i, o): return TandemEager.Linear(i, o)
            case let .conv2d(i, o, k, p): return TandemEager.Conv2d(i, o, kernelSize: k, padding: p)
            case .relu: return TandemEager.ReLU()
            case .maxPool2d(let k): return TandemEager.MaxPool2d(kernelSize: k, stride: k)
            case .flatten: return TandemEager.Flatten()
            case let .lstm(i, h): return LastHiddenLSTM(TandemEager.LSTM(inputSize: i, hiddenSize: h))
            }
        }
        let model = TandemEager.Sequential(modules)
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: weights.map { ($0.name, $0.value) }))
        return model
    }
}
