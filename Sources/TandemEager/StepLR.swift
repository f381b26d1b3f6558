/// Multiplies an optimizer's learning rate by `gamma` every `stepSize` epochs
/// (`torch.optim.lr_scheduler.StepLR`). Call ``step()`` once per epoch, after the epoch's
/// optimizer steps.
///
/// ```swift
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<90 { train(); scheduler.step() }
/// ```
public final class StepLR {
    /// The optimizer whose learning rate is scheduled.
    public let optimizer: Optimizer
    /// Epochs between decays.
    public let stepSize: Int
    /// The decay factor.
    public let gamma: Float
    /// Epochs completed (PyTorch's `last_epoch`).
    public private(set) var epoch = 0
    /// The learning rate when the scheduler was created.
    public let baseLR: Float

    /// Creates the scheduler.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer whose `lr` is decayed.
    ///   - stepSize: epochs between decays (positive).
    ///   - gamma: the factor applied at each decay.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepLR(stepSize: \(stepSize)): stepSize must be positive")
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
        self.baseLR = optimizer.lr
    }

    /// The learning rate now in effect (`get_last_lr()`).
    public var lastLR: Float { optimizer.lr }

    /// Ends an epoch: decays the learning rate when a multiple of `stepSize` epochs is reached.
    public func step() {
        epoch += 1
        // PyTorch's chainable form: multiply at each boundary, so a learning rate changed by hand
        // in between is respected.
        if epoch % stepSize == 0 { optimizer.lr *= gamma }
    }
}
