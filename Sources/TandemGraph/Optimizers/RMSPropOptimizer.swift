/// RMSProp (`tf.compat.v1.train.RMSPropOptimizer`, `centered=False`), computed with
/// torch.optim.RMSprop's formula so the graph steps exactly like the eager ``RMSprop`` (with
/// `alpha` = `decay`, `eps` = `epsilon`):
///
///     rms = decay * rms + (1 - decay) * g²
///     momentum = momentum * momentum + g / (sqrt(rms) + epsilon);  w -= lr * momentum   (momentum > 0)
///     w -= lr * g / (sqrt(rms) + epsilon)                                                 (momentum 0)
///
/// NOTE: TF1 differs from torch in three places, all of which Tandem resolves torch's way in
/// both frontends (`OptimizerKernels.rmsprop`): TF1 starts `rms` at ones (torch at zeros), adds
/// epsilon inside the square root (`sqrt(rms + epsilon)`), and keeps the learning rate inside
/// its momentum accumulator (`mom = momentum * mom + lr * g / ...; w -= mom`), which equals
/// torch's only while the rate is constant. The defaults are TF1's (decay 0.9, momentum 0,
/// epsilon 1e-10).
///
/// Slots (``Session/optimizerSlots(of:)``): `<variable>/rms` (TF1's name for the mean square),
/// `<variable>/momentum` when momentum is not 0, and `<variable>/step`.
///
/// ```swift
/// let train = RMSPropOptimizer(learningRate: 0.01, decay: 0.99, momentum: 0.9).minimize(loss)
/// ```
public struct RMSPropOptimizer: TrainingOptimizer {
    /// The step size (unused when ``learningRateNode`` is set).
    public var learningRate: Float
    /// The step size as a rank-0 node evaluated at every step (a decayed rate), if given so.
    public var learningRateNode: Node?
    /// The decay of the mean-square average (torch's `alpha`).
    public var decay: Float
    /// The momentum factor (0: none).
    public var momentum: Float
    /// Added to the root mean square for stability.
    public var epsilon: Float

    /// Creates the optimizer; the defaults are TF1's.
    ///
    /// - Parameters:
    ///   - learningRate: the step size.
    ///   - decay: the decay of the mean-square average (torch's `alpha`).
    ///   - momentum: the momentum factor (0: none).
    ///   - epsilon: added to the root mean square for stability.
    public init(learningRate: Float, decay: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-10) {
        self.learningRate = learningRate
        self.decay = decay
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// Creates the optimizer with a learning rate computed in the graph (`exponentialDecay`,
    /// `cosineDecay`, a placeholder): a rank-0 node evaluated at every step.
    ///
    /// - Parameters:
    ///   - learningRate: the step size, a rank-0 node.
    ///   - decay: the decay of the mean-square average (torch's `alpha`).
    ///   - momentum: the momentum factor (0: none).
    ///   - epsilon: added to the root mean square for stability.
    public init(learningRate: Node, decay: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-10) {
        self.init(learningRate: 0, decay: decay, momentum: momentum, epsilon: epsilon)
        learningRateNode = learningRate
    }

    /// RMSProp's update.
    public var rule: OptimizerUpdate.Rule {
        .rmsprop(learningRate: learningRate, decay: decay, momentum: momentum, epsilon: epsilon)
    }
}
