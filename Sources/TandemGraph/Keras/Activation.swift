/// An activation applied as its own layer (`tf.keras.layers.Activation`): `Activation(.softmax)`,
/// `Activation(.relu)`.
///
/// NOTE: inside TandemGraph this name shadows the core's `Activation` enum (the activations a
/// fused kernel applies, used by `Dense(_:activation:)`); code here names that one
/// `TandemKernels.Activation`.
public final class Activation: Layer {
    /// The activation functions, with Keras' names.
    public enum Kind: Hashable, Sendable {
        /// max(x, 0).
        case relu
        /// 1 / (1 + e^-x).
        case sigmoid
        /// The hyperbolic tangent.
        case tanh
        /// Softmax over the last axis.
        case softmax
        /// Log-softmax over the last axis.
        case logSoftmax
        /// x · Φ(x), the exact erf form.
        case gelu
        /// x for x ≥ 0, `alpha · x` below (Keras' `leaky_relu`; default alpha 0.2).
        case leakyRelu(alpha: Float = 0.2)
        /// The identity (Keras' `linear`).
        case linear
    }

    /// The function applied.
    public let kind: Kind

    /// Creates the layer.
    ///
    /// - Parameter kind: the activation function.
    public init(_ kind: Kind) { self.kind = kind }

    /// The op that computes the activation on a rank-`rank` input (nil for the identity).
    private func op(rank: Int) -> Op? {
        switch kind {
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        case .softmax: return .softmax(dim: rank - 1)
        case .logSoftmax: return .logSoftmax(dim: rank - 1)
        case .gelu: return .gelu
        case .leakyRelu(let alpha): return .leakyRelu(negativeSlope: alpha)
        case .linear: return nil
        }
    }

    /// The same shape (checked by the op's rule); no variables.
    ///
    /// - Parameters:
    ///   - inputShape: the input shape (no batch dimension).
    ///   - graph: unused: the layer has no variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        guard let op = op(rank: inputShape.count + 1) else { return inputShape }
        return outputShape(of: op, for: inputShape, layer: "Activation")
    }

    /// The activation of `input`.
    ///
    /// - Parameters:
    ///   - input: a `[batch, ...]` node.
    ///   - training: unused.
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        let last = input.staticShape.count - 1
        switch kind {
        case .relu: return input.relu()
        case .sigmoid: return input.sigmoid()
        case .tanh: return input.tanh()
        case .softmax: return input.softmax(dim: last)
        case .logSoftmax: return input.logSoftmax(dim: last)
        case .gelu: return input.gelu()
        case .leakyRelu(let alpha): return input.leakyRelu(negativeSlope: alpha)
        case .linear: return input
        }
    }

    /// None.
    public var variables: [Node] { [] }
}
