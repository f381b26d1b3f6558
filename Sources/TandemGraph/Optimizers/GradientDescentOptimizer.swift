/// Plain gradient descent (`tf.train.GradientDescentOptimizer`): `w -= learningRate * grad`.
///
/// ```swift
/// let train = GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
/// try session.run(train, feed: [x: batch])
/// ```
public struct GradientDescentOptimizer: TrainingOptimizer {
    /// The step size (unused when ``learningRateNode`` is set).
    public var learningRate: Float
    /// The step size as a rank-0 node evaluated at every step (a decayed rate), if given so.
    public var learningRateNode: Node?

    /// Creates the optimizer.
    ///
    /// - Parameter learningRate: the step size.
    public init(learningRate: Float) { self.learningRate = learningRate }

    /// Creates the optimizer with a learning rate computed in the graph (`exponentialDecay`,
    /// `cosineDecay`, a placeholder): a rank-0 node evaluated at every step.
    ///
    /// - Parameter learningRate: the step size, a rank-0 node.
    public init(learningRate: Node) {
        self.learningRate = 0
        learningRateNode = learningRate
    }

    /// SGD without momentum.
    public var rule: OptimizerUpdate.Rule { .sgd(learningRate: learningRate, momentum: 0, nesterov: false) }
}
