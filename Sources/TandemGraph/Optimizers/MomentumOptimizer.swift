/// Gradient descent with momentum (`tf.train.MomentumOptimizer`), Nesterov's variant included.
///
/// TF1's accumulator starts at zero and never holds the learning rate:
///
///     accum = momentum * accum + grad
///     w -= lr * accum                                (plain)
///     w -= lr * grad + lr * momentum * accum         (useNesterov)
///
/// Its first step is `accum = grad`, exactly torch.optim.SGD's first momentum buffer, and both
/// updates are torch.optim.SGD's with dampening 0 and no weight decay (Nesterov's too: torch adds
/// `momentum * buf` to the gradient). So the numbers match eager `SGD(_, lr:, momentum:,
/// nesterov:)` without `dampening` or `weightDecay` (neither exists in TF1's optimizer, which
/// leaves weight decay to the loss); the update is `OptimizerKernels.sgd`, the eager `SGD`'s.
/// The one difference from TF1 is float rounding: TF1 evaluates `lr * grad + lr * momentum *
/// accum`, torch and Tandem `lr * (grad + momentum * accum)`. (Keras' SGD, unlike TF1's, keeps
/// the learning rate inside its velocity, which matters when the rate changes.)
///
/// ```swift
/// let step = g.globalStep()
/// let rate = exponentialDecay(learningRate: 0.1, globalStep: step, decaySteps: 1000, decayRate: 0.9)
/// let train = MomentumOptimizer(learningRate: rate, momentum: 0.9, useNesterov: true).minimize(loss, globalStep: step)
/// ```
public struct MomentumOptimizer: TrainingOptimizer {
    /// The step size (unused when ``learningRateNode`` is set).
    public var learningRate: Float
    /// The step size as a rank-0 node evaluated at every step (a decayed rate), if given so.
    public var learningRateNode: Node?
    /// The momentum factor.
    public var momentum: Float
    /// Whether to use Nesterov momentum.
    public var useNesterov: Bool

    /// Creates the optimizer.
    ///
    /// - Parameters:
    ///   - learningRate: the step size.
    ///   - momentum: the momentum factor (0.9 is usual).
    ///   - useNesterov: use Nesterov momentum.
    public init(learningRate: Float, momentum: Float, useNesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.useNesterov = useNesterov
    }

    /// Creates the optimizer with a learning rate computed in the graph (`exponentialDecay`,
    /// `cosineDecay`, a placeholder): a rank-0 node evaluated at every step.
    ///
    /// - Parameters:
    ///   - learningRate: the step size, a rank-0 node.
    ///   - momentum: the momentum factor (0.9 is usual).
    ///   - useNesterov: use Nesterov momentum.
    public init(learningRate: Node, momentum: Float, useNesterov: Bool = false) {
        self.init(learningRate: 0, momentum: momentum, useNesterov: useNesterov)
        learningRateNode = learningRate
    }

    /// SGD with momentum.
    public var rule: OptimizerUpdate.Rule { .sgd(learningRate: learningRate, momentum: momentum, nesterov: useNesterov) }
}
