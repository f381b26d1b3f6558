/// Multiplies an optimizer's learning rate by `gamma` every epoch
/// (`torch.optim.lr_scheduler.ExponentialLR`): after `n` steps the rate is `baseLR · gammaⁿ`.
/// Call ``step()`` once per epoch, after the epoch's optimizer steps.
///
/// ```swift
/// let scheduler = ExponentialLR(optimizer, gamma: 0.95)
/// for epoch in 0..<50 { train(); scheduler.step() }
/// ```
///
/// State dict: `gamma`, and the position every scheduler keeps (see ``LRScheduler``).
public final class ExponentialLR: LRScheduler {
    /// The optimizer whose learning rate is scheduled.
    public let optimizer: Optimizer
    /// The factor applied every epoch.
    public private(set) var gamma: Float
    private var position: SchedulerPosition

    /// Creates the scheduler.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer whose `lr` is decayed.
    ///   - gamma: the factor applied every epoch.
    ///   - file: the source file named by an error about an argument (defaults to the caller's).
    ///   - line: the source line named by an error about an argument (defaults to the caller's).
    public init(_ optimizer: Optimizer, gamma: Float, file: StaticString = #fileID, line: UInt = #line) {
        self.optimizer = optimizer
        self.gamma = gamma
        position = SchedulerPosition(starting: optimizer)
        if !gamma.isFinite { reportInvalidArgument("ExponentialLR", "gamma must be finite, got \(gamma)", file: file, line: line) }
    }

    /// Epochs completed (PyTorch's `last_epoch`).
    public var epoch: Int { position.epoch }
    /// The learning rate when the scheduler was created.
    public var baseLR: Float { position.baseLR }
    /// The learning rate set by the last ``step()`` (`get_last_lr()`).
    public var lastLR: Float { position.lastLR }

    /// Ends an epoch: multiplies the learning rate by `gamma`.
    public func step() {
        position.epoch += 1
        // PyTorch's chainable form: the current rate times gamma.
        optimizer.lr *= gamma
        position.lastLR = optimizer.lr
    }

    /// The position and `gamma`.
    public func stateDict() -> [String: NDArray] { position.stateDict(["gamma": gamma]) }

    /// Restores the position and `gamma`; nothing changes unless all of it fits.
    public func loadStateDict(_ stateDict: [String: NDArray]) throws {
        let reader = try SchedulerStateReader(stateDict, scheduler: "ExponentialLR", hyperparameters: ["gamma"])
        gamma = reader.hyperparameters["gamma"]!
        position = reader.position
    }
}
