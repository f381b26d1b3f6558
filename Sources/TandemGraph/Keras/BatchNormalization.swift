/// Batch normalisation (`tf.keras.layers.BatchNormalization`) over the channels of `[batch, C]`
/// or NCHW inputs (axis 1, channels first, as Tandem's ``Conv2D``).
///
/// In training each channel is normalised with its batch mean and biased variance, and the
/// moving statistics are updated TF1's way: `batchNorm` adds assign nodes to
/// `Graph.updateOps`, and ``Sequential``'s `fit` runs them with the train op, so they move
/// `moving = momentum · moving + (1 - momentum) · batch` each step. In inference (`evaluate`,
/// `predict`, validation) the moving statistics normalise.
///
/// Variables: `gamma` (ones) and `beta` (zeros), trainable; `moving_mean` (zeros) and
/// `moving_variance` (ones), not trainable. NOTE: the moving variance takes the unbiased batch
/// variance, as PyTorch's running_var (and TF1's fused kernel) do, so both frontends agree.
///
/// ```swift
/// let model = Sequential([Conv2D(16, kernelSize: 3), BatchNormalization(), Activation(.relu), Flatten(), Dense(10)])
/// ```
public final class BatchNormalization: Layer {
    /// The weight of the old moving statistics in each update (Keras' `momentum`, default 0.99).
    public let momentum: Float
    /// Added to the variance before the square root (Keras' default 1e-3).
    public let epsilon: Float
    /// The per-channel scale, once built.
    public private(set) var gamma: Node?
    /// The per-channel shift, once built.
    public private(set) var beta: Node?
    /// The moving mean, once built (not trainable).
    public private(set) var movingMean: Node?
    /// The moving unbiased variance, once built (not trainable).
    public private(set) var movingVariance: Node?
    private let name: String

    /// Creates a batch-normalisation layer.
    ///
    /// - Parameters:
    ///   - momentum: the weight of the old moving statistics in each update, in [0, 1].
    ///   - epsilon: added to the variance before the square root.
    ///   - name: the prefix of the layer's variable names.
    public init(momentum: Float = 0.99, epsilon: Float = 1e-3, name: String = "batch_normalization") {
        precondition(momentum >= 0 && momentum <= 1, "BatchNormalization: momentum must be in [0, 1], got \(momentum)")
        precondition(epsilon > 0, "BatchNormalization: epsilon must be positive, got \(epsilon)")
        self.momentum = momentum
        self.epsilon = epsilon
        self.name = name
    }

    /// Creates the four per-channel variables for `[C]` or `[C, height, width]` inputs.
    ///
    /// - Parameters:
    ///   - inputShape: the input shape without the batch; its first dimension is the channels.
    ///   - graph: the graph that holds the variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        let channels = inputShape.first ?? 0
        let output = outputShape(
            of: .batchNorm(eps: epsilon, affine: true), for: inputShape, with: Array(repeating: [channels], count: 4),
            layer: "BatchNormalization '\(name)'")
        graph.withNameScope(name) {
            gamma = graph.variable(NDArray(ones: [channels]), name: "gamma")
            beta = graph.variable(NDArray(zeros: [channels]), name: "beta")
            movingMean = graph.variable(NDArray(zeros: [channels]), name: "moving_mean", trainable: false)
            movingVariance = graph.variable(NDArray(ones: [channels]), name: "moving_variance", trainable: false)
        }
        return output
    }

    /// Batch statistics and moving-average update ops when training; the moving statistics otherwise.
    ///
    /// - Parameters:
    ///   - input: a `[batch, C, ...]` node.
    ///   - training: normalise with the batch statistics and add the updates to `Graph.updateOps`.
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        guard let gamma, let beta, let movingMean, let movingVariance else {
            preconditionFailure("BatchNormalization: call build(inputShape:in:) first")
        }
        return batchNorm(
            input, runningMean: movingMean, runningVar: movingVariance, weight: gamma, bias: beta, training: training,
            momentum: 1 - momentum, eps: epsilon)
    }

    /// `gamma`, `beta`, `moving_mean`, `moving_variance` (Keras' order).
    public var variables: [Node] { [gamma, beta, movingMean, movingVariance].compactMap { $0 } }

    /// True: training uses batch statistics, inference the moving ones.
    public var dependsOnTraining: Bool { true }
}
