/// Multiplies an optimizer's learning rate by `gamma` every `stepSize` epochs
/// (`torch.optim.lr_scheduler.StepLR`). Call ``step()`` once per epoch, after the epoch's
/// optimizer steps.
///
/// ```swift
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<90 { train(); scheduler.step() }
/// ```
///
/// State dict: `step_size`, `gamma`, and the position every scheduler keeps (see ``LRScheduler``).
public final class StepLR: LRScheduler {
    /// The optimizer whose learning rate is scheduled.
    public let optimizer: Optimizer
    /// Epochs between decays.
    public private(set) var stepSize: Int
    /// The decay factor.
    public private(set) var gamma: Float
    private var position: SchedulerPosition

    /// Creates the scheduler.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer whose `lr` is decayed.
    ///   - stepSize: epochs between decays (positive).
    ///   - gamma: the factor applied at each decay.
    ///   - file: the source file named by an error about an argument (defaults to the caller's).
    ///   - line: the source line named by an error about an argument (defaults to the caller's).
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Float = 0.1, file: StaticString = #fileID, line: UInt = #line) {
        self.optimizer = optimizer
        self.stepSize = Swift.max(stepSize, 1)
        self.gamma = gamma
        position = SchedulerPosition(starting: optimizer)
        if stepSize <= 0 { reportInvalidArgument("StepLR", "stepSize must be positive, got \(stepSize)", file: file, line: line) }
    }

    /// Epochs completed (PyTorch's `last_epoch`).
    public var epoch: Int { position.epoch }
    /// The learning rate when the scheduler was created.
    public var baseLR: Float { position.baseLR }
    /// The learning rate set by the last ``step()`` (`get_last_lr()`).
    public var lastLR: Float { position.lastLR }

    /// Ends an epoch: decays the learning rate when a multiple of `stepSize` epochs is reached.
    public func step() {
        position.epoch += 1
        // PyTorch's chainable form: multiply at each boundary, so a learning rate changed by hand
        // in between is respected.
        if position.epoch % stepSize == 0 { optimizer.lr *= gamma }
        position.lastLR = optimizer.lr
    }

    /// The position and hyperparameters.
    public func stateDict() -> [String: NDArray] {
        position.stateDict(["step_size": Float(stepSize), "gamma": gamma])
    }

    /// Restores the position and hyperparameters; nothing changes unless all of it fits.
    public func loadStateDict(_ stateDict: [String: NDArray]) throws {
        let reader = try SchedulerStateReader(stateDict, scheduler: "StepLR", hyperparameters: ["step_size", "gamma"])
        stepSize = try reader.count("step_size")
        gamma = reader.hyperparameters["gamma"]!
        position = reader.position
    }
}
