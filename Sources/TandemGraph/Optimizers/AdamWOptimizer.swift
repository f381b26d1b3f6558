/// Adam with decoupled weight decay (`tf.contrib.opt.AdamWOptimizer`, torch.optim.AdamW),
/// computed with torch.optim.AdamW's formula so the graph steps exactly like the eager ``AdamW``:
///
///     w *= 1 - lr * weightDecay              (the decay never enters the moments)
///     m = beta1 * m + (1 - beta1) * g,   v = beta2 * v + (1 - beta2) * g²
///     w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
///
/// NOTE: tf.contrib's AdamWOptimizer subtracts `weightDecay * w` without the learning rate
/// (its decay is an absolute rate); torch, Keras' AdamW and Tandem scale it by the learning
/// rate, so a decayed rate decays the weights less too. The defaults are torch's.
///
/// Slots (``Session/optimizerSlots(of:)``): `<variable>/m`, `<variable>/v` and `<variable>/step`, as Adam's.
///
/// ```swift
/// let train = AdamWOptimizer(learningRate: 3e-4, weightDecay: 0.05).minimize(loss)
/// ```
public struct AdamWOptimizer: TrainingOptimizer {
    /// The step size (unused when ``learningRateNode`` is set).
    public var learningRate: Float
    /// The step size as a rank-0 node evaluated at every step (a decayed rate), if given so.
    public var learningRateNode: Node?
    /// The decay of the first-moment average.
    public var beta1: Float
    /// The decay of the second-moment average.
    public var beta2: Float
    /// Added to the denominator for stability.
    public var epsilon: Float
    /// The decoupled weight decay: each step multiplies the weights by `1 - lr * weightDecay`.
    public var weightDecay: Float

    /// Creates the optimizer; the defaults are torch.optim.AdamW's.
    ///
    /// - Parameters:
    ///   - learningRate: the step size.
    ///   - beta1: the decay of the first-moment average.
    ///   - beta2: the decay of the second-moment average.
    ///   - epsilon: added to the denominator for stability.
    ///   - weightDecay: the decoupled weight decay, scaled by the learning rate.
    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Creates the optimizer with a learning rate computed in the graph (`exponentialDecay`,
    /// `cosineDecay`, a placeholder): a rank-0 node evaluated at every step.
    ///
    /// - Parameters:
    ///   - learningRate: the step size, a rank-0 node.
    ///   - beta1: the decay of the first-moment average.
    ///   - beta2: the decay of the second-moment average.
    ///   - epsilon: added to the denominator for stability.
    ///   - weightDecay: the decoupled weight decay, scaled by the learning rate.
    public init(learningRate: Node, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2) {
        self.init(learningRate: 0, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        learningRateNode = learningRate
    }

    /// AdamW's update.
    public var rule: OptimizerUpdate.Rule {
        .adamW(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }
}
