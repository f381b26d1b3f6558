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
    /// Keras' `Orthogonal` initialiser (the default recurrent kernel): a `[rows, cols]` matrix
    /// whose rows (or columns, whichever are fewer) are orthonormal, from normal draws made
    /// orthonormal by modified Gram-Schmidt (Keras uses a QR decomposition, which gives the same
    /// distribution).
    public static func orthogonal(_ shape: [Int], gain: Float = 1, generator: Generator = .global) -> NDArray {
        precondition(shape.count == 2 && shape.allSatisfy { $0 > 0 }, "Initializer.orthogonal: needs a positive [rows, cols] shape, got \(shape)")
        // Orthonormalise the shorter side: work on vectors of length `long`.
        let (rows, cols) = (shape[0], shape[1])
        let (count, long) = (min(rows, cols), max(rows, cols))
        let draws = generator.normal(count: count * long, mean: 0, std: 1).map(Double.init)
        var vectors = (0..<count).map { Array(draws[($0 * long)..<(($0 + 1) * long)]) }
        for i in 0..<count {
            for j in 0..<i {
                let dot = zip(vectors[i], vectors[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for k in 0..<long { vectors[i][k] -= dot * vectors[j][k] }
            }
            let norm = vectors[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
            // A draw in the span of the earlier ones has probability zero; keep it finite anyway.
            let scale = norm > 1e-12 ? 1 / norm : 0
            for k in 0..<long { vectors[i][k] *= scale }
        }
        var scalars = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                let value = rows <= cols ? vectors[r][c] : vectors[c][r]
                scalars[r * cols + c] = gain * Float(value)
            }
        }
        return NDArray(shape: shape, scalars: scalars)
    }
}
