import Foundation

/// The weight initialisers PyTorch and Keras use by default, drawing from a generator.
public enum Initializer {
    /// fan_in and fan_out of a weight: [out, in] for a linear layer, [out, in, kh, kw] for a
    /// convolution (the receptive field multiplies both), as `torch.nn.init._calculate_fan_in_and_fan_out`.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "Initializer: fan in and out need a weight of rank 2 or more, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// PyTorch's default for `Linear` and `Conv2d` weights: kaiming-uniform with a = sqrt(5),
    /// which works out to uniform in ±1/sqrt(fan_in).
    public static func kaimingUniform(_ shape: [Int], a: Float = Float(5).squareRoot(), generator: Generator = .global) -> NDArray {
        guard let count = NDArray.checkedCount(shape, "Initializer.kaimingUniform", #fileID, #line) else { return NDArray(zeros: [0]) }
        let fanIn = fans(shape).fanIn
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = Float(3).squareRoot() * gain / Float(fanIn).squareRoot()
        return NDArray(shape: shape, scalars: generator.uniform(count: count, low: -bound, high: bound))
    }

    /// PyTorch's default bias: uniform in ±1/sqrt(fan_in) of the layer's weight.
    public static func biasUniform(_ count: Int, fanIn: Int, generator: Generator = .global) -> NDArray {
        guard NDArray.checkedCount([count], "Initializer.biasUniform", #fileID, #line) != nil else { return NDArray(zeros: [0]) }
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return NDArray(shape: [count], scalars: generator.uniform(count: count, low: -bound, high: bound))
    }

    /// Glorot (Xavier) uniform, Keras' default kernel initialiser: uniform in
    /// ±sqrt(6 / (fan_in + fan_out)). `fans` gives the fans explicitly for Keras' [in, out] layout.
    public static func glorotUniform(
        _ shape: [Int], fans explicit: (fanIn: Int, fanOut: Int)? = nil, generator: Generator = .global
    ) -> NDArray {
        guard let count = NDArray.checkedCount(shape, "Initializer.glorotUniform", #fileID, #line) else { return NDArray(zeros: [0]) }
        let (fanIn, fanOut) = explicit ?? fans(shape)
        let limit = (6 / Float(fanIn + fanOut)).squareRoot()
        return NDArray(shape: shape, scalars: generator.uniform(count: count, low: -limit, high: limit))
    }

    /// Values from a normal distribution.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: Generator = .global) -> NDArray {
        guard let count = NDArray.checkedCount(shape, "Initializer.normal", #fileID, #line) else { return NDArray(zeros: [0]) }
        return NDArray(shape: shape, scalars: generator.normal(count: count, mean: mean, std: std))
    }

    /// Values uniform in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator: Generator = .global) -> NDArray {
        guard let count = NDArray.checkedCount(shape, "Initializer.uniform", #fileID, #line) else { return NDArray(zeros: [0]) }
        return NDArray(shape: shape, scalars: generator.uniform(count: count, low: low, high: high))
    }
}
