/// Plain gradient descent (`tf.train.GradientDescentOptimizer`): `w -= learningRate * grad`.
///
/// ```swift
/// let train = GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
/// try session.run(train, feed: [x: batch])
/// ```
public struct GradientDescentOptimizer: TrainingOptimizer {
    /// The step size.
    public var learningRate: Float

    /// Creates the optimizer.
    ///
    /// - Parameter learningRate: the step size.
    public init(learningRate: Float) { self.learningRate = learningRate }

    /// SGD without momentum.
    public var rule: OptimizerUpdate.Rule { .sgd(learningRate: learningRate, momentum: 0) }
}
