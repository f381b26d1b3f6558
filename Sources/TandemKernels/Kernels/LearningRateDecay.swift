import Foundation

/// A learning rate that decays with a global step, computed exactly as tf.compat.v1.train's
/// `exponential_decay` and `cosine_decay` compute it: in float32, from the step cast to float.
///
/// The graph frontend evaluates it in a node whose input is the global step variable, so an
/// optimizer's rate follows the step the train op increments.
///
/// ```swift
/// let decay = LearningRateDecay.exponential(learningRate: 0.1, decaySteps: 100, decayRate: 0.96, staircase: true)
/// decay.learningRate(atStep: 250)   // 0.1 * 0.96²
/// ```
public enum LearningRateDecay: Equatable, Sendable {
    /// `learningRate * decayRate ^ (step / decaySteps)`, the exponent floored when `staircase`
    /// (`tf.compat.v1.train.exponential_decay`).
    case exponential(learningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    /// `learningRate * ((1 - alpha) * 0.5 * (1 + cos(π * min(step, decaySteps) / decaySteps)) + alpha)`
    /// (`tf.compat.v1.train.cosine_decay`): from the full rate down to `alpha` times it, then flat.
    case cosine(learningRate: Float, decaySteps: Int, alpha: Float)

    /// The decayed learning rate at a global step.
    ///
    /// - Parameter step: the global step (a whole number, as the step variable holds).
    public func learningRate(atStep step: Float) -> Float {
        switch self {
        case let .exponential(learningRate, decaySteps, decayRate, staircase):
            var p = step / Float(decaySteps)
            if staircase { p = p.rounded(.down) }
            return learningRate * Foundation.powf(decayRate, p)
        case let .cosine(learningRate, decaySteps, alpha):
            let fraction = Swift.min(step, Float(decaySteps)) / Float(decaySteps)
            let cosineDecayed = 0.5 * (1 + Foundation.cosf(Float.pi * fraction))
            // TF computes 1 - alpha in Python (double) before it meets the float32 tensor.
            let decayed = Float(1 - Double(alpha)) * cosineDecayed + alpha
            return learningRate * decayed
        }
    }

    /// Why the hyperparameters cannot define a schedule, or nil when they can (a positive number of
    /// decay steps; finite rates).
    public var invalidReason: String? {
        switch self {
        case let .exponential(learningRate, decaySteps, decayRate, _):
            if decaySteps <= 0 { return "decaySteps must be positive, got \(decaySteps)" }
            if !learningRate.isFinite || !decayRate.isFinite { return "learningRate and decayRate must be finite" }
        case let .cosine(learningRate, decaySteps, alpha):
            if decaySteps <= 0 { return "decaySteps must be positive, got \(decaySteps)" }
            if !learningRate.isFinite || !alpha.isFinite { return "learningRate and alpha must be finite" }
        }
        return nil
    }
}
