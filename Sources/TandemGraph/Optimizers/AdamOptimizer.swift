/// Adam (`tf.train.AdamOptimizer`), computed with torch.optim.Adam's formula.
///
/// NOTE: TF1 adds epsilon to `sqrt(v_hat)` scaled by the bias correction differently
/// (`lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); w -= lr_t * m / (sqrt(v) + eps)`), which
/// differs from torch's `m_hat / (sqrt(v_hat) + eps)` only through where epsilon lands. Tandem
/// follows torch in both frontends (`OptimizerKernels.adam`) so eager and graph agree step by step.
public struct AdamOptimizer: TrainingOptimizer {
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

    /// Creates the optimizer; the defaults are torch.optim.Adam's.
    ///
    /// - Parameters:
    ///   - learningRate: the step size.
    ///   - beta1: the decay of the first-moment average.
    ///   - beta2: the decay of the second-moment average.
    ///   - epsilon: added to the denominator for stability.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Creates the optimizer with a learning rate computed in the graph (`exponentialDecay`,
    /// `cosineDecay`, a placeholder): a rank-0 node evaluated at every step.
    ///
    /// - Parameters:
    ///   - learningRate: the step size, a rank-0 node.
    ///   - beta1: the decay of the first-moment average.
    ///   - beta2: the decay of the second-moment average.
    ///   - epsilon: added to the denominator for stability.
    public init(learningRate: Node, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.init(learningRate: 0, beta1: beta1, beta2: beta2, epsilon: epsilon)
        learningRateNode = learningRate
    }

    /// Adam's update.
    public var rule: OptimizerUpdate.Rule {
        .adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }
}
