import Foundation

/// Anneals an optimizer's learning rate along a cosine from its initial value down to `etaMin`
/// over `tMax` epochs, then back up over the next `tMax`, and so on
/// (`torch.optim.lr_scheduler.CosineAnnealingLR`, without restarts):
///
///     lr(t) = etaMin + (baseLR − etaMin) · (1 + cos(π · t / tMax)) / 2
///
/// Each ``step()`` uses PyTorch's chainable form, which reaches these values from the current
/// rate (so a rate changed by hand in between is carried along, as in PyTorch):
///
///     lr ← etaMin + (lr − etaMin) · (1 + cos(π t / tMax)) / (1 + cos(π (t − 1) / tMax))
///     lr ← lr + (baseLR − etaMin) · (1 − cos(π / tMax)) / 2       when (t − 1 − tMax) is a multiple of 2 tMax
///
/// ```swift
/// let scheduler = CosineAnnealingLR(optimizer, tMax: 100, etaMin: 1e-5)
/// for epoch in 0..<100 { train(); scheduler.step() }
/// ```
///
/// State dict: `T_max`, `eta_min`, and the position every scheduler keeps (see ``LRScheduler``).
public final class CosineAnnealingLR: LRScheduler {
    /// The optimizer whose learning rate is scheduled.
    public let optimizer: Optimizer
    /// Epochs of one half period (from the initial rate down to `etaMin`).
    public private(set) var tMax: Int
    /// The smallest learning rate.
    public private(set) var etaMin: Float
    private var position: SchedulerPosition

    /// Creates the scheduler.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer whose `lr` is annealed.
    ///   - tMax: epochs from the initial rate down to `etaMin` (positive).
    ///   - etaMin: the smallest learning rate.
    ///   - file: the source file named by an error about an argument (defaults to the caller's).
    ///   - line: the source line named by an error about an argument (defaults to the caller's).
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Float = 0, file: StaticString = #fileID, line: UInt = #line) {
        self.optimizer = optimizer
        self.tMax = Swift.max(tMax, 1)
        self.etaMin = etaMin
        position = SchedulerPosition(starting: optimizer)
        if tMax <= 0 {
            reportInvalidArgument("CosineAnnealingLR", "tMax must be positive, got \(tMax)", file: file, line: line)
        } else if !etaMin.isFinite {
            reportInvalidArgument("CosineAnnealingLR", "etaMin must be finite, got \(etaMin)", file: file, line: line)
        }
    }

    /// Epochs completed (PyTorch's `last_epoch`).
    public var epoch: Int { position.epoch }
    /// The learning rate when the scheduler was created (the top of the cosine).
    public var baseLR: Float { position.baseLR }
    /// The learning rate set by the last ``step()`` (`get_last_lr()`).
    public var lastLR: Float { position.lastLR }

    /// Ends an epoch: moves the learning rate one epoch along the cosine.
    public func step() {
        position.epoch += 1
        let t = Double(position.epoch), period = Double(tMax)
        let lr = Double(optimizer.lr), base = Double(position.baseLR), low = Double(etaMin)
        let next: Double
        if (position.epoch - 1 - tMax) % (2 * tMax) == 0 {
            // The bottom of the cosine, where the ratio below would divide by 1 + cos(π) = 0.
            next = lr + (base - low) * (1 - Foundation.cos(Double.pi / period)) / 2
        } else {
            next = (1 + Foundation.cos(Double.pi * t / period)) / (1 + Foundation.cos(Double.pi * (t - 1) / period)) * (lr - low) + low
        }
        optimizer.lr = Float(next)
        position.lastLR = optimizer.lr
    }

    /// The position and hyperparameters.
    public func stateDict() -> [String: NDArray] {
        position.stateDict(["T_max": Float(tMax), "eta_min": etaMin])
    }

    /// Restores the position and hyperparameters; nothing changes unless all of it fits.
    public func loadStateDict(_ stateDict: [String: NDArray]) throws {
        let reader = try SchedulerStateReader(stateDict, scheduler: "CosineAnnealingLR", hyperparameters: ["T_max", "eta_min"])
        tMax = try reader.count("T_max")
        etaMin = reader.hyperparameters["eta_min"]!
        position = reader.position
    }
}
