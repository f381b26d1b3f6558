import Foundation

/// What every learning-rate scheduler offers (`torch.optim.lr_scheduler.LRScheduler`): `step()`
/// once per epoch after the epoch's optimizer steps, the rate now in effect, and a state dict so a
/// resumed run continues the schedule where it stopped.
///
/// State dicts flatten torch's `scheduler.state_dict()`: `base_lrs` (shape [1]), `last_epoch`
/// (rank 0), `_last_lr` (shape [1]), and the scheduler's own hyperparameters under torch's names
/// (`step_size`, `gamma`, `T_max`, `eta_min`).
public protocol LRScheduler: AnyObject {
    /// The optimizer whose learning rate is scheduled.
    var optimizer: Optimizer { get }
    /// Epochs completed (PyTorch's `last_epoch`).
    var epoch: Int { get }
    /// The learning rate the schedule starts from (PyTorch's `base_lrs[0]`).
    var baseLR: Float { get }
    /// The learning rate set by the last ``step()`` (`get_last_lr()[0]`).
    var lastLR: Float { get }
    /// Ends an epoch: sets the optimizer's learning rate for the next one.
    func step()
    /// The schedule's position and hyperparameters (`scheduler.state_dict()`), flattened.
    func stateDict() -> [String: NDArray]
    /// Restores a state written by ``stateDict()``; nothing changes unless all of it fits.
    func loadStateDict(_ stateDict: [String: NDArray]) throws
}

/// The state every scheduler keeps: where the schedule started, how far it is, the last rate.
struct SchedulerPosition {
    var baseLR: Float
    var epoch: Int
    var lastLR: Float

    /// The position of a scheduler created now on `optimizer` (torch's constructor `step()`).
    init(starting optimizer: Optimizer) {
        self.init(baseLR: optimizer.lr, epoch: 0, lastLR: optimizer.lr)
    }

    init(baseLR: Float, epoch: Int, lastLR: Float) {
        self.baseLR = baseLR
        self.epoch = epoch
        self.lastLR = lastLR
    }

    /// A state dict with the position and `hyperparameters`.
    func stateDict(_ hyperparameters: [String: Float]) -> [String: NDArray] {
        var result = hyperparameters.mapValues { NDArray($0) }
        result["base_lrs"] = NDArray(shape: [1], scalars: [baseLR])
        result["last_epoch"] = NDArray(Float(epoch))
        result["_last_lr"] = NDArray(shape: [1], scalars: [lastLR])
        return result
    }
}

/// Reads and validates a scheduler's flat state dict.
struct SchedulerStateReader {
    let op: String
    let position: SchedulerPosition
    let hyperparameters: [String: Float]

    init(_ dict: [String: NDArray], scheduler: String, hyperparameters names: [String]) throws {
        op = "\(scheduler).loadStateDict"
        let expected = Set(names + ["base_lrs", "last_epoch", "_last_lr"])
        let missing = expected.subtracting(dict.keys).sorted()
        let unexpected = Set(dict.keys).subtracting(expected).sorted()
        var problems: [String] = []
        if !missing.isEmpty { problems.append("missing key(s) \(missing.map { "\"\($0)\"" }.joined(separator: ", "))") }
        if !unexpected.isEmpty { problems.append("unexpected key(s) \(unexpected.map { "\"\($0)\"" }.joined(separator: ", "))") }
        if !problems.isEmpty {
            throw TandemError.invalidValue(
                op: op, reason: problems.joined(separator: "; ") + " (a state dict of another scheduler?)", location: nil)
        }
        func value(_ key: String, shape: [Int]) throws -> Float {
            let array = dict[key]!
            guard array.shape == shape, array.scalars.allSatisfy(\.isFinite) else {
                throw TandemError.invalidValue(
                    op: "\(scheduler).loadStateDict",
                    reason: "\"\(key)\" must hold finite values of shape \(formatShape(shape)), got \(array.scalars) "
                        + "of shape \(formatShape(array.shape))",
                    location: nil)
            }
            return array.scalars[0]
        }
        let epoch = try value("last_epoch", shape: [])
        guard epoch >= 0, epoch.rounded() == epoch, epoch < 1e9 else {
            throw TandemError.invalidValue(op: op, reason: "\"last_epoch\" must be a whole number >= 0, got \(epoch)", location: nil)
        }
        position = SchedulerPosition(
            baseLR: try value("base_lrs", shape: [1]), epoch: Int(epoch), lastLR: try value("_last_lr", shape: [1]))
        var hyperparameters: [String: Float] = [:]
        for name in names { hyperparameters[name] = try value(name, shape: []) }
        self.hyperparameters = hyperparameters
    }

    func fail(_ reason: String) -> TandemError { .invalidValue(op: op, reason: reason, location: nil) }

    /// A hyperparameter that counts epochs: a whole number >= 1.
    func count(_ name: String) throws -> Int {
        let value = hyperparameters[name]!
        guard value >= 1, value.rounded() == value, value < 1e9 else {
            throw fail("\"\(name)\" must be a whole number >= 1, got \(value)")
        }
        return Int(value)
    }
}
