/// A learning rate decayed exponentially with the global step
/// (`tf.compat.v1.train.exponential_decay`), to pass as an optimizer's learning rate:
///
///     learningRate * decayRate ^ (globalStep / decaySteps)        (the exponent floored when staircase)
///
/// computed in float32 exactly as TF1 computes it (`LearningRateDecay.exponential`).
///
/// ```swift
/// let step = g.globalStep()
/// let rate = exponentialDecay(learningRate: 0.1, globalStep: step, decaySteps: 1000, decayRate: 0.96, staircase: true)
/// let train = MomentumOptimizer(learningRate: rate, momentum: 0.9).minimize(loss, globalStep: step)
/// ```
///
/// - Parameters:
///   - learningRate: the rate at step 0.
///   - globalStep: a rank-0 node holding the step, usually `graph.globalStep()`.
///   - decaySteps: steps over which the rate is multiplied by `decayRate` (positive).
///   - decayRate: the decay factor.
///   - staircase: decay in whole steps of `decaySteps` (floor the exponent).
///   - name: the node's name.
///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
///   - line: the source line recorded on the node (defaults to the caller's).
/// - Returns: a rank-0 node.
public func exponentialDecay(
    learningRate: Float, globalStep: Node, decaySteps: Int, decayRate: Float, staircase: Bool = false,
    name: String = "ExponentialDecay", file: StaticString = #fileID, line: UInt = #line
) -> Node {
    decayNode(
        .exponential(learningRate: learningRate, decaySteps: decaySteps, decayRate: decayRate, staircase: staircase),
        globalStep, name: name, at: SourceLocation(file, line))
}

/// A learning rate decayed along half a cosine with the global step, then held
/// (`tf.compat.v1.train.cosine_decay`), to pass as an optimizer's learning rate:
///
///     learningRate * ((1 - alpha) * 0.5 * (1 + cos(π * min(globalStep, decaySteps) / decaySteps)) + alpha)
///
/// computed in float32 exactly as TF1 computes it (`LearningRateDecay.cosine`). Unlike eager
/// `CosineAnnealingLR`, the rate stays at `alpha * learningRate` after `decaySteps` instead of
/// rising again, and it is a closed form of the step (TF1 has no chainable form).
///
/// - Parameters:
///   - learningRate: the rate at step 0.
///   - globalStep: a rank-0 node holding the step, usually `graph.globalStep()`.
///   - decaySteps: steps to decay over (positive).
///   - alpha: the final rate as a fraction of `learningRate`.
///   - name: the node's name.
///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
///   - line: the source line recorded on the node (defaults to the caller's).
/// - Returns: a rank-0 node.
public func cosineDecay(
    learningRate: Float, globalStep: Node, decaySteps: Int, alpha: Float = 0,
    name: String = "CosineDecay", file: StaticString = #fileID, line: UInt = #line
) -> Node {
    decayNode(.cosine(learningRate: learningRate, decaySteps: decaySteps, alpha: alpha), globalStep, name: name, at: SourceLocation(file, line))
}

private func decayNode(_ decay: LearningRateDecay, _ globalStep: Node, name: String, at location: SourceLocation) -> Node {
    let graph = globalStep.graph
    if let reason = decay.invalidReason {
        let error = TandemError.invalidValue(op: TrainingFunction.decay(decay).name, reason: reason, location: location)
        ErrorScope.report(error)
        return graph.addNode(.training(.decay(decay)), [globalStep], name: name, shape: [], location: location, poison: error)
    }
    return graph.addTrainingFunction(.decay(decay), [globalStep], name: name, at: location)
}
