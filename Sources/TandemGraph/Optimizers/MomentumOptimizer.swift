/// Gradient descent with momentum (`tf.train.MomentumOptimizer`).
///
/// TF1's accumulator starts at zero: `accum = momentum * accum + grad; w -= lr * accum`, whose
/// first step is `accum = grad`, exactly torch.optim.SGD's first momentum buffer (dampening 0).
/// The update is `OptimizerKernels.sgd`, the eager `SGD`'s formula.
public struct MomentumOptimizer: TrainingOptimizer {
    /// The step size.
    public var learningRate: Float
    /// The momentum factor.
    public var momentum: Float

    /// Creates the optimizer.
    ///
    /// - Parameters:
    ///   - learningRate: the step size.
    ///   - momentum: the momentum factor (0.9 is usual).
    public init(learningRate: Float, momentum: Float) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    /// SGD with momentum.
    public var rule: OptimizerUpdate.Rule { .sgd(learningRate: learningRate, momentum: momentum) }
}
