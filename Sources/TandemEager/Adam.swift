/// Adam, with `torch.optim.Adam`'s exact update and defaults (lr 1e-3, betas (0.9, 0.999),
/// eps 1e-8, no weight decay, amsgrad off):
///
///     g = (maximize ? −grad : grad) + weightDecay · param
///     m = β1 · m + (1 − β1) · g,   v = β2 · v + (1 − β2) · g²,   v̂max = max(v̂max, v) (amsgrad)
///     param −= lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
///
/// ```swift
/// let optimizer = Adam(model.parameters, lr: 1e-3)
/// ```
///
/// State dict: `state.<i>.` `step`, `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq` with amsgrad);
/// `param_groups.0.` `lr`, `betas`, `eps`, `weight_decay`, `amsgrad`, `maximize`,
/// `decoupled_weight_decay` (0; torch's flag that makes Adam an ``AdamW``).
public final class Adam: Optimizer {
    /// The parameters updated by ``step()``.
    public let parameters: [Tensor]
    /// The learning rate.
    public var lr: Float
    /// The decay rates of the first and second moment estimates.
    public private(set) var betas: (Float, Float)
    /// Added to the denominator for numerical stability.
    public private(set) var eps: Float
    /// L2 penalty added to the gradient (torch.optim.Adam's weight_decay, not ``AdamW``'s).
    public private(set) var weightDecay: Float
    /// Whether to use the AMSGrad variant (the running maximum of the second moment).
    public private(set) var amsgrad: Bool
    /// Whether to maximise the objective instead of minimising it.
    public private(set) var maximize: Bool
    /// Whether gradients are accumulated on purpose over several backward calls per step.
    public var accumulating: Bool
    private var state: AdamState

    /// Creates the optimizer.
    ///
    /// - Parameters:
    ///   - parameters: the tensors to update.
    ///   - lr: the learning rate.
    ///   - betas: decay rates of the moment estimates.
    ///   - eps: numerical-stability term.
    ///   - weightDecay: L2 penalty.
    ///   - amsgrad: use the AMSGrad variant.
    ///   - maximize: maximise the objective instead of minimising it.
    ///   - accumulating: set when gradients are summed over several backward calls on purpose.
    ///   - file: the source file named by an error about an argument (defaults to the caller's).
    ///   - line: the source line named by an error about an argument (defaults to the caller's).
    public init(
        _ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
        weightDecay: Float = 0, amsgrad: Bool = false, maximize: Bool = false, accumulating: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.parameters = parameters
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.maximize = maximize
        self.accumulating = accumulating
        state = AdamState(count: parameters.count)
        if let reason = adamInvalidReason(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay) {
            reportInvalidArgument("Adam", reason, file: file, line: line)
        }
    }

    /// Updates every parameter that has a gradient (each keeps its own step count, as in PyTorch).
    public func step() {
        guard prepareStep(buffers: state.namedBuffers) else { return }
        state.step(
            parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: false,
            amsgrad: amsgrad, maximize: maximize)
        Diagnostics.didStep()
    }

    /// The moments, step counts and hyperparameters (see the type's documentation for the keys).
    public func stateDict() -> [String: NDArray] {
        var writer = OptimizerStateWriter(parameterCount: parameters.count)
        writeAdamHyperparameters(
            &writer, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize,
            decoupled: false)
        state.write(to: &writer)
        return writer.entries
    }

    /// Restores moments, step counts and hyperparameters from ``stateDict()``'s output; nothing
    /// changes unless all of it fits.
    public func loadStateDict(_ stateDict: [String: NDArray]) throws {
        var reader = try OptimizerStateReader(stateDict, optimizer: "Adam", parameters: parameters)
        let h = try readAdamHyperparameters(&reader, decoupled: false)
        let state = try AdamState(reading: reader, count: parameters.count, amsgrad: h.amsgrad)
        (lr, betas, eps, weightDecay, amsgrad, maximize) = (h.lr, h.betas, h.eps, h.weightDecay, h.amsgrad, h.maximize)
        self.state = state
    }
}

/// Why Adam's or AdamW's arguments are invalid (torch's checks), or nil.
func adamInvalidReason(lr: Float, betas: (Float, Float), eps: Float, weightDecay: Float) -> String? {
    if !(lr >= 0) || !lr.isFinite { return "invalid learning rate \(lr)" }
    if !(eps >= 0) || !eps.isFinite { return "invalid epsilon value \(eps)" }
    if !(0..<1).contains(betas.0) { return "invalid beta parameter at index 0: \(betas.0)" }
    if !(0..<1).contains(betas.1) { return "invalid beta parameter at index 1: \(betas.1)" }
    if !(weightDecay >= 0) || !weightDecay.isFinite { return "invalid weight_decay value \(weightDecay)" }
    return nil
}

/// Adam's and AdamW's hyperparameters, read and validated from a state dict.
func readAdamHyperparameters(_ reader: inout OptimizerStateReader, decoupled: Bool) throws
    -> (lr: Float, betas: (Float, Float), eps: Float, weightDecay: Float, amsgrad: Bool, maximize: Bool)
{
    guard try reader.flag("decoupled_weight_decay") == decoupled else {
        throw reader.fail(
            decoupled ? "the state dict is Adam's (decoupled_weight_decay 0); load it into Adam"
                : "the state dict is AdamW's (decoupled_weight_decay 1); load it into AdamW")
    }
    let h = (
        lr: try reader.scalar("lr"), betas: try reader.betas("betas"), eps: try reader.scalar("eps"),
        weightDecay: try reader.scalar("weight_decay"), amsgrad: try reader.flag("amsgrad"),
        maximize: try reader.flag("maximize"))
    if let reason = adamInvalidReason(lr: h.lr, betas: h.betas, eps: h.eps, weightDecay: h.weightDecay) {
        throw reader.fail(reason)
    }
    return h
}

/// Adds Adam's and AdamW's hyperparameters to a state dict.
func writeAdamHyperparameters(
    _ writer: inout OptimizerStateWriter, lr: Float, betas: (Float, Float), eps: Float, weightDecay: Float,
    amsgrad: Bool, maximize: Bool, decoupled: Bool
) {
    writer.hyperparameter("lr", lr)
    writer.hyperparameter("betas", betas)
    writer.hyperparameter("eps", eps)
    writer.hyperparameter("weight_decay", weightDecay)
    writer.hyperparameter("amsgrad", amsgrad)
    writer.hyperparameter("maximize", maximize)
    writer.hyperparameter("decoupled_weight_decay", decoupled)
}
